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

std::vector<std::string> rules(std::string_view sql, SchemaModel& model,
                               TransactionMode mode = TransactionMode::per_revision) {
  std::vector<std::string> out;
  for (const auto& finding : lint_sql(sql, "f.sql", mode, model))
    out.emplace_back(finding.rule->id);
  return out;
}

bool has(const std::vector<std::string>& found, std::string_view id) {
  return std::find(found.begin(), found.end(), id) != found.end();
}

// Whether ALTER COLUMN ... TYPE `to` on a column declared `from` by an earlier revision is
// reported as a rewrite.
bool type_change_is_a_rewrite(const std::string& from, const std::string& to) {
  SchemaModel model;
  model.learn("CREATE TABLE t (c " + from + ");");
  return has(
      rules("SET lock_timeout = '5s';\nALTER TABLE t ALTER COLUMN c TYPE " + to + ";", model),
      "alter-column-type");
}

const std::string k64 = std::string(64, 'a');
const std::string k63 = std::string(63, 'a');

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

// For every rule: a file that triggers it and a similar one that does not.
struct RuleExample {
  std::string_view rule;
  std::string positive;
  std::string negative;
  TransactionMode mode = TransactionMode::per_revision;
};

const std::vector<RuleExample>& rule_examples() {
  static const std::vector<RuleExample> examples = {
      {"index-without-concurrently", "CREATE INDEX i ON users (email);",
       "CREATE TABLE t (a text); CREATE INDEX i ON t (a);"},
      {"concurrently-in-transaction", "CREATE INDEX CONCURRENTLY i ON users (email);",
       "SET lock_timeout = '5s'; CREATE INDEX i ON users (email);"},
      {"transaction-control", "COMMIT;",
       "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;"},
      {"foreign-key-without-not-valid",
       "ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id);",
       "ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID;"},
      {"check-without-not-valid", "ALTER TABLE o ADD CONSTRAINT c CHECK (total >= 0);",
       "ALTER TABLE o ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;"},
      {"set-not-null", "ALTER TABLE u ALTER COLUMN e SET NOT NULL;",
       "ALTER TABLE u ALTER COLUMN e DROP NOT NULL;"},
      {"alter-column-type", "ALTER TABLE u ALTER COLUMN e TYPE bigint;",
       "CREATE TABLE u (e int); ALTER TABLE u ALTER COLUMN e TYPE bigint;"},
      {"unique-without-using-index", "ALTER TABLE u ADD CONSTRAINT u_e UNIQUE (e);",
       "ALTER TABLE u ADD CONSTRAINT u_e UNIQUE USING INDEX u_e_idx;"},
      {"drop-index-without-concurrently", "DROP INDEX users_email;",
       "DROP INDEX CONCURRENTLY users_email;", TransactionMode::none},
      {"add-column-with-foreign-key",
       "ALTER TABLE o ADD COLUMN user_id bigint REFERENCES users (id);",
       "ALTER TABLE o ADD COLUMN user_id bigint;"},
      {"volatile-default", "ALTER TABLE u ADD COLUMN t uuid DEFAULT gen_random_uuid();",
       "ALTER TABLE u ADD COLUMN at timestamptz DEFAULT now();"},
      {"stored-generated-column",
       "ALTER TABLE u ADD COLUMN l text GENERATED ALWAYS AS (lower(e)) STORED;",
       "ALTER TABLE u ADD COLUMN l text GENERATED ALWAYS AS (lower(e)) VIRTUAL;"},
      {"not-null-without-default", "ALTER TABLE u ADD COLUMN s text NOT NULL;",
       "ALTER TABLE u ADD COLUMN s text NOT NULL DEFAULT 'new';"},
      {"rename-column", "ALTER TABLE u RENAME COLUMN a TO b;",
       "ALTER TABLE u RENAME CONSTRAINT a TO b;"},
      {"rename-table", "ALTER TABLE u RENAME TO people;",
       "CREATE TABLE u (a text); ALTER TABLE u RENAME TO people;"},
      {"drop-column", "ALTER TABLE u DROP COLUMN a;", "ALTER TABLE u DROP CONSTRAINT a;"},
      {"drop-table", "DROP TABLE u;", "CREATE TABLE u (a text); DROP TABLE u;"},
      {"missing-lock-timeout", "ALTER TABLE u ADD COLUMN a text;",
       "SET lock_timeout = '5s'; ALTER TABLE u ADD COLUMN a text;"},
      {"timestamp-without-time-zone", "CREATE TABLE t (at timestamp);",
       "CREATE TABLE t (at timestamptz);"},
      {"char-n", "CREATE TABLE t (code char(2));", "CREATE TABLE t (code varchar(2));"},
      {"int-primary-key", "CREATE TABLE t (id integer PRIMARY KEY);",
       "CREATE TABLE t (id bigint PRIMARY KEY);"},
      {"identifier-too-long", "CREATE TABLE t (" + k64 + " text);",
       "CREATE TABLE t (" + k63 + " text);"},
      {"lint-ignore-without-reason",
       "SET lock_timeout = '5s';\n-- agentdb:lint-ignore drop-column\nALTER TABLE u DROP a;",
       "SET lock_timeout = '5s';\n-- agentdb:lint-ignore drop-column unused since v2\n"
       "ALTER TABLE u DROP a;"},
      {"parse-error", "SELECT 'oops", "SELECT 'fine';"},
  };
  return examples;
}

TEST(Lint, EveryRuleHasAFiringAndANonFiringExample) {
  for (const auto& rule : lint_rules()) {
    const auto example = std::find_if(rule_examples().begin(), rule_examples().end(),
                                      [&](const RuleExample& e) { return e.rule == rule.id; });
    ASSERT_NE(example, rule_examples().end()) << "no example for " << rule.id;
    EXPECT_TRUE(has(rules(example->positive, example->mode), rule.id))
        << rule.id << " not reported for: " << example->positive;
    EXPECT_FALSE(has(rules(example->negative, example->mode), rule.id))
        << rule.id << " reported for: " << example->negative;
  }
}

TEST(Lint, VarcharToTextIsNotARewrite) {
  SchemaModel model;
  model.learn("CREATE TABLE users (id bigint, email varchar(100));");
  const auto found =
      rules("SET lock_timeout = '5s';\nALTER TABLE users ALTER COLUMN email TYPE text;", model);
  EXPECT_TRUE(found.empty());
  // Still DDL on an existing table: the brief ACCESS EXCLUSIVE lock needs a timeout.
  SchemaModel again;
  again.learn("CREATE TABLE users (id bigint, email varchar(100));");
  EXPECT_EQ(rules("ALTER TABLE users ALTER COLUMN email TYPE text;", again),
            std::vector<std::string>{"missing-lock-timeout"});
}

TEST(Lint, TypeChangesPostgresDoesWithoutARewriteAreNotFlagged) {
  EXPECT_FALSE(type_change_is_a_rewrite("varchar(10)", "text"));
  EXPECT_FALSE(type_change_is_a_rewrite("character varying(10)", "text"));
  EXPECT_FALSE(type_change_is_a_rewrite("varchar(10)", "varchar"));
  EXPECT_FALSE(type_change_is_a_rewrite("varchar(10)", "varchar(10)"));
  EXPECT_FALSE(type_change_is_a_rewrite("varchar(10)", "character varying(20)"));
  EXPECT_FALSE(type_change_is_a_rewrite("text", "varchar"));
  EXPECT_FALSE(type_change_is_a_rewrite("varchar", "text"));
  EXPECT_FALSE(type_change_is_a_rewrite("text", "pg_catalog.text"));
  EXPECT_FALSE(type_change_is_a_rewrite("numeric(10,2)", "numeric(12,2)"));
  EXPECT_FALSE(type_change_is_a_rewrite("numeric(10, 2)", "numeric"));
  EXPECT_FALSE(type_change_is_a_rewrite("decimal(5)", "numeric(6,0)"));
  EXPECT_FALSE(type_change_is_a_rewrite("varbit(4)", "bit varying(8)"));
  EXPECT_FALSE(type_change_is_a_rewrite("bit varying(4)", "varbit"));
  EXPECT_FALSE(type_change_is_a_rewrite("cidr", "inet"));
  EXPECT_FALSE(type_change_is_a_rewrite("timestamptz(3)", "timestamp with time zone"));
}

TEST(Lint, TypeChangesThatRewriteOrScanAreFlagged) {
  EXPECT_TRUE(type_change_is_a_rewrite("varchar(20)", "varchar(10)"));
  EXPECT_TRUE(type_change_is_a_rewrite("text", "varchar(10)"));
  EXPECT_TRUE(type_change_is_a_rewrite("varchar", "varchar(10)"));
  EXPECT_TRUE(type_change_is_a_rewrite("numeric(10,2)", "numeric(12,3)"));
  EXPECT_TRUE(type_change_is_a_rewrite("numeric(10,2)", "numeric(8,2)"));
  EXPECT_TRUE(type_change_is_a_rewrite("numeric", "numeric(10,2)"));
  EXPECT_TRUE(type_change_is_a_rewrite("varbit(8)", "varbit(4)"));
  EXPECT_TRUE(type_change_is_a_rewrite("inet", "cidr"));
  EXPECT_TRUE(type_change_is_a_rewrite("char(5)", "text"));
  EXPECT_TRUE(type_change_is_a_rewrite("bpchar", "text"));
  EXPECT_TRUE(type_change_is_a_rewrite("integer", "bigint"));
  EXPECT_TRUE(type_change_is_a_rewrite("timestamp", "timestamptz"));
  EXPECT_TRUE(type_change_is_a_rewrite("varchar(10)[]", "text[]"));
  EXPECT_TRUE(type_change_is_a_rewrite("text", "my_domain"));
}

TEST(Lint, TypeChangeOfAColumnOfUnknownTypeIsStillARewrite) {
  SchemaModel model;
  model.learn("CREATE TABLE users (id bigint);");
  EXPECT_TRUE(
      has(rules("ALTER TABLE users ALTER COLUMN email TYPE text;", model), "alter-column-type"));
  EXPECT_TRUE(has(rules("ALTER TABLE other ALTER COLUMN email TYPE text;"), "alter-column-type"));
}

TEST(Lint, TypeChangeWithUsingOrCollateIsARewriteEvenWhenCoercible) {
  SchemaModel model;
  model.learn("CREATE TABLE t (c varchar(10));");
  EXPECT_TRUE(has(rules("ALTER TABLE t ALTER COLUMN c TYPE text USING lower(c);", model),
                  "alter-column-type"));
  EXPECT_TRUE(has(rules("ALTER TABLE t ALTER COLUMN c TYPE text COLLATE \"C\";", model),
                  "alter-column-type"));
}

TEST(Lint, ModelFollowsColumnChangesAcrossRevisions) {
  SchemaModel model;
  model.learn(
      "CREATE TABLE t (a varchar(10), b integer, \"Mixed\" text, c numeric(10,2) "
      "DEFAULT 0 NOT NULL);");
  EXPECT_TRUE(model.has_table("t"));
  EXPECT_EQ(model.column_type("t", "a"), "varchar(10)");
  EXPECT_EQ(model.column_type("t", "b"), "int4");
  EXPECT_EQ(model.column_type("t", "Mixed"), "text");
  EXPECT_EQ(model.column_type("t", "c"), "numeric(10,2)");
  model.learn(
      "ALTER TABLE t ALTER COLUMN a TYPE varchar(20), ADD COLUMN d timestamp(3) with "
      "time zone, DROP COLUMN b;");
  EXPECT_EQ(model.column_type("t", "a"), "varchar(20)");
  EXPECT_EQ(model.column_type("t", "d"), "timestamptz(3)");
  EXPECT_EQ(model.column_type("t", "b"), std::nullopt);
  model.learn("ALTER TABLE t RENAME COLUMN a TO e; ALTER TABLE t ALTER e SET DATA TYPE text;");
  EXPECT_EQ(model.column_type("t", "a"), std::nullopt);
  EXPECT_EQ(model.column_type("t", "e"), "text");
  model.learn("ALTER TABLE t RENAME TO u;");
  EXPECT_FALSE(model.has_table("t"));
  EXPECT_EQ(model.column_type("u", "e"), "text");
  model.learn("DROP TABLE u;");
  EXPECT_FALSE(model.has_table("u"));
}

TEST(Lint, ModelNormalisesTypeAliases) {
  SchemaModel model;
  model.learn(
      "CREATE TABLE t (a character varying(5), b int[], c char, d double precision, "
      "e pg_catalog.int8, f decimal(7, 2), g bigserial, h timestamp without time zone, "
      "i integer ARRAY);");
  EXPECT_EQ(model.column_type("t", "a"), "varchar(5)");
  EXPECT_EQ(model.column_type("t", "b"), "int4[]");
  EXPECT_EQ(model.column_type("t", "c"), "bpchar(1)");
  EXPECT_EQ(model.column_type("t", "d"), "float8");
  EXPECT_EQ(model.column_type("t", "e"), "int8");
  EXPECT_EQ(model.column_type("t", "f"), "numeric(7,2)");
  EXPECT_EQ(model.column_type("t", "g"), "int8");
  EXPECT_EQ(model.column_type("t", "h"), "timestamp");
  EXPECT_EQ(model.column_type("t", "i"), "int4[]");
}

TEST(Lint, LintingWithAModelAlsoLearnsTheFile) {
  SchemaModel model;
  EXPECT_TRUE(rules("CREATE TABLE t (a varchar(10)); CREATE INDEX t_a ON t (a);", model).empty());
  EXPECT_TRUE(model.has_table("t"));
  // In the next revision t exists: rules about existing tables apply.
  EXPECT_TRUE(has(rules("CREATE INDEX t_a2 ON t (a);", model), "index-without-concurrently"));
  EXPECT_FALSE(has(rules("SET lock_timeout = '1s'; ALTER TABLE t ALTER a TYPE text;", model),
                   "alter-column-type"));
  EXPECT_EQ(model.column_type("t", "a"), "text");
}

TEST(Lint, TypeChangesEarlierInTheSameFileAreKnown) {
  SchemaModel model;
  model.learn("CREATE TABLE t (a varchar(10));");
  const auto found = rules(
      "SET lock_timeout = '1s';\nALTER TABLE t ALTER a TYPE varchar(20);\n"
      "ALTER TABLE t ALTER a TYPE varchar(15);",
      model);
  EXPECT_EQ(std::count(found.begin(), found.end(), "alter-column-type"), 1);
}

TEST(Lint, CreateTableIfNotExistsOfAKnownTableLeavesItExisting) {
  SchemaModel model;
  model.learn("CREATE TABLE t (a text);");
  EXPECT_TRUE(has(rules("CREATE TABLE IF NOT EXISTS t (a text); CREATE INDEX i ON t (a);", model),
                  "index-without-concurrently"));
}

TEST(Lint, TypeRulesLookOnlyAtTheColumnType) {
  EXPECT_FALSE(has(rules("SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN at TYPE "
                         "timestamptz USING at::timestamp AT TIME ZONE 'UTC';"),
                   "timestamp-without-time-zone"));
  EXPECT_TRUE(rules("CREATE TABLE t (at timestamptz DEFAULT '2020-01-01'::timestamp, code text "
                    "CHECK (code <> 'x'::char(1)));")
                  .empty());
  EXPECT_TRUE(has(rules("SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN at SET DATA TYPE "
                        "timestamp(3) USING at::timestamp;"),
                  "timestamp-without-time-zone"));
  EXPECT_TRUE(has(rules("SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN code character(2) "
                        "DEFAULT 'ab';"),
                  "char-n"));
}

TEST(Lint, AddingUniqueOrPrimaryKeyBuildsAnIndexUnderLock) {
  EXPECT_TRUE(has(rules("ALTER TABLE u ADD PRIMARY KEY (id);"), "unique-without-using-index"));
  EXPECT_TRUE(has(rules("ALTER TABLE u ADD UNIQUE (e) USING INDEX TABLESPACE fast;"),
                  "unique-without-using-index"));
  EXPECT_TRUE(
      has(rules("ALTER TABLE u ADD COLUMN code text UNIQUE;"), "unique-without-using-index"));
  EXPECT_FALSE(has(rules("ALTER TABLE u ADD CONSTRAINT u_pkey PRIMARY KEY USING INDEX u_id;"),
                   "unique-without-using-index"));
  EXPECT_FALSE(has(rules("CREATE TABLE u (id bigint); ALTER TABLE u ADD PRIMARY KEY (id);"),
                   "unique-without-using-index"));
}

TEST(Lint, DropIndexOnlyFlagsIndexesFromEarlierRevisions) {
  const auto found = rules("DROP INDEX IF EXISTS users_email, users_name CASCADE;");
  EXPECT_EQ(std::count(found.begin(), found.end(), "drop-index-without-concurrently"), 2);
  EXPECT_TRUE(has(found, "missing-lock-timeout"));
  EXPECT_TRUE(rules("CREATE TABLE t (a text); CREATE INDEX t_a ON t (a); DROP INDEX t_a;").empty());
  EXPECT_TRUE(has(rules("DROP INDEX CONCURRENTLY users_email;"), "concurrently-in-transaction"));
}

TEST(Lint, ForeignKeyAddedWithTheColumnIsFlagged) {
  EXPECT_TRUE(has(rules("SET lock_timeout = '1s';\nALTER TABLE o ADD user_id bigint NOT NULL "
                        "DEFAULT 0 CONSTRAINT fk REFERENCES users;"),
                  "add-column-with-foreign-key"));
  EXPECT_FALSE(
      has(rules("CREATE TABLE o (id bigint); ALTER TABLE o ADD u bigint REFERENCES users;"),
          "add-column-with-foreign-key"));
}

TEST(Lint, StoredGeneratedColumnRewritesAnExistingTable) {
  EXPECT_TRUE(has(rules("ALTER TABLE u ADD COLUMN l text GENERATED ALWAYS AS (lower(e)) STORED;"),
                  "stored-generated-column"));
  EXPECT_FALSE(has(rules("CREATE TABLE u (e text, l text GENERATED ALWAYS AS (lower(e)) STORED);"),
                   "stored-generated-column"));
  EXPECT_FALSE(has(rules("ALTER TABLE u ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;"),
                   "stored-generated-column"));
}

TEST(Lint, SerialAndIdentityColumnsAddedToAnExistingTableRewriteIt) {
  EXPECT_TRUE(has(rules("ALTER TABLE u ADD COLUMN n bigserial;"), "volatile-default"));
  EXPECT_TRUE(has(rules("ALTER TABLE u ADD COLUMN n bigint GENERATED BY DEFAULT AS IDENTITY;"),
                  "volatile-default"));
  EXPECT_FALSE(has(rules("CREATE TABLE u (n bigserial);"), "volatile-default"));
}

TEST(Lint, RequiredColumnWithoutDefaultFailsOnATableWithRows) {
  EXPECT_TRUE(has(rules("ALTER TABLE u ADD COLUMN s text NOT NULL CHECK (s <> '');"),
                  "not-null-without-default"));
  EXPECT_TRUE(
      has(rules("ALTER TABLE u ADD COLUMN k uuid PRIMARY KEY;"), "not-null-without-default"));
  EXPECT_FALSE(has(rules("ALTER TABLE u ADD COLUMN s text CHECK (s IS NOT NULL) NOT VALID;"),
                   "not-null-without-default"));
  EXPECT_FALSE(has(rules("ALTER TABLE u ADD COLUMN id bigint NOT NULL GENERATED ALWAYS AS "
                         "IDENTITY;"),
                   "not-null-without-default"));
  EXPECT_FALSE(has(rules("ALTER TABLE u ADD COLUMN l text NOT NULL GENERATED ALWAYS AS (lower(e)) "
                         "STORED;"),
                   "not-null-without-default"));
  EXPECT_FALSE(
      has(rules("ALTER TABLE u ADD COLUMN n serial NOT NULL;"), "not-null-without-default"));
  EXPECT_FALSE(has(rules("CREATE TABLE u (id bigint); ALTER TABLE u ADD s text NOT NULL;"),
                   "not-null-without-default"));
}

TEST(Lint, CreateTriggerOnAnExistingTableNeedsALockTimeout) {
  const auto trigger =
      "CREATE OR REPLACE TRIGGER audit AFTER UPDATE OF email, name ON users FOR EACH ROW "
      "EXECUTE FUNCTION audit();";
  EXPECT_EQ(rules(trigger), std::vector<std::string>{"missing-lock-timeout"});
  EXPECT_TRUE(rules(std::string("SET lock_timeout = '1s';\n") + trigger).empty());
  EXPECT_TRUE(
      rules("CREATE TABLE users (email text, name text);\n" + std::string(trigger)).empty());
  EXPECT_EQ(rules("DROP TRIGGER IF EXISTS audit ON users;"),
            std::vector<std::string>{"missing-lock-timeout"});
}

TEST(Lint, IdentifiersLongerThan63BytesAreFlaggedAnywhere) {
  EXPECT_TRUE(has(rules("CREATE INDEX CONCURRENTLY " + k64 + " ON t (a);", TransactionMode::none),
                  "identifier-too-long"));
  EXPECT_TRUE(has(rules("CREATE TABLE \"" + k64 + "\" (a text);"), "identifier-too-long"));
  // 62 ASCII bytes and one two-byte character: 64 bytes, 63 characters.
  EXPECT_TRUE(has(rules("CREATE TABLE t (" + std::string(62, 'a') + "\xc3\xa9 text);"),
                  "identifier-too-long"));
  const auto found = rules("CREATE TABLE t (" + k64 + " text, CHECK (" + k64 + " <> ''));");
  EXPECT_EQ(std::count(found.begin(), found.end(), "identifier-too-long"), 1);
  EXPECT_TRUE(rules("CREATE TABLE t (a text DEFAULT '" + k64 + "');").empty());
  EXPECT_TRUE(rules("CREATE TABLE \"" + std::string(31, 'a') + "\"\"" + std::string(31, 'a') +
                    "\" (a text);")
                  .empty());
}

TEST(Lint, EveryRuleHasAnIdProblemAndAlternative) {
  for (const auto& rule : lint_rules()) {
    EXPECT_FALSE(rule.id.empty());
    EXPECT_FALSE(rule.problem.empty()) << rule.id;
    EXPECT_FALSE(rule.instead.empty()) << rule.id;
  }
}

}  // namespace agentdb::migrate
