// migrate status / history / verify / lint / new against a real server.
#include <filesystem>

#include "migrate_fixture.hpp"

namespace agentdb::testing {

TEST_F(MigrateTest, StatusShowsEveryStateAndCheckFailsUntilClean) {
  table_revision(1, "a");
  table_revision(3, "c");
  table_revision(4, "d");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  table_revision(2, "b");  // out-of-order
  revision(3, "create_c", "CREATE TABLE c (id bigint PRIMARY KEY, x int);",
           "DROP TABLE c;");                                  // modified
  std::filesystem::remove(dir.path() / "4_create_d.up.sql");  // missing
  std::filesystem::remove(dir.path() / "4_create_d.down.sql");
  table_revision(5, "e");  // pending
  const auto json = migrate_json({"status"});
  EXPECT_EQ(json["current"], "4");
  std::map<std::string, std::string> states;
  for (const auto& m : json["migrations"])
    states[m["version"]] = m["state"];
  EXPECT_EQ(states["1"], "applied");
  EXPECT_EQ(states["2"], "out-of-order");
  EXPECT_EQ(states["3"], "modified");
  EXPECT_EQ(states["4"], "missing");
  EXPECT_EQ(states["5"], "pending");
  EXPECT_TRUE(json["migrations"][4]["applied_at"].is_null());
  EXPECT_EQ(migrate({"status", "--check"}).exit_code, 4);
  const auto text = migrate({"status"});
  EXPECT_NE(text.out.find("1 pending; 1 out-of-order; 1 modified; 1 missing"), std::string::npos)
      << text.out;
}

TEST_F(MigrateTest, StatusCheckPassesWhenEverythingIsApplied) {
  table_revision(1, "a");
  EXPECT_EQ(migrate({"status", "--check"}).exit_code, 4);
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  EXPECT_EQ(migrate({"status", "--check"}).exit_code, 0);
}

TEST_F(MigrateTest, HistoryShowsUpsAndDownsWithWhoAndHowLong) {
  table_revision(1, "a");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  ASSERT_EQ(migrate({"down"}).exit_code, 0);
  const auto json = migrate_json({"history"});
  ASSERT_EQ(json["history"].size(), 2u);
  EXPECT_EQ(json["history"][0]["action"], "up");
  EXPECT_EQ(json["history"][1]["action"], "down");
  EXPECT_NE(json["history"][0]["by"].get<std::string>().find('@'), std::string::npos);
  EXPECT_TRUE(json["history"][0]["duration_ms"].is_number());
}

TEST_F(MigrateTest, VerifyDetectsDriftWithExitFour) {
  table_revision(1, "a");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  EXPECT_EQ(migrate({"verify"}).exit_code, 0);
  revision(1, "create_a", "CREATE TABLE a (id bigint PRIMARY KEY); -- edited", "DROP TABLE a;");
  const auto drift = migrate({"verify"});
  EXPECT_EQ(drift.exit_code, 4);
  EXPECT_NE(drift.out.find("modified  1 create_a"), std::string::npos) << drift.out;
  EXPECT_EQ(migrate({"up"}).exit_code, 4);
  ASSERT_EQ(migrate({"repair", "1"}).exit_code, 0);
  EXPECT_EQ(migrate({"verify"}).exit_code, 0);
}

TEST_F(MigrateTest, RoundtripPassesForRevisionsThatUndoThemselves) {
  table_revision(1, "a");
  revision(2, "index_a", "-- agentdb:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);",
           "DROP INDEX a_id;");
  table_revision(3, "c");
  const auto json = migrate_json({"verify", "--roundtrip"});
  EXPECT_EQ(json["roundtrip"]["ok"], true);
  EXPECT_EQ(json["roundtrip"]["revisions"], 3);
  // The scratch database is gone afterwards.
  const auto scratch = json["roundtrip"]["scratch_database"].get<std::string>();
  EXPECT_TRUE(scratch.starts_with("agentdb_verify_"));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_database WHERE datname = '" + scratch + "'"), "0");
}

TEST_F(MigrateTest, RoundtripNamesTheFirstRevisionWhoseDownDoesNotUndoItsUp) {
  table_revision(1, "a");
  revision(2, "add_column", "ALTER TABLE a ADD COLUMN note text;", "SELECT 1;  -- forgot the drop");
  table_revision(3, "c");
  const auto result = migrate({"verify", "--roundtrip"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("revision 2 add_column does not undo its up"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("note text"), std::string::npos) << result.err;
}

TEST_F(MigrateTest, LintReportsFindingsAsJsonAndFailsOnErrors) {
  revision(1, "risky", "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", "");
  const auto result = migrate({"lint", "--all", "--json"});
  EXPECT_EQ(result.exit_code, 1);
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["errors"], 1);
  EXPECT_EQ(json["findings"][0]["rule"], "set-not-null");
  EXPECT_EQ(json["findings"][0]["line"], 1);
  EXPECT_NE(json["findings"][0]["file"].get<std::string>().find("1_risky.up.sql"),
            std::string::npos);
}

TEST_F(MigrateTest, LintWithoutFilesChecksOnlyPendingRevisions) {
  revision(1, "risky", "CREATE TABLE t (id bigint PRIMARY KEY);\nCREATE INDEX t_id ON t (id);",
           "DROP TABLE t;");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  revision(2, "more", "SET lock_timeout = '2s';\nCREATE INDEX t_id2 ON t (id);",
           "DROP INDEX t_id2;");
  const auto json = nlohmann::json::parse(migrate({"lint", "--json"}).out);
  EXPECT_EQ(json["files"], 1);
  EXPECT_EQ(json["findings"][0]["rule"], "index-without-concurrently");
}

TEST_F(MigrateTest, NewCreatesBothFilesThatLoadAndApply) {
  const auto result = migrate({"new", "add_things"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto second = migrate({"new", "add_things"});  // the same second: versions still differ
  ASSERT_EQ(second.exit_code, 0) << second.err;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    files += entry.is_regular_file();
  EXPECT_EQ(files, 4);
  EXPECT_EQ(migrate({"up"}).exit_code, 0);
  EXPECT_EQ(migrate({"new", "Bad-Name"}).exit_code, 2);
}

}  // namespace agentdb::testing
