// The pure parts of agentdb backup: manifest round trip, ids, names, patterns, tool versions.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "backup/backup_render.hpp"
#include "backup/catalogue.hpp"
#include "backup/inventory.hpp"
#include "backup/manifest.hpp"
#include "backup/pg_tool_run.hpp"
#include "backup/restorer.hpp"
#include "core/error.hpp"
#include "util/time.hpp"

namespace agentdb::backup {

TEST(Manifest, SurvivesARoundTripThroughJson) {
  Manifest m;
  m.id = "20261123T115327Z-agentdb";
  m.database = "agentdb";
  m.format = DumpFormat::directory;
  m.archive = "dump";
  m.compress = 6;
  m.migration_version = 9;
  m.tables = {{"public.users", 10, 12, false}, {"public.messages", std::nullopt, 0, true}};
  m.files = {{"dump/toc.dat", 100, std::string(64, 'a')}};
  m.size_bytes = 100;
  m.started_at = "2026-11-23T11:53:27Z";
  m.verification = Verification{"2026-11-23T12:00:00Z", "restore", true, "ok", 1.5};
  const auto back = manifest_from_json(to_json(m), "test");
  EXPECT_EQ(to_json(back), to_json(m));
  EXPECT_TRUE(back.verified());
}

TEST(Manifest, AMissingFieldIsNamedInTheError) {
  Manifest m;
  m.id = "x";
  m.files = {{"dump.pgdump", 1, "00"}};
  auto document = to_json(m);
  document.erase("archive");
  try {
    (void)manifest_from_json(document, "/b/x/manifest.json");
    FAIL() << "accepted a manifest without archive";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "invalid backup manifest /b/x/manifest.json: archive is missing");
  }
}

TEST(BackupId, IsTheUtcStartAndASafeDatabaseName) {
  const auto time = util::parse_iso_utc("2026-11-23T11:53:27Z");
  ASSERT_TRUE(time);
  EXPECT_EQ(backup_id(*time, "agentdb"), "20261123T115327Z-agentdb");
  EXPECT_EQ(backup_id(*time, "my db/../x"), "20261123T115327Z-my_db____x");
}

TEST(RestoreTarget, OnlyPlainIdentifiersAreAccepted) {
  EXPECT_TRUE(is_plain_identifier("agentdb_restore_1"));
  EXPECT_TRUE(is_plain_identifier("_x$1"));
  EXPECT_FALSE(is_plain_identifier(""));
  EXPECT_FALSE(is_plain_identifier("1abc"));
  EXPECT_FALSE(is_plain_identifier("a-b"));
  EXPECT_FALSE(is_plain_identifier("a\"; DROP DATABASE x; --"));
  EXPECT_FALSE(is_plain_identifier(std::string(64, 'a')));
  EXPECT_TRUE(is_plain_identifier(std::string(63, 'a')));
}

TEST(TablePattern, MatchesWithOrWithoutSchemaAndWildcards) {
  EXPECT_TRUE(matches_table_pattern("messages", "public.messages"));
  EXPECT_TRUE(matches_table_pattern("public.messages", "public.messages"));
  EXPECT_TRUE(matches_table_pattern("messages_*", "public.messages_2026_11"));
  EXPECT_FALSE(matches_table_pattern("messages", "public.messages_2026_11"));
  EXPECT_FALSE(matches_table_pattern("other.messages", "public.messages"));
}

TEST(ToolVersion, ParsesDebianAndPlainVersionLines) {
  const auto debian = parse_tool_version("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n");
  ASSERT_TRUE(debian);
  EXPECT_EQ(debian->major, 15);
  EXPECT_EQ(debian->minor, 18);
  EXPECT_EQ(debian->text, "15.18");
  const auto beta = parse_tool_version("pg_restore (PostgreSQL) 17beta1");
  ASSERT_TRUE(beta);
  EXPECT_EQ(beta->major, 17);
  EXPECT_FALSE(parse_tool_version("something else 1.2"));
}

TEST(ToolVersion, AToolOlderThanTheServerIsRefusedWithWhatToInstall) {
  const ToolVersion old_tool{14, 10, "14.10"};
  EXPECT_NO_THROW(require_tool_for_server("pg_dump", old_tool, 140002));
  EXPECT_NO_THROW(require_tool_for_server("pg_dump", {15, 18, "15.18"}, 140002));
  try {
    require_tool_for_server("pg_dump", old_tool, 150018);
    FAIL() << "accepted pg_dump 14 for a PostgreSQL 15 server";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_EQ(
        std::string(e.what()),
        "pg_dump 14.10 is older than the server (PostgreSQL 15) and cannot dump or restore it");
    EXPECT_NE(e.hint().find("postgresql-client-15"), std::string::npos);
  }
}

TEST(ToolError, PrefersTheFirstErrorLine) {
  EXPECT_EQ(tool_error("pg_restore: connecting\npg_restore: error: could not execute query: x\n"
                       "Command was: CREATE\npg_restore: error: second\n"),
            "pg_restore: error: could not execute query: x");
  EXPECT_EQ(tool_error("\nlast words\n\n"), "last words");
}

TEST(BackupProgress, IsOneLineRewrittenInPlaceAndErasedWhenTheToolExits) {
  ToolProgress dump;
  dump.tool = "pg_dump";
  dump.bytes = 2'500'000;
  dump.elapsed = std::chrono::milliseconds(1500);
  EXPECT_EQ(progress_line(dump), "\r\033[K  pg_dump: 2.5 MB written, 1.5 s");
  ToolProgress restore = dump;
  restore.tool = "pg_restore";
  restore.expected_bytes = 5'000'000;
  EXPECT_EQ(progress_line(restore), "\r\033[K  pg_restore: 2.5 MB of ~5.0 MB, 1.5 s");
  restore.stage = ToolStage::finished;
  EXPECT_EQ(progress_line(restore), "\r\033[K");
}

TEST(BackupPrune, ADryRunSaysWhatWouldGo) {
  PruneResult result;
  result.mode = PruneMode::dry_run;
  PrunedBackup gone{{"20261123T115327Z-agentdb", false, {}}, 2048};
  result.removed.push_back(gone);
  EXPECT_EQ(removed_line(gone, result.mode), "would remove 20261123T115327Z-agentdb (2.0 kB)");
  EXPECT_EQ(prune_summary(result), "1 would be removed, 0 kept");
}

}  // namespace agentdb::backup
