#include "seed/seed_set.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "seed/seeder.hpp"

namespace agentdb::seed {

namespace {

// The message of the usage error parse_seed_file throws for `text`.
std::string error_for(const std::string& text) {
  try {
    (void)parse_seed_file("s/010_x.json", text);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    return e.what();
  }
  ADD_FAILURE() << "expected an error for " << text;
  return {};
}

}  // namespace

TEST(SeedFile, ParsesTableKeyAndRowsWithKeyColumnsFirst) {
  const auto file = parse_seed_file(
      "s/010_x.json", R"({"table": "public.model_prices", "key": ["provider", "model"],
        "rows": [{"price": "1.5", "model": "m", "provider": "p"}]})");
  EXPECT_EQ(file.table, "public.model_prices");
  EXPECT_EQ(file.columns, (std::vector<std::string>{"provider", "model", "price"}));
  EXPECT_EQ(file.row_count, 1u);
}

TEST(SeedFile, NamesTheLineOfAJsonSyntaxError) {
  EXPECT_NE(
      error_for("{\"table\": \"t\",\n \"key\": [\"a\"],\n \"rows\": [}\n").find("010_x.json:3"),
      std::string::npos);
}

TEST(SeedFile, NamesTheLineOfARowWithOtherColumns) {
  const auto message = error_for(
      "{\"table\": \"t\", \"key\": [\"a\"], \"rows\": [\n  {\"a\": 1},\n  {\"a\": 2, \"b\": "
      "3}\n]}");
  EXPECT_NE(message.find("010_x.json:3"), std::string::npos) << message;
  EXPECT_NE(message.find("row 2"), std::string::npos) << message;
}

TEST(SeedFile, RejectsMissingKeysUnknownFieldsAndBadNames) {
  EXPECT_NE(error_for(R"({"table": "t", "key": ["id"], "rows": [{"name": "x"}]})")
                .find("key column \"id\""),
            std::string::npos);
  EXPECT_NE(
      error_for(R"({"table": "t", "key": ["id"], "rows": [], "extra": 1})").find("unknown field"),
      std::string::npos);
  EXPECT_NE(
      error_for(R"({"table": "t; DROP TABLE x", "key": ["id"], "rows": []})").find("\"table\""),
      std::string::npos);
  EXPECT_NE(error_for(R"({"table": "t", "key": [], "rows": []})").find("\"key\""),
            std::string::npos);
  EXPECT_NE(error_for(R"({"table": "t", "key": ["id"], "rows": [{"id": 1, "Bad Col": 2}]})")
                .find("Bad Col"),
            std::string::npos);
  EXPECT_NE(error_for("[1, 2]").find("one JSON object"), std::string::npos);
  EXPECT_NE(error_for("{\"table\": \"caf\xe9\"}").find("UTF-8"), std::string::npos);
}

TEST(UpsertSql, UpdatesOnlyRowsThatDiffer) {
  const auto file = parse_seed_file(
      "f.json",
      R"({"table": "model_prices", "key": ["provider"], "rows": [{"provider": "p", "price": 1}]})");
  const auto sql = upsert_sql(file);
  EXPECT_NE(sql.find("ON CONFLICT (\"provider\") DO UPDATE SET \"price\" = EXCLUDED.\"price\""),
            std::string::npos);
  EXPECT_NE(sql.find("WHERE ROW(t.\"price\") IS DISTINCT FROM ROW(EXCLUDED.\"price\")"),
            std::string::npos);
  EXPECT_NE(sql.find("jsonb_populate_recordset(NULL::\"model_prices\", $1::jsonb)"),
            std::string::npos);
}

TEST(UpsertSql, DoesNothingOnConflictWhenUpdatesAreNotAllowed) {
  const auto file = parse_seed_file(
      "f.json", R"({"table": "events", "key": ["id"], "rows": [{"id": 1, "data": {}}]})");
  EXPECT_NE(upsert_sql(file, Updates::not_allowed).find("DO NOTHING"), std::string::npos);
  EXPECT_NE(upsert_sql(file, Updates::not_allowed).find("RETURNING \"id\""), std::string::npos);
}

TEST(UpsertSql, DoesNothingOnConflictWhenEveryColumnIsAKey) {
  const auto file =
      parse_seed_file("f.json", R"({"table": "s.t", "key": ["a"], "rows": [{"a": 1}]})");
  EXPECT_NE(upsert_sql(file).find("ON CONFLICT (\"a\") DO NOTHING"), std::string::npos);
  EXPECT_NE(upsert_sql(file).find("INSERT INTO \"s\".\"t\""), std::string::npos);
}

}  // namespace agentdb::seed
