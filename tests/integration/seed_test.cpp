// agentdb seed against a real server, on a table of its own so the tests do not depend on the
// shipped seed data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

#ifndef AGENTDB_SOURCE_DIR
#define AGENTDB_SOURCE_DIR "."
#endif

namespace agentdb::testing {

class SeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto session = db.connect();
    session->exec(
        "CREATE TABLE prices (provider text, model text, price numeric(12,6) NOT NULL CHECK (price "
        ">= 0), "
        "tags text[], extra jsonb, PRIMARY KEY (provider, model))");
    write("reference/010_prices.json",
          R"({"table": "prices", "key": ["provider", "model"], "rows": [
      {"provider": "a", "model": "m1", "price": "1.5", "tags": ["x", "y"], "extra": {"k": 1}},
      {"provider": "a", "model": "m2", "price": "2", "tags": [], "extra": null}]})");
  }

  void write(const std::string& name, const std::string& content) const {
    seeds.write(name, content);
  }

  [[nodiscard]] CommandResult seed(std::vector<std::string> arguments) const {
    std::vector<std::string> argv{"--database-url", db.url(), "seed", "--dir",
                                  seeds.path().string()};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run_agentdb(argv);
  }

  [[nodiscard]] nlohmann::json seed_json(std::vector<std::string> arguments) const {
    arguments.push_back("--json");
    const auto result = seed(arguments);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return nlohmann::json::parse(result.out)["sets"][0];
  }

  ScratchDatabase db;
  TempDir seeds;
};

TEST_F(SeedTest, ApplyingASetTwiceChangesNothingTheSecondTimeAndSaysSo) {
  const auto first = seed_json({});
  EXPECT_EQ(first["inserted"], 2);
  EXPECT_EQ(db.scalar("SELECT tags[2] || (extra->>'k') FROM prices WHERE model = 'm1'"), "y1");
  const auto second = seed_json({"reference"});
  EXPECT_EQ(second["inserted"], 0);
  EXPECT_EQ(second["updated"], 0);
  EXPECT_EQ(second["unchanged"], 2);
  const auto text = seed({});
  EXPECT_NE(text.out.find("nothing changed"), std::string::npos) << text.out;
}

TEST_F(SeedTest, ChangedRowsAreUpdatedAndRowsNotInTheFileAreKept) {
  ASSERT_EQ(seed({}).exit_code, 0);
  db.connect()->exec("INSERT INTO prices VALUES ('user', 'own', 9)");
  write("reference/010_prices.json", R"({"table": "prices", "key": ["provider", "model"], "rows": [
      {"provider": "a", "model": "m1", "price": "1.75", "tags": ["x", "y"], "extra": {"k": 1}}]})");
  const auto outcome = seed_json({});
  EXPECT_EQ(outcome["updated"], 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM prices"), "3");
  EXPECT_EQ(db.scalar("SELECT price FROM prices WHERE model = 'm1'"), "1.750000");
}

TEST_F(SeedTest, DryRunCountsButWritesNothing) {
  const auto outcome = seed_json({"--dry-run"});
  EXPECT_EQ(outcome["inserted"], 2);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM prices"), "0");
}

TEST_F(SeedTest, ASetIsOneTransaction) {
  write(
      "reference/020_bad.json",
      R"({"table": "prices", "key": ["provider", "model"], "rows": [{"provider": "b", "model": "m", "price": "-1"}]})");
  const auto result = seed({});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("020_bad.json"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("prices_price_check"), std::string::npos) << result.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM prices"), "0");
}

TEST_F(SeedTest, AMalformedFileIsAUsageErrorNamingFileAndLineAndWritesNothing) {
  write("demo/010_prices.json",
        "{\"table\": \"prices\",\n \"key\": [\"provider\"],\n \"rows\": [,]}\n");
  const auto result = seed({"reference", "demo"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("010_prices.json:3"), std::string::npos) << result.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM prices"), "0");
}

TEST_F(SeedTest, ListShowsSetsAndUnknownSetsAreUsageErrors) {
  const auto list = seed({"--list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(nlohmann::json::parse(list.out)["sets"][0]["rows"], 2);
  const auto unknown = seed({"nosuchset"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("available: reference"), std::string::npos) << unknown.err;
}

TEST_F(SeedTest, AMissingTableSaysToMigrateFirst) {
  write("reference/020_missing.json", R"({"table": "nope", "key": ["id"], "rows": [{"id": 1}]})");
  const auto result = seed({});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("migrate up"), std::string::npos) << result.err;
}

}  // namespace agentdb::testing

namespace agentdb::testing {

TEST(ShippedSeeds, ApplyOnTheShippedSchemaAndChangeNothingTheSecondTime) {
  ScratchDatabase db;
  const auto up = run_agentdb(
      {"--database-url", db.url(), "migrate", "--dir", AGENTDB_SOURCE_DIR "/migrations", "up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::vector<std::string> seed = {"--database-url", db.url(), "--json",
                                         "seed",           "--dir",  AGENTDB_SOURCE_DIR "/seeds",
                                         "reference",      "demo"};
  const auto first = run_agentdb(seed);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto first_json = nlohmann::json::parse(first.out);
  for (const auto& set : first_json["sets"])
    EXPECT_GT(set["inserted"].get<int>(), 0);
  const auto second = run_agentdb(seed);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto second_json = nlohmann::json::parse(second.out);
  for (const auto& set : second_json["sets"]) {
    EXPECT_EQ(set["inserted"], 0) << set.dump();
    EXPECT_EQ(set["updated"], 0) << set.dump();
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM conversations c WHERE message_count <> "
                      "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)"),
            "0");
}

}  // namespace agentdb::testing
