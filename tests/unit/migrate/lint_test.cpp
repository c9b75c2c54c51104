#include "migrate/lint.hpp"

#include <gtest/gtest.h>

namespace agentdb::migrate {

namespace {

std::vector<std::string> rules(std::string_view sql,
                               TransactionMode mode = TransactionMode::per_revision) {
  std::vector<std::string> out;
  for (const auto& finding : lint_sql(sql, "f.sql", mode))
    out.emplace_back(finding.rule->id);
  return out;
}

bool has(const std::vector<std::string>& found, std::string_view id) {
  return std::find(found.begin(), found.end(), id) != found.end();
}

}  // namespace

TEST(Lint, NewTablesInTheSameFileAreNotFlagged) {
  EXPECT_TRUE(
      rules("CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz);\n"
            "CREATE INDEX t_at ON t (at);\n"
            "ALTER TABLE t ADD CONSTRAINT c CHECK (id > 0);\n"
            "ALTER TABLE t ALTER COLUMN at SET NOT NULL;")
          .empty());
}

TEST(Lint, FlagsBlockingIndexOnAnExistingTable) {
  const auto found = rules("CREATE INDEX users_email ON users (email);");
  EXPECT_TRUE(has(found, "index-without-concurrently"));
  EXPECT_TRUE(has(found, "missing-lock-timeout"));
}

TEST(Lint, FlagsConcurrentlyInsideATransaction) {
  EXPECT_TRUE(
      has(rules("CREATE INDEX CONCURRENTLY i ON users (email);"), "concurrently-in-transaction"));
  EXPECT_TRUE(
      rules("CREATE INDEX CONCURRENTLY i ON users (email);", TransactionMode::none).empty());
}

TEST(Lint, FlagsConstraintsWithoutNotValid) {
  EXPECT_TRUE(
      has(rules("SET lock_timeout = '5s'; ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (u) "
                "REFERENCES users (id);"),
          "foreign-key-without-not-valid"));
  EXPECT_TRUE(has(rules("ALTER TABLE orders ADD CONSTRAINT positive CHECK (total >= 0);"),
                  "check-without-not-valid"));
  EXPECT_TRUE(rules("SET lock_timeout = '5s';\nALTER TABLE orders ADD CONSTRAINT positive CHECK "
                    "(total >= 0) NOT VALID;")
                  .empty());
}

TEST(Lint, FlagsRewritesAndBreakingChanges) {
  EXPECT_TRUE(has(rules("ALTER TABLE u ALTER COLUMN e SET NOT NULL;"), "set-not-null"));
  EXPECT_TRUE(has(rules("ALTER TABLE u ALTER COLUMN e TYPE bigint;"), "alter-column-type"));
  EXPECT_TRUE(has(rules("ALTER TABLE u ALTER e SET DATA TYPE text;"), "alter-column-type"));
  EXPECT_TRUE(has(rules("ALTER TABLE u ADD COLUMN token uuid DEFAULT gen_random_uuid();"),
                  "volatile-default"));
  EXPECT_FALSE(
      has(rules("ALTER TABLE u ADD COLUMN at timestamptz DEFAULT now();"), "volatile-default"));
  EXPECT_TRUE(has(rules("ALTER TABLE u RENAME COLUMN a TO b;"), "rename-column"));
  EXPECT_TRUE(has(rules("ALTER TABLE u RENAME TO people;"), "rename-table"));
  EXPECT_TRUE(has(rules("ALTER TABLE u DROP COLUMN a;"), "drop-column"));
  EXPECT_TRUE(has(rules("DROP TABLE IF EXISTS u;"), "drop-table"));
}

TEST(Lint, LockTimeoutSetEarlierSatisfiesTheRule) {
  EXPECT_FALSE(has(rules("SET lock_timeout = '5s';\nALTER TABLE u ADD COLUMN a text;"),
                   "missing-lock-timeout"));
  EXPECT_TRUE(has(rules("ALTER TABLE u ADD COLUMN a text;"), "missing-lock-timeout"));
}

TEST(Lint, FlagsTypeChoices) {
  const auto found = rules(
      "CREATE TABLE t (id serial PRIMARY KEY, at timestamp, code char(2), ok "
      "timestamp with time zone, name character varying(5));");
  EXPECT_TRUE(has(found, "int-primary-key"));
  EXPECT_TRUE(has(found, "timestamp-without-time-zone"));
  EXPECT_TRUE(has(found, "char-n"));
  EXPECT_EQ(std::count(found.begin(), found.end(), "timestamp-without-time-zone"), 1);
  EXPECT_EQ(std::count(found.begin(), found.end(), "char-n"), 1);
  EXPECT_TRUE(has(rules("CREATE TABLE t (id integer, PRIMARY KEY (id));"), "int-primary-key"));
  EXPECT_FALSE(has(rules("CREATE TABLE t (id bigint, PRIMARY KEY (id));"), "int-primary-key"));
}

TEST(Lint, IgnoreDirectiveNeedsARuleAndAReason) {
  EXPECT_TRUE(
      rules(
          "SET lock_timeout = '1s';\n-- agentdb:lint-ignore drop-column nobody reads it since v2\n"
          "ALTER TABLE u DROP COLUMN legacy;")
          .empty());
  const auto found = rules(
      "SET lock_timeout = '1s';\n-- agentdb:lint-ignore drop-column\nALTER TABLE u DROP COLUMN "
      "legacy;");
  EXPECT_TRUE(has(found, "lint-ignore-without-reason"));
  EXPECT_TRUE(has(found, "drop-column"));
}

TEST(Lint, ReportsTheLineOfTheStatement) {
  const auto findings =
      lint_sql("SET lock_timeout = '1s';\n\n\nALTER TABLE u\n  ALTER COLUMN e SET NOT NULL;",
               "f.sql", TransactionMode::per_revision);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].line, 5);
  EXPECT_EQ(findings[0].subject, "u.e");
}

TEST(Lint, FlagsTransactionControlInsideARevision) {
  EXPECT_TRUE(has(rules("BEGIN;\nCREATE TABLE t (id bigint);\nCOMMIT;"), "transaction-control"));
  EXPECT_TRUE(has(rules("START TRANSACTION;"), "transaction-control"));
  EXPECT_FALSE(
      has(rules("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;"),
          "transaction-control"));
}

TEST(Lint, UnterminatedQuoteIsAParseError) {
  EXPECT_TRUE(has(rules("SELECT 'oops"), "parse-error"));
}

TEST(Lint, EveryRuleHasAnIdProblemAndAlternative) {
  for (const auto& rule : lint_rules()) {
    EXPECT_FALSE(rule.id.empty());
    EXPECT_FALSE(rule.problem.empty()) << rule.id;
    EXPECT_FALSE(rule.instead.empty()) << rule.id;
  }
}

}  // namespace agentdb::migrate
