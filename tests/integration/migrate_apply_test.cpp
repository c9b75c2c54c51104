// migrate up / down / redo against a real server.
#include "migrate_fixture.hpp"

namespace agentdb::testing {

TEST_F(MigrateTest, UpAppliesPendingRevisionsInOrderAndRecordsThem) {
  table_revision(2, "second");
  revision(1, "first", "CREATE TABLE first (id bigint PRIMARY KEY);", "DROP TABLE first;");
  const auto result = migrate({"up"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("applied   1 first"), std::string::npos) << result.out;
  EXPECT_LT(result.out.find("1 first"), result.out.find("2 create_second"));
  EXPECT_TRUE(table_exists("first"));
  EXPECT_TRUE(table_exists("second"));
  EXPECT_EQ(recorded_versions(), "1:applied,2:applied");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM agentdb_schema_migrations WHERE length(checksum) = 64 "
                      "AND applied_by LIKE '%@%'"),
            "2");
  const auto again = migrate({"up"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos);
}

TEST_F(MigrateTest, UpToVersionStopsThereAndJsonListsWhatRan) {
  table_revision(1, "a");
  table_revision(2, "b");
  table_revision(3, "c");
  const auto json = migrate_json({"up", "--to", "2"});
  ASSERT_EQ(json["applied"].size(), 2u);
  EXPECT_EQ(json["applied"][1]["version"], "2");
  EXPECT_EQ(json["current"], "2");
  EXPECT_FALSE(table_exists("c"));
}

TEST_F(MigrateTest, DryRunPrintsTheSqlAndTouchesNothing) {
  table_revision(1, "a");
  const auto result = migrate({"up", "--dry-run"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("CREATE TABLE a"), std::string::npos);
  EXPECT_FALSE(table_exists("a"));
  EXPECT_FALSE(table_exists("agentdb_schema_migrations"));
}

TEST_F(MigrateTest, AFailingRevisionLeavesTheDatabaseAsBeforeItAndNamesFileAndLine) {
  table_revision(1, "good");
  revision(2, "bad", "CREATE TABLE half (id bigint);\n\nINSERT INTO nowhere VALUES (1);\n",
           "DROP TABLE half;");
  table_revision(3, "later");
  const auto result = migrate({"up"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("2_bad.up.sql:3: relation \"nowhere\" does not exist"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_TRUE(table_exists("good"));
  EXPECT_FALSE(table_exists("half"));
  EXPECT_FALSE(table_exists("later"));
  EXPECT_EQ(recorded_versions(), "1:applied");
}

TEST_F(MigrateTest, DownRevertsTheLastRevisionOrDownToAVersion) {
  table_revision(1, "a");
  table_revision(2, "b");
  table_revision(3, "c");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  ASSERT_EQ(migrate({"down"}).exit_code, 0);
  EXPECT_FALSE(table_exists("c"));
  EXPECT_EQ(recorded_versions(), "1:applied,2:applied");
  const auto json = migrate_json({"down", "--to", "1"});
  EXPECT_EQ(json["reverted"].size(), 1u);
  EXPECT_EQ(json["current"], "1");
  EXPECT_TRUE(table_exists("a"));
  EXPECT_FALSE(table_exists("b"));
}

TEST_F(MigrateTest, DownRefusesAnIrreversibleRevisionAndChangesNothing) {
  table_revision(1, "a");
  revision(2, "seed", "-- agentdb:irreversible\nINSERT INTO a VALUES (1);", nullptr);
  table_revision(3, "c");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  const auto result = migrate({"down", "2"});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_NE(result.err.find("2 seed is irreversible"), std::string::npos) << result.err;
  EXPECT_TRUE(table_exists("c"));
  EXPECT_EQ(recorded_versions(), "1:applied,2:applied,3:applied");
}

TEST_F(MigrateTest, RedoRevertsAndReappliesTheLastRevision) {
  table_revision(1, "a");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  const auto result = migrate({"redo"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("reverted  1 create_a"), std::string::npos);
  EXPECT_NE(result.out.find("applied   1 create_a"), std::string::npos);
  EXPECT_TRUE(table_exists("a"));
}

TEST_F(MigrateTest, NoTransactionRevisionRunsConcurrentIndexBuilds) {
  table_revision(1, "a");
  revision(2, "index_a", "-- agentdb:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n",
           "-- agentdb:no-transaction\nDROP INDEX CONCURRENTLY a_id;\n");
  const auto up = migrate({"up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(table_exists("a_id"));
  ASSERT_EQ(migrate({"down"}).exit_code, 0);
  EXPECT_FALSE(table_exists("a_id"));
}

TEST_F(MigrateTest, AFailedNoTransactionRevisionBlocksUntilRepaired) {
  table_revision(1, "a");
  revision(2, "index_a",
           "-- agentdb:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n"
           "CREATE INDEX CONCURRENTLY a_x ON a (no_such_column);\n",
           "DROP INDEX IF EXISTS a_id;");
  const auto failed = migrate({"up"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("2_index_a.up.sql:3:"), std::string::npos) << failed.err;
  EXPECT_EQ(recorded_versions(), "1:applied,2:failed");

  const auto blocked = migrate({"up"});
  EXPECT_EQ(blocked.exit_code, 4);
  EXPECT_NE(blocked.err.find("migrate repair 2"), std::string::npos) << blocked.err;
  EXPECT_EQ(migrate({"status", "--check"}).exit_code, 4);

  // The DBA fixes the file and cleans up by hand, then repairs and re-runs.
  revision(2, "index_a",
           "-- agentdb:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a_id ON a (id);\n",
           "DROP INDEX IF EXISTS a_id;");
  const auto repaired = migrate({"repair", "2"});
  ASSERT_EQ(repaired.exit_code, 0) << repaired.err;
  EXPECT_EQ(recorded_versions(), "1:applied");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  EXPECT_EQ(recorded_versions(), "1:applied,2:applied");
}

TEST_F(MigrateTest, OutOfOrderRevisionsNeedExplicitPermission) {
  table_revision(1, "a");
  table_revision(3, "c");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  table_revision(2, "b");  // merged in from another branch
  const auto refused = migrate({"up"});
  EXPECT_EQ(refused.exit_code, 4);
  EXPECT_NE(refused.err.find("--allow-out-of-order"), std::string::npos);
  const auto allowed = migrate({"up", "--allow-out-of-order"});
  ASSERT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_TRUE(table_exists("b"));
}

TEST_F(MigrateTest, UpPrintsLintWarningsButStrictRefuses) {
  table_revision(1, "a");
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  revision(2, "index", "CREATE INDEX a_idx ON a (id);", "DROP INDEX a_idx;");
  const auto strict = migrate({"up", "--strict"});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("index-without-concurrently"), std::string::npos) << strict.err;
  EXPECT_FALSE(table_exists("a_idx"));
  const auto relaxed = migrate({"up"});
  EXPECT_EQ(relaxed.exit_code, 0);
  EXPECT_NE(relaxed.err.find("warning"), std::string::npos);
  EXPECT_TRUE(table_exists("a_idx"));
}

TEST_F(MigrateTest, BaselineRecordsWithoutRunningAndRefusesASecondTime) {
  table_revision(1, "a");
  table_revision(2, "b");
  table_revision(3, "c");
  const auto result = migrate({"baseline", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(table_exists("a"));
  EXPECT_EQ(recorded_versions(), "1:applied,2:applied");
  EXPECT_EQ(migrate({"baseline", "2"}).exit_code, 4);
  EXPECT_EQ(migrate({"baseline", "9"}).exit_code, 2);
  ASSERT_EQ(migrate({"up"}).exit_code, 0);
  EXPECT_TRUE(table_exists("c"));
}

}  // namespace agentdb::testing
