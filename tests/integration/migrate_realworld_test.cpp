// What a revision set written by others brings: zero-padded versions, drift before a revert, errors
// that must point at a statement, server notices, lint that concurrent runners must not repeat.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "migrate_fixture.hpp"

namespace agentdb::testing {

namespace {

std::string padded(int version) {
  char text[16];
  std::snprintf(text, sizeof text, "%06d", version);
  return text;
}

// golang-migrate's layout: 000001_t1.up.sql ... with zero-padded versions.
void write_padded_set(const TempDir& dir, int count) {
  for (int v = 1; v <= count; ++v) {
    const auto stem = padded(v) + "_t" + std::to_string(v);
    dir.write(stem + ".up.sql", "CREATE TABLE t" + std::to_string(v) + " (id bigint);\n");
    dir.write(stem + ".down.sql", "DROP TABLE t" + std::to_string(v) + ";\n");
  }
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

TEST_F(MigrateTest, ZeroPaddedVersionsAreDecimalInEveryOptionAndPositional) {
  write_padded_set(dir, 150);
  const auto current = [this] { return migrate_json({"status"})["current"]; };
  // strtoll(s, 0) would read 000100 as octal 64.
  ASSERT_EQ(migrate({"up", "--to", "000100"}).exit_code, 0);
  EXPECT_EQ(current(), "100");
  EXPECT_TRUE(table_exists("t100"));
  EXPECT_FALSE(table_exists("t101"));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM agentdb_schema_migrations"), "100");
  // The same version with or without leading zeros.
  const auto again = migrate({"up", "--to", "100"});
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
  ASSERT_EQ(migrate({"down", "--to", "000064"}).exit_code, 0);
  EXPECT_EQ(current(), "64");
  // Not a valid octal number at all: once "unknown command".
  const auto nine = migrate({"down", "--to", "000009"});
  ASSERT_EQ(nine.exit_code, 0) << nine.err;
  EXPECT_EQ(current(), "9");
  ASSERT_EQ(migrate({"down", "010"}).exit_code, 0) << "N is decimal too";
  EXPECT_EQ(db.scalar("SELECT count(*) FROM agentdb_schema_migrations"), "0");
  ASSERT_EQ(migrate({"up", "--to", "000012"}).exit_code, 0);
  EXPECT_EQ(migrate_json({"history", "--limit", "007"})["history"].size(), 7u);

  // repair acts on the revision typed: 000008 is not octal, 000010 is not 8.
  dir.write("000010_t10.up.sql", "CREATE TABLE t10 (id bigint); -- edited\n");
  const auto repaired = migrate_json({"repair", "000010"});
  EXPECT_EQ(repaired["version"], "10");
  EXPECT_EQ(repaired["was"], "modified");
  EXPECT_EQ(migrate_json({"repair", "000008"})["version"], "8");

  // baseline records exactly the revisions up to the version typed.
  ScratchDatabase fresh;
  const auto baseline = run_agentdb({"--database-url", fresh.url(), "--json", "migrate", "--dir",
                                     dir.path().string(), "baseline", "000010"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.err;
  EXPECT_EQ(fresh.scalar("SELECT max(version) || ':' || count(*) FROM agentdb_schema_migrations"),
            "10:10");
}

TEST_F(MigrateTest, NonDecimalVersionsAreUsageErrorsNamingTheOption) {
  write_padded_set(dir, 3);
  for (const auto& bad : {"0x10", "1e3", "12a", " 5", "", "+-1", "0b11"}) {
    const auto result = migrate({"up", "--to", bad});
    EXPECT_EQ(result.exit_code, 2) << bad << ": " << result.err;
    EXPECT_NE(result.err.find("--to: '" + std::string(bad) + "'"), std::string::npos)
        << bad << ": " << result.err;
    EXPECT_EQ(result.err.find("unknown command"), std::string::npos) << result.err;
    EXPECT_EQ(occurrences(result.err, "\n"), 1u) << result.err;
  }
  for (const auto& arguments :
       std::vector<std::vector<std::string>>{{"repair", "0x2"},
                                             {"baseline", "0x2"},
                                             {"down", "0x1"},
                                             {"history", "--limit", "0x1"}}) {
    const auto result = migrate(arguments);
    EXPECT_EQ(result.exit_code, 2) << arguments[0] << ": " << result.err;
    EXPECT_NE(result.err.find("'0x"), std::string::npos) << result.err;
  }
  EXPECT_FALSE(table_exists("t1"));
  EXPECT_FALSE(table_exists("agentdb_schema_migrations"));
}

TEST_F(MigrateTest, AModifiedRevisionBlocksDownRedoAndDownNBeforeChangingAnything) {
  table_revision(1, "a");
  table_revision(2, "b");
  table_revision(3, "c");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  revision(1, "create_a", "CREATE TABLE a (id bigint PRIMARY KEY, edited int);", "DROP TABLE a;");
  for (const auto& arguments : std::vector<std::vector<std::string>>{
           {"down"}, {"down", "2"}, {"redo"}, {"down", "--to", "0"}, {"down", "--to", "2"}}) {
    const auto result = migrate(arguments);
    EXPECT_EQ(result.exit_code, 4) << arguments[0] << ": " << result.err;
    EXPECT_NE(result.err.find("revision 1 create_a was changed on disk"), std::string::npos)
        << result.err;
  }
  EXPECT_TRUE(table_exists("a"));
  EXPECT_TRUE(table_exists("c"));
  EXPECT_EQ(recorded_versions(), "1:applied,2:applied,3:applied");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM agentdb_schema_migrations_log WHERE action = 'down'"),
            "0");
}

TEST_F(MigrateTest, AStatementThatCannotRunInATransactionIsNamedWithTheDirectiveThatFixesIt) {
  table_revision(1, "a");
  revision(2, "index_a",
           "SET lock_timeout = '5s';\n\nCREATE INDEX CONCURRENTLY a_id\n  ON a (id);\n",
           "DROP INDEX a_id;");
  const auto result = migrate({"up"});
  EXPECT_EQ(result.exit_code, 1);
  const auto last = result.err.substr(result.err.rfind("agentdb: "));
  EXPECT_NE(last.find("2_index_a.up.sql:3: CREATE INDEX CONCURRENTLY cannot run inside a "
                      "transaction block; statement: CREATE INDEX CONCURRENTLY a_id; hint: add the "
                      "line '-- agentdb:no-transaction'"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(occurrences(last, "\n"), 1u) << last;
  EXPECT_EQ(recorded_versions(), "1:applied");
}

TEST_F(MigrateTest, ErrorsWithoutAServerPositionNameTheFailingStatementsLine) {
  revision(1, "checks",
           "CREATE TABLE a (id bigint PRIMARY KEY);\nINSERT INTO a VALUES (1);\n\n"
           "ALTER TABLE a\n  ADD CONSTRAINT positive CHECK (nope > 0);\n",
           "DROP TABLE a;");
  const auto column = migrate({"up"});
  EXPECT_EQ(column.exit_code, 1);
  EXPECT_NE(column.err.find("1_checks.up.sql:4: column \"nope\" does not exist; statement: "
                            "ALTER TABLE a"),
            std::string::npos)
      << column.err;
  EXPECT_FALSE(table_exists("a"));

  // The server's detail comes along.
  revision(1, "checks",
           "CREATE TABLE a (id bigint PRIMARY KEY);\nINSERT INTO a VALUES (1);\n"
           "INSERT INTO a VALUES (2);\nINSERT INTO a VALUES (1);\n",
           "DROP TABLE a;");
  const auto duplicate = migrate({"up"});
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_NE(duplicate.err.find("1_checks.up.sql:4: duplicate key value violates unique constraint "
                               "\"a_pkey\" (Key (id)=(1) already exists.); statement: INSERT INTO "
                               "a VALUES (1)"),
            std::string::npos)
      << duplicate.err;
  EXPECT_FALSE(table_exists("a"));
  EXPECT_EQ(recorded_versions(), "");
}

TEST_F(MigrateTest, ErrorsWithAServerPositionNameTheStatementAndTheServersHint) {
  revision(1, "call", "CREATE TABLE a (id bigint);\n\nSELECT\n  no_such_function(1);\n",
           "DROP TABLE a;");
  const auto result = migrate({"up"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("1_call.up.sql:4: function no_such_function(integer) does not exist; "
                            "statement: SELECT; hint: No function matches"),
            std::string::npos)
      << result.err;
}

TEST_F(MigrateTest, ServerWarningsAreShownAlwaysAndNoticesWithVerbose) {
  revision(1, "talk",
           "DO $$ BEGIN RAISE WARNING 'careful: % rows', 3; RAISE NOTICE 'just so you know'; END "
           "$$;\nCREATE TABLE "
           "a_name_that_is_far_too_long_for_postgresql_which_keeps_only_sixty_three_bytes (id "
           "int);\n",
           "DROP TABLE a_name_that_is_far_too_long_for_postgresql_which_keeps_only_sixty_three_"
           "bytes;");
  const auto quiet = migrate({"up"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_NE(quiet.err.find("agentdb: warning: revision 1 talk: careful: 3 rows\n"),
            std::string::npos)
      << quiet.err;
  EXPECT_EQ(quiet.err.find("just so you know"), std::string::npos) << quiet.err;
  ASSERT_EQ(migrate({"down"}).exit_code, 0);
  const auto verbose = migrate({"up", "--verbose"});
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  EXPECT_NE(verbose.err.find("careful: 3 rows"), std::string::npos) << verbose.err;
  EXPECT_NE(verbose.err.find("notice: revision 1 talk: just so you know"), std::string::npos)
      << verbose.err;
  EXPECT_NE(verbose.err.find("revision 1 talk: identifier "
                             "\"a_name_that_is_far_too_long_for_postgresql_which_keeps_only_"
                             "sixty_three_bytes\" will be truncated"),
            std::string::npos)
      << verbose.err;
  EXPECT_EQ(occurrences(verbose.err, "just so you know"), 1u) << verbose.err;
}

TEST_F(MigrateTest, UpLintsOnlyWhatItAppliesOnceWithEachFindingsOwnSeverity) {
  table_revision(1, "a");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  revision(2, "index", "SET lock_timeout = '5s';\nCREATE INDEX a_idx ON a (id);\n",
           "DROP INDEX a_idx;");
  revision(3, "stamp", "ALTER TABLE a ADD COLUMN at timestamp;\n", "ALTER TABLE a DROP COLUMN at;");
  // Four runners at once: only the one that applies the revisions reports on them.
  std::vector<pid_t> runners;
  std::vector<std::filesystem::path> logs;
  for (int i = 0; i < 4; ++i) {
    logs.push_back(dir.path() / ("runner" + std::to_string(i) + ".err"));
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fd = ::open(logs.back().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int null_fd = ::open("/dev/null", O_WRONLY);
      ::dup2(null_fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      const auto binary = agentdb_binary();
      const auto url = db.url();
      const auto migrations = dir.path().string();
      ::execl(binary.c_str(), binary.c_str(), "--database-url", url.c_str(), "--no-color",
              "migrate", "--dir", migrations.c_str(), "up", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    runners.push_back(pid);
  }
  std::string all;
  for (std::size_t i = 0; i < runners.size(); ++i) {
    int status = 0;
    ::waitpid(runners[i], &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    all += read_all(logs[i]);
  }
  EXPECT_EQ(occurrences(all, "[index-without-concurrently]"), 1u) << all;
  EXPECT_EQ(occurrences(all, "[timestamp-without-time-zone]"), 1u) << all;
  EXPECT_NE(all.find("2_index.up.sql:2: error: CREATE INDEX"), std::string::npos) << all;
  EXPECT_NE(all.find("3_stamp.up.sql:1: warning: timestamp without time zone"), std::string::npos)
      << all;
  EXPECT_EQ(all.find("agentdb: warning: "), std::string::npos) << "no doubled prefix: " << all;
  EXPECT_EQ(all.find("1_create_a"), std::string::npos) << "revision 1 was not applied: " << all;
  const auto nothing = migrate({"up"});
  EXPECT_EQ(nothing.err, "");
  EXPECT_EQ(recorded_versions(), "1:applied,2:applied,3:applied");
}

TEST_F(MigrateTest, UpJsonCarriesTheLintOfWhatItApplied) {
  table_revision(1, "a");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  revision(2, "index", "SET lock_timeout = '5s';\nCREATE INDEX a_idx ON a (id);\n",
           "DROP INDEX a_idx;");
  const auto json = migrate_json({"up"});
  ASSERT_EQ(json["lint"].size(), 1u) << json.dump();
  EXPECT_EQ(json["lint"][0]["rule"], "index-without-concurrently");
  EXPECT_EQ(json["lint"][0]["severity"], "error");
  EXPECT_EQ(json["lint"][0]["line"], 2);
}

TEST_F(MigrateTest, LintJudgesATypeChangeByTheTypeAnEarlierRevisionGaveTheColumn) {
  revision(1, "users", "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(20), n int);",
           "DROP TABLE users;");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  revision(2, "widen",
           "SET lock_timeout = '5s';\nALTER TABLE users ALTER COLUMN name TYPE text;\n"
           "ALTER TABLE users ALTER COLUMN n TYPE text;\n",
           "ALTER TABLE users ALTER COLUMN name TYPE varchar(20);");
  const auto lint = migrate({"lint", "--json"});
  EXPECT_EQ(lint.exit_code, 1) << "alter-column-type is an error";
  const auto json = nlohmann::json::parse(lint.out);
  ASSERT_EQ(json["findings"].size(), 1u) << json.dump();
  EXPECT_EQ(json["findings"][0]["rule"], "alter-column-type");
  EXPECT_EQ(json["findings"][0]["line"], 3) << "int -> text rewrites; varchar(20) -> text does not";
  const auto up = migrate_json({"up"});
  ASSERT_EQ(up["lint"].size(), 1u) << up.dump();
  EXPECT_EQ(up["lint"][0]["line"], 3);
}

}  // namespace agentdb::testing
