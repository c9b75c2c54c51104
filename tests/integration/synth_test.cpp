// seed synth on the shipped schema: every row satisfies the constraints and triggers, costs follow
// the prices, and a seed gives the same data every time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

#ifndef AGENTDB_SOURCE_DIR
#define AGENTDB_SOURCE_DIR "."
#endif

namespace agentdb::testing {

namespace {

void prepare(const ScratchDatabase& db) {
  const auto up = run_agentdb(
      {"--database-url", db.url(), "migrate", "--dir", AGENTDB_SOURCE_DIR "/migrations", "up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  db.connect()->exec(
      "INSERT INTO model_prices (provider, model, input_usd_per_million, output_usd_per_million, "
      "effective_from) "
      "VALUES ('openai', 'gpt-4o', 5, 15, '2024-05-13'), ('openai', 'gpt-4o', 2.5, 10, "
      "'2024-10-01'), "
      "('anthropic', 'claude-sonnet-4', 3, 15, '2025-05-22')");
}

CommandResult synth(const ScratchDatabase& db, const std::string& seed) {
  return run_agentdb({"--database-url", db.url(), "--json", "seed", "synth", "--users", "20",
                      "--conversations", "50", "--messages", "777", "--executions", "120",
                      "--random-seed", seed, "--end", "2026-11-23"});
}

const char* kFingerprint =
    "SELECT md5(string_agg(m.id::text || m.content || m.created_at::text, ',' ORDER BY m.id)) FROM "
    "messages m";

const char* kCostFingerprint =
    "SELECT md5(string_agg(t.id::text || t.agent_execution_id::text || t.total_cost_usd::text || "
    "e.execution_time_ms::text, ',' ORDER BY t.id)) FROM cost_tracking t JOIN agent_executions e "
    "ON e.id = t.agent_execution_id";

}  // namespace

TEST(Synth, WritesConsistentDataAndReportsRowsPerSecond) {
  ScratchDatabase db;
  prepare(db);
  const auto result = synth(db, "7");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_GT(json["rows_per_second"].get<long long>(), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages"), "777");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM agent_executions"), "120");
  // The schema's trigger kept every conversation's counter and last message time right.
  EXPECT_EQ(
      db.scalar(
          "SELECT count(*) FROM conversations c WHERE message_count <> "
          "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) OR last_message_at IS "
          "DISTINCT FROM (SELECT max(created_at) FROM messages m WHERE m.conversation_id = c.id)"),
      "0");
  // Every completed execution has its cost, priced at the rate in force when it finished.
  EXPECT_EQ(
      db.scalar("SELECT count(*) FROM agent_executions e WHERE status = 'completed' AND NOT EXISTS "
                "(SELECT 1 FROM cost_tracking t WHERE t.agent_execution_id = e.id)"),
      "0");
  EXPECT_EQ(
      db.scalar(
          "SELECT count(*) FROM cost_tracking t WHERE total_cost_usd <> round(("
          "  SELECT t.prompt_tokens * p.input_usd_per_million + t.completion_tokens * "
          "p.output_usd_per_million"
          "    FROM model_prices p WHERE p.provider = t.model_provider AND p.model = t.model_name"
          "     AND p.effective_from <= t.created_at ORDER BY p.effective_from DESC LIMIT 1) / "
          "1000000, 10)"),
      "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages_default"),
            "0");  // monthly partitions were made
  // Executions and costs carry version-7 ids of their own millisecond, like uuid_v7() gives.
  for (const char* table : {"agent_executions", "cost_tracking"}) {
    EXPECT_EQ(db.scalar(std::string("SELECT count(*) FROM ") + table +
                        " WHERE substr(id::text, 15, 1) <> '7' OR ('x' || translate(left(id::text, "
                        "13), '-', ''))::bit(48)::bigint <> floor(extract(epoch FROM created_at) * "
                        "1000)"),
              "0")
        << table;
  }
}

TEST(Synth, TheSameSeedGivesTheSameDataAndASecondRunIsRefused) {
  ScratchDatabase one;
  ScratchDatabase two;
  prepare(one);
  prepare(two);
  ASSERT_EQ(synth(one, "11").exit_code, 0);
  ASSERT_EQ(synth(two, "11").exit_code, 0);
  EXPECT_EQ(one.scalar(kFingerprint), two.scalar(kFingerprint));
  EXPECT_EQ(one.scalar(kCostFingerprint), two.scalar(kCostFingerprint));
  const auto again = synth(one, "11");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("another --random-seed"), std::string::npos) << again.err;
  EXPECT_EQ(one.scalar("SELECT count(*) FROM messages"), "777");
}

TEST(Synth, NeedsModelPricesFirst) {
  ScratchDatabase db;
  const auto up = run_agentdb(
      {"--database-url", db.url(), "migrate", "--dir", AGENTDB_SOURCE_DIR "/migrations", "up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const auto result = synth(db, "1");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("seed reference"), std::string::npos) << result.err;
}

// Every numeric option of synth is bounded, and so is their total: a typo is a usage error naming
// the option and what it takes, before anything connects or is written.
TEST(Synth, CountsSeedsAndDaysOutOfRangeAreUsageErrorsNamingTheOption) {
  ScratchDatabase db;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--scale", "99999999999"}, "--scale"},
      {{"--scale", "1001"}, "--scale"},
      {{"--scale", "0"}, "--scale"},
      {{"--messages", "9223372036854775807"}, "--messages"},
      {{"--executions", "2000000001"}, "--executions"},
      {{"--users", "-5"}, "--users"},
      {{"--users", "10000001"}, "--users"},
      {{"--conversations", "0"}, "--conversations"},
      {{"--random-seed", "-1"}, "--random-seed"},
      {{"--random-seed", "18446744073709551616"}, "--random-seed"},
      {{"--users", "10000000", "--conversations", "10000000", "--messages", "1990000000"},
       "2000000000 rows"},
      {{"--days", "0"}, "--days"},
      {{"--days", "3651"}, "--days"},
      {{"--end", "2026-02-31"}, "--end"},
      {{"--end", "2026-11-23x"}, "--end"},
      {{"--end", "2026-1-5"}, "--end"},
      {{"--end", "10000-01-01"}, "--end"},
      {{"--end", "1970-02-01", "--days", "90"}, "--days"},
  };
  for (const auto& [options, named] : cases) {
    std::vector<std::string> args{"--database-url", db.url(), "seed", "synth"};
    args.insert(args.end(), options.begin(), options.end());
    const auto result = run_agentdb(args);
    EXPECT_EQ(result.exit_code, 2) << options[0] << " " << options[1] << ": " << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find(named), std::string::npos) << result.err;
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");
}

TEST(Synth, TheLargestSeedIsTakenAsItIs) {
  ScratchDatabase db;
  prepare(db);
  const auto result = synth(db, "18446744073709551615");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(nlohmann::json::parse(result.out)["random_seed"].get<std::uint64_t>(),
            18446744073709551615ULL);
}

}  // namespace agentdb::testing
