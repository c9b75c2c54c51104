// The pure parts of agentdb backup: manifest round trip, ids, names, patterns, tool versions.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
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
  m.taken_from = TakenFrom{"standby", "10.0.0.2:5432", "0/3000060"};
  const auto back = manifest_from_json(to_json(m), "test");
  EXPECT_EQ(to_json(back), to_json(m));
  EXPECT_TRUE(back.verified());
  ASSERT_TRUE(back.taken_from);
  EXPECT_EQ(back.taken_from->member, "10.0.0.2:5432");
  // Manifests written before taken_from was recorded still read.
  auto older = to_json(m);
  older.erase("taken_from");
  EXPECT_FALSE(manifest_from_json(older, "test").taken_from);
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
  } catch (const ManifestDamage& e) {
    EXPECT_EQ(std::string(e.what()), "/b/x/manifest.json: archive is missing");
    EXPECT_EQ(e.code(), ExitCode::conflict);
  }
}

namespace {

// A valid manifest document to damage one field at a time.
nlohmann::json intact_manifest() {
  Manifest m;
  m.id = "20261123T115327Z-agentdb";
  m.database = "agentdb";
  m.archive = "dump.pgdump";
  m.files = {{"dump.pgdump", 1, std::string(64, 'a')}};
  m.size_bytes = 1;
  m.started_at = "2026-11-23T11:53:27Z";
  return to_json(m);
}

std::string damage_of(const nlohmann::json& document) {
  try {
    (void)manifest_from_json(document, "manifest.json");
  } catch (const ManifestDamage& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST(Manifest, EveryWrongTypeOrEscapingPathIsDamageNamingTheField) {
  ASSERT_EQ(damage_of(intact_manifest()), "accepted");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"size_bytes": "big"})", "manifest.json: size_bytes has the wrong type"},
      {R"({"size_bytes": -1})", "manifest.json: size_bytes has the wrong type"},
      {R"({"size_bytes": true})", "manifest.json: size_bytes has the wrong type"},
      {R"({"jobs": 1e300})", "manifest.json: jobs has the wrong type"},
      {R"({"jobs": 99999999999})", "manifest.json: jobs has the wrong type"},
      {R"({"tables": 5})", "manifest.json: tables is not an array"},
      {R"({"tables": [7]})", "manifest.json: tables[].name is missing"},
      {R"({"files": "all"})", "manifest.json: files is not an array"},
      {R"({"exclude_table_data": [1]})", "manifest.json: exclude_table_data has the wrong type"},
      {R"({"verification": "yes"})", "manifest.json: verification is not an object"},
      {R"({"taken_from": "primary"})", "manifest.json: taken_from is not an object"},
      {R"({"taken_from": {"role": "standby"}})", "manifest.json: taken_from.member is missing"},
      {R"({"archive": "/etc/shadow"})",
       "manifest.json: archive '/etc/shadow' is not a relative path inside the backup's folder"},
      {R"({"files": [{"path": "../../x", "size_bytes": 1, "sha256": "aa"}]})",
       "manifest.json: files[].path '../../x' is not a relative path inside the backup's folder"},
      {R"({"files": [{"path": "dump.pgdump", "size_bytes": 1, "sha256": "zz"}]})",
       "manifest.json: files[].sha256 of dump.pgdump is not a SHA-256 in hex"},
  };
  for (const auto& [patch, expected] : cases) {
    auto document = intact_manifest();
    document.merge_patch(nlohmann::json::parse(patch));
    EXPECT_EQ(damage_of(document), expected) << patch;
  }
  EXPECT_EQ(damage_of(nlohmann::json::array()), "manifest.json: not a JSON object");
}

TEST(RestoreTarget, SystemDatabasesAreNamedWithWhy) {
  EXPECT_EQ(system_database_reason("template1"), "every new database is copied from it");
  EXPECT_NE(system_database_reason("template0"), "");
  EXPECT_NE(system_database_reason("postgres"), "");
  // Compared as PostgreSQL compares a quoted name: these are other databases.
  EXPECT_EQ(system_database_reason("Template1"), "");
  EXPECT_EQ(system_database_reason("postgres2"), "");
  try {
    refuse_system_database("template1");
    FAIL() << "accepted template1";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_EQ(std::string(e.what()),
              "template1 is a system database: every new database is copied from it");
    EXPECT_EQ(e.hint(), "restore into a new database name");
  }
}

// A catalogue folder of its own, removed afterwards.
class CatalogueFolder {
 public:
  CatalogueFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "agentdb-catalogue-XXXXXX");
    path_ = ::mkdtemp(pattern.data());
  }
  ~CatalogueFolder() { std::filesystem::remove_all(path_); }
  CatalogueFolder(const CatalogueFolder&) = delete;
  CatalogueFolder& operator=(const CatalogueFolder&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  void backup(const std::string& id, const std::string& manifest) const {
    std::filesystem::create_directory(path_ / id);
    std::ofstream(path_ / id / "manifest.json") << manifest;
  }

 private:
  std::filesystem::path path_;
};

TEST(Catalogue, ListsDamagedEntriesAndSkipsUnreadableFoldersWithOneWarningEach) {
  const CatalogueFolder folder;
  auto good = intact_manifest();
  folder.backup(good["id"], good.dump());
  folder.backup("20261124T000000Z-agentdb", good.dump().substr(0, 40));  // truncated
  // Unreadable even for root: a folder that is a symlink loop, a manifest that is one, a manifest
  // that is a folder.
  std::filesystem::create_symlink("20261125T000000Z-loop", folder.path() / "20261125T000000Z-loop");
  std::filesystem::create_directory(folder.path() / "20261126T000000Z-x");
  std::filesystem::create_symlink("manifest.json",
                                  folder.path() / "20261126T000000Z-x" / "manifest.json");
  std::filesystem::create_directories(folder.path() / "20261127T000000Z-y" / "manifest.json");
  std::filesystem::create_directory(folder.path() / "not-a-backup");
  std::ofstream(folder.path() / "a-file") << "x";

  std::vector<std::string> warnings;
  const auto entries =
      Catalogue(folder.path()).list([&](const std::string& w) { warnings.push_back(w); });
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[0].manifest.id, "20261124T000000Z-agentdb");  // newest first, by its id
  EXPECT_EQ(entries[0].damage, "manifest.json: not valid JSON (truncated or edited?)");
  EXPECT_EQ(entries[0].manifest.started_at, "2026-11-24T00:00:00Z");
  EXPECT_FALSE(entries[1].damaged());
  ASSERT_EQ(warnings.size(), 3U);
  for (const auto& warning : warnings)
    EXPECT_EQ(warning.rfind("skipping " + folder.path().string() + "/2026112", 0), 0U) << warning;

  try {
    (void)Catalogue(folder.path()).find("20261124T000000Z-agentdb", {});
    FAIL() << "found a damaged backup";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::conflict);
    EXPECT_EQ(std::string(e.what()),
              "backup 20261124T000000Z-agentdb is damaged: manifest.json: not valid JSON "
              "(truncated or edited?)");
  }
  EXPECT_THROW((void)Catalogue(folder.path()).find("latest", {}), Error);
  EXPECT_EQ(Catalogue(folder.path()).find(good["id"], {}).manifest.id, good["id"]);
}

TEST(BackupList, ShowsADamagedEntryAsDamagedAndEscapesWhatTheFilesHold) {
  Entry damaged{"/b/20261124T000000Z-x", {}, "manifest.json: not valid JSON"};
  damaged.manifest.id = "20261124T000000Z-x";
  Entry labelled{"/b/y", manifest_from_json(intact_manifest(), "m"), ""};
  labelled.manifest.label = "nightly\x1b]0;pwned\x07";
  const auto table = catalogue_table({damaged, labelled});
  EXPECT_NE(table.find("DAMAGED"), std::string::npos) << table;
  EXPECT_EQ(table.find('\x1b'), std::string::npos) << table;
  EXPECT_NE(table.find("nightly\\x1B]0;pwned\\x07"), std::string::npos) << table;
  EXPECT_EQ(catalogue_json({damaged})[0]["damaged"], "manifest.json: not valid JSON");
  EXPECT_TRUE(catalogue_json({labelled})[0]["damaged"].is_null());
  EXPECT_EQ(damage_warnings({damaged, labelled}),
            std::vector<std::string>{
                "backup 20261124T000000Z-x is damaged: manifest.json: not valid JSON"});
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

TEST(BackupProgress, SaysHowFarTheToolIs) {
  ToolProgress dump;
  dump.tool = "pg_dump";
  dump.bytes = 2'500'000;
  dump.elapsed = std::chrono::milliseconds(1500);
  EXPECT_EQ(progress_line(dump), "pg_dump: 2.5 MB written, 1.5 s");
  ToolProgress restore = dump;
  restore.tool = "pg_restore";
  restore.expected_bytes = 5'000'000;
  EXPECT_EQ(progress_line(restore), "pg_restore: 2.5 MB of ~5.0 MB, 1.5 s");
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
