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

// The JSON document of a run that may fail: --json keeps stdout one document either way.
nlohmann::json json_of(const CommandResult& result) {
  EXPECT_FALSE(result.out.empty()) << result.err;
  return nlohmann::json::parse(result.out);
}

TEST_F(MigrateTest, RoundtripReportsEveryFailingRevisionNotOnlyTheFirst) {
  table_revision(1, "a");
  revision(2, "index_a", "CREATE INDEX a_id ON a (id);", "SELECT 1;  -- leaves the index");
  revision(3, "comment_a", "COMMENT ON TABLE a IS 'users';", "SELECT 1;  -- leaves the comment");
  table_revision(4, "c");
  revision(5, "defaults",
           "ALTER TABLE a ADD COLUMN flag boolean;\n"
           "ALTER TABLE c ALTER COLUMN id SET DEFAULT 0;",
           "ALTER TABLE a DROP COLUMN flag;  -- leaves the default");
  const auto result = migrate({"verify", "--roundtrip", "--json"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("roundtrip failed: 2 of 5 revisions fail; first: the down of revision "
                            "2 index_a does not undo its up (INDEX public.a_id: +CREATE INDEX"),
            std::string::npos)
      << result.err;
  const auto json = json_of(result)["roundtrip"];
  EXPECT_EQ(json["ok"], false);
  EXPECT_EQ(json["revisions"], 5);
  EXPECT_EQ(json["whole_set_checked"], false);
  ASSERT_EQ(json["failures"].size(), 3u) << json.dump(2);
  const auto& index = json["failures"][0];
  EXPECT_EQ(index["version"], "2");
  EXPECT_EQ(index["name"], "index_a");
  EXPECT_EQ(index["stage"], "down-differs");
  EXPECT_EQ(index["fails"], true);
  ASSERT_EQ(index["objects"].size(), 1u);
  EXPECT_EQ(index["objects"][0]["type"], "INDEX");
  EXPECT_EQ(index["objects"][0]["schema"], "public");
  EXPECT_EQ(index["objects"][0]["name"], "a_id");
  EXPECT_EQ(index["objects"][0]["change"], "added");
  EXPECT_EQ(index["objects"][0]["class"], "real");
  EXPECT_EQ(index["objects"][0]["diff"],
            "--- before\n+++ after\n@@ -0,0 +1 @@\n+CREATE INDEX a_id ON public.a USING btree "
            "(id);\n");
  const auto& comment = json["failures"][1];
  EXPECT_EQ(comment["version"], "3");
  EXPECT_EQ(comment["fails"], false);
  EXPECT_EQ(comment["objects"][0]["type"], "COMMENT");
  EXPECT_EQ(comment["objects"][0]["name"], "TABLE a");
  EXPECT_EQ(comment["objects"][0]["class"], "comment");
  const auto& defaults = json["failures"][2];
  EXPECT_EQ(defaults["version"], "5");
  EXPECT_EQ(defaults["objects"][0]["type"], "TABLE");
  EXPECT_EQ(defaults["objects"][0]["name"], "c");
  EXPECT_EQ(defaults["objects"][0]["class"], "real");
  EXPECT_NE(defaults["objects"][0]["diff"].get<std::string>().find(
                "\n-    id bigint NOT NULL\n+    id bigint DEFAULT 0 NOT NULL\n"),
            std::string::npos)
      << defaults["objects"][0]["diff"];
  // Every scratch database, the fresh ones too, is gone.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_database WHERE datname LIKE '" +
                      json["scratch_database"].get<std::string>() + "%'"),
            "0");
}

TEST_F(MigrateTest, RoundtripColumnOrderIsReportedAndFailsOnlyWithStrict) {
  revision(1, "create_a", "CREATE TABLE a (id bigint PRIMARY KEY, note text, n int);",
           "DROP TABLE a;");
  revision(2, "drop_note", "ALTER TABLE a DROP COLUMN note;",
           "ALTER TABLE a ADD COLUMN note text;");
  table_revision(3, "c");
  const auto lenient = migrate({"verify", "--roundtrip"});
  EXPECT_EQ(lenient.exit_code, 0) << lenient.err;
  EXPECT_NE(lenient.out.find("WARN  down-differs: the down of revision 2 drop_note does not undo "
                             "its up (1 column-order)\nTABLE public.a: column-order, changed\n"
                             "--- before\n+++ after\n"),
            std::string::npos)
      << lenient.out;
  EXPECT_NE(lenient.out.find(
                "     id bigint NOT NULL,\n-    note text,\n-    n integer\n+    n integer,\n"
                "+    note text\n );\n"),
            std::string::npos)
      << lenient.out;
  EXPECT_NE(lenient.out.find("roundtrip: 3 revisions applied, reverted and re-applied; 1 check(s)"),
            std::string::npos)
      << lenient.out;
  const auto json = migrate_json({"verify", "--roundtrip"})["roundtrip"];
  EXPECT_EQ(json["ok"], true);
  EXPECT_EQ(json["whole_set_checked"], true);
  ASSERT_EQ(json["failures"].size(), 1u);
  EXPECT_EQ(json["failures"][0]["objects"][0]["class"], "column-order");
  const auto strict = migrate({"verify", "--roundtrip", "--strict"});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("1 of 3 revisions fail; first: the down of revision 2 drop_note"),
            std::string::npos)
      << strict.err;
  EXPECT_NE(strict.err.find("without --strict"), std::string::npos) << strict.err;
}

TEST_F(MigrateTest, RoundtripEnumValueTheDownCannotRemoveIsEnumValues) {
  revision(1, "create_mood", "CREATE TYPE mood AS ENUM ('sad', 'happy');", "DROP TYPE mood;");
  revision(2, "add_ok", "ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';",
           "-- PostgreSQL cannot drop an enum value.\nSELECT 1;");
  const auto json = migrate_json({"verify", "--roundtrip"})["roundtrip"];
  EXPECT_EQ(json["ok"], true);
  ASSERT_EQ(json["failures"].size(), 1u) << json.dump(2);
  const auto& object = json["failures"][0]["objects"][0];
  EXPECT_EQ(object["type"], "TYPE");
  EXPECT_EQ(object["name"], "mood");
  EXPECT_EQ(object["class"], "enum-values");
  EXPECT_NE(object["diff"].get<std::string>().find("\n     'sad',\n+    'ok',\n     'happy'\n"),
            std::string::npos)
      << object["diff"];
  EXPECT_EQ(migrate({"verify", "--roundtrip", "--strict"}).exit_code, 1);
}

TEST_F(MigrateTest, RoundtripDownThatFailsIsReportedAndLaterRevisionsAreStillChecked) {
  table_revision(1, "a");
  revision(2, "create_b", "CREATE TABLE b (id int);", "DROP TABLE no_such_table;");
  revision(3, "add_note", "ALTER TABLE a ADD COLUMN note text;", "SELECT 1;  -- forgot the drop");
  const auto text = migrate({"verify", "--roundtrip"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.err.find("2 of 3 revisions fail; first: revision 2 create_b (down) failed: "),
            std::string::npos)
      << text.err;
  EXPECT_NE(text.out.find("FAIL  down-failed: revision 2 create_b (down) failed: "),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("2_create_b.down.sql"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("no_such_table"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("FAIL  down-differs: the down of revision 3 add_note does not undo its "
                          "up (1 real)\nTABLE public.a: real, changed\n--- before\n+++ after\n"
                          "@@ -1,5 +1,6 @@\n CREATE TABLE public.a (\n-    id bigint NOT NULL\n"
                          "+    id bigint NOT NULL,\n+    note text\n );\n"),
            std::string::npos)
      << text.out;
  const auto json = json_of(migrate({"verify", "--roundtrip", "--json"}));
  const auto& failures = json["roundtrip"]["failures"];
  ASSERT_EQ(failures.size(), 2u) << json.dump(2);
  EXPECT_EQ(failures[0]["stage"], "down-failed");
  EXPECT_NE(failures[0]["error"].get<std::string>().find("no_such_table"), std::string::npos);
  EXPECT_TRUE(failures[0]["objects"].empty());
  EXPECT_EQ(failures[1]["stage"], "down-differs");
  EXPECT_EQ(failures[1]["version"], "3");
  EXPECT_TRUE(failures[1]["error"].is_null());
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
