// agentdb backup against the real pg_dump and pg_restore, on a database holding the project's
// schema, its seeds and a little synthetic data.
#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/mount.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "backup/inventory.hpp"
#include "test_support.hpp"
#include "util/files.hpp"
#include "util/subprocess.hpp"

#ifndef AGENTDB_SOURCE_DIR
#define AGENTDB_SOURCE_DIR "."
#endif

namespace agentdb::testing {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One database for the tests that only read it: schema, seeds and synthetic rows take seconds.
ScratchDatabase* source = nullptr;

std::vector<std::pair<std::string, std::string>> source_env() {
  return {{"AGENTDB_MIGRATIONS_DIR", std::string(AGENTDB_SOURCE_DIR) + "/migrations"},
          {"AGENTDB_SEEDS_DIR", std::string(AGENTDB_SOURCE_DIR) + "/seeds"}};
}

void fill(const ScratchDatabase& db) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"migrate", "up"},
           {"seed", "reference", "demo"},
           {"seed", "synth", "--users", "20", "--conversations", "40", "--messages", "400",
            "--executions", "80", "--end", "2026-11-01"}}) {
    auto argv = std::vector<std::string>{"--quiet", "--database-url", db.url()};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto result = run_agentdb(argv, source_env());
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
}

// md5 of every table's rows in a stable order: equal digests mean equal data.
std::map<std::string, std::string> table_digests(const db::ConnectionTarget& target) {
  const auto session = db::Session::open(target);
  std::map<std::string, std::string> digests;
  for (const auto& table : backup::list_tables(*session)) {
    digests[table.name] =
        session
            ->exec(
                "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY "
                "t::text)), '') FROM " +
                table.name + " t")[0][0]
            .as<std::string>();
  }
  return digests;
}

void drop_database(const std::string& name) {
  const auto admin = db::Session::open(cluster());
  admin->exec("DROP DATABASE IF EXISTS " + admin->quote_name(name) + " WITH (FORCE)");
}

}  // namespace

class BackupTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    source = new ScratchDatabase();
    fill(*source);
  }
  static void TearDownTestSuite() {
    delete source;
    source = nullptr;
  }

  [[nodiscard]] CommandResult backup(
      std::vector<std::string> arguments, const ScratchDatabase* db = nullptr,
      std::vector<std::pair<std::string, std::string>> env = {}) const {
    std::vector<std::string> argv{"--database-url", (db != nullptr ? db : source)->url(), "backup",
                                  "--backup-dir", dir.path().string()};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    auto environment = source_env();
    environment.insert(environment.end(), env.begin(), env.end());
    return run_agentdb(argv, environment);
  }

  [[nodiscard]] json backup_json(std::vector<std::string> arguments) const {
    arguments.push_back("--json");
    const auto result = backup(arguments);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return json::parse(result.out);
  }

  [[nodiscard]] std::vector<std::string> folder_entries() const {
    std::vector<std::string> names;
    for (const auto& item : fs::directory_iterator(dir.path()))
      names.push_back(item.path().filename().string());
    return names;
  }

  TempDir dir;
};

class BackupFormatTest : public BackupTest,
                         public ::testing::WithParamInterface<std::vector<std::string>> {};

TEST_P(BackupFormatTest, CreateVerifyRestoreGivesIdenticalData) {
  auto create = GetParam();
  create.insert(create.begin(), "create");
  const auto created = backup_json(create);
  const std::string id = created["id"];
  const auto applied = source->scalar("SELECT max(version) FROM agentdb_schema_migrations");
  EXPECT_EQ(std::to_string(created["migration_version"].get<long long>()), applied);
  EXPECT_FALSE(created["verified"]);

  const auto verified = backup_json({"verify", id, "--restore"});
  EXPECT_TRUE(verified["verified"]);
  EXPECT_EQ(verified["restore"]["rows"], created["rows"]);
  EXPECT_GT(created["rows"].get<long long>(), 900);
  const auto listed = backup_json({"list"});
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0]["id"], id);
  EXPECT_TRUE(listed[0]["verified"]);
  EXPECT_EQ(listed[0]["format"], created["format"]);

  const std::string target = "restored_" + std::to_string(::getpid());
  drop_database(target);
  const auto restored = backup_json({"restore", id, "--target", target, "--jobs", "2"});
  EXPECT_EQ(restored["migrate_status"]["current"], applied);
  EXPECT_EQ(table_digests(db::with_database(cluster(), target)), table_digests(source->target()));
  drop_database(target);
}

INSTANTIATE_TEST_SUITE_P(BothFormats, BackupFormatTest,
                         ::testing::Values(std::vector<std::string>{"--format", "custom"},
                                           std::vector<std::string>{"--format", "directory",
                                                                    "--jobs", "2"}));

TEST_F(BackupTest, TheManifestDescribesTheArchiveExactly) {
  const std::string id = backup_json({"create", "--label", "nightly"})["id"];
  const auto manifest = json::parse(*util::read_file(dir.path() / id / "manifest.json"));
  EXPECT_EQ(manifest["label"], "nightly");
  EXPECT_EQ(manifest["database"], source->target().dbname);
  EXPECT_EQ(manifest["server_version"].get<std::string>().substr(0, 3), "15.");
  EXPECT_EQ(manifest["pg_dump_version"].get<std::string>().substr(0, 3), "15.");
  EXPECT_EQ(manifest["server"].get<std::string>().find("password"), std::string::npos);
  ASSERT_EQ(manifest["files"].size(), 1U);
  const auto sum = util::run_process(
      {"sha256sum", (dir.path() / id / manifest["files"][0]["path"].get<std::string>()).string()});
  EXPECT_EQ(sum.out.substr(0, 64), manifest["files"][0]["sha256"]);
  bool saw_users = false;
  for (const auto& table : manifest["tables"]) {
    if (table["name"] == "public.users") {
      saw_users = true;
      EXPECT_EQ(std::to_string(table["rows"].get<long long>()),
                source->scalar("SELECT count(*) FROM users"));
    }
  }
  EXPECT_TRUE(saw_users);
}

TEST_F(BackupTest, ACorruptedByteIsCaughtByVerifyNamingTheFile) {
  const std::string id = backup_json({"create"})["id"];
  const auto archive = dir.path() / id / "dump.pgdump";
  {
    std::fstream file(archive, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(fs::file_size(archive) / 2));
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x01);
    file.seekp(static_cast<std::streamoff>(fs::file_size(archive) / 2));
    file.write(&byte, 1);
  }
  const auto result = backup({"verify", id});
  EXPECT_EQ(result.exit_code, 4) << result.err;
  EXPECT_EQ(result.err, "agentdb: backup " + id +
                            " is damaged: dump.pgdump: SHA-256 differs from the manifest; hint: "
                            "do not restore it; use another backup\n");
  EXPECT_FALSE(backup_json({"list"})[0]["verified"]);
  EXPECT_EQ(backup({"restore", id, "--target", "never_restored"}).exit_code, 4);
}

TEST_F(BackupTest, AKilledPgDumpLeavesNothingInTheCatalogue) {
  ScratchDatabase db;
  db.connect()->exec("CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g");
  // Hold a lock pg_dump must wait for, so it is surely mid-run when it is killed.
  auto holder = db.connect();
  holder->exec("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
  CommandResult result;
  std::thread run([&] { result = backup({"create"}, &db); });
  pid_t dump_pid = 0;
  for (int i = 0; i < 200 && dump_pid == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (const auto& item : fs::directory_iterator("/proc")) {
      const auto cmdline = util::read_file(item.path() / "cmdline").value_or("");
      if (cmdline.find("pg_dump") != std::string::npos &&
          cmdline.find(dir.path().string()) != std::string::npos) {
        dump_pid = static_cast<pid_t>(std::stoi(item.path().filename().string()));
      }
    }
  }
  ASSERT_NE(dump_pid, 0) << "pg_dump never started";
  ::kill(dump_pid, SIGKILL);
  holder->exec("ROLLBACK");
  run.join();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "agentdb: pg_dump was killed by signal 9; nothing was added to the catalogue\n");
  EXPECT_TRUE(folder_entries().empty());
  EXPECT_TRUE(backup_json({"list"}).empty());
}

TEST_F(BackupTest, PruneKeepsWhatItsPolicySays) {
  // Five real backups, then dated one day apart (newest first) by editing their manifests.
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(backup_json({"create", "--schema-only"})["id"]);
  const char* dates[] = {"2026-11-01T10:00:00Z", "2026-11-02T10:00:00Z", "2026-11-03T10:00:00Z",
                         "2026-11-04T10:00:00Z", "2026-11-04T12:00:00Z"};
  for (int i = 0; i < 5; ++i) {
    const auto path = dir.path() / ids[i] / "manifest.json";
    auto manifest = json::parse(*util::read_file(path));
    manifest["started_at"] = dates[i];
    if (i == 0)
      manifest["verification"] = {{"at", dates[0]}, {"method", "restore"}, {"ok", true}};
    util::write_file_atomic(path, manifest.dump());
  }
  const auto dry = backup_json({"prune", "--keep-last", "1", "--keep-daily", "2", "--dry-run"});
  // Kept: the newest (last 1, daily 11-04), 11-03 (daily), 11-01 (the only verified one).
  EXPECT_EQ(dry["removed"], json::array({ids[3], ids[1]}));
  EXPECT_EQ(backup_json({"list"}).size(), 5U);
  const auto pruned = backup({"prune", "--keep-last", "1", "--keep-daily", "2"});
  EXPECT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find("removed " + ids[3]), std::string::npos) << pruned.out;
  std::vector<std::string> left;
  for (const auto& entry : backup_json({"list"}))
    left.push_back(entry["id"]);
  EXPECT_EQ(left, (std::vector<std::string>{ids[4], ids[2], ids[0]}));
  EXPECT_EQ(folder_entries().size(), 3U);
}

TEST_F(BackupTest, RestoreRefusesATargetWithTablesUnlessClean) {
  const std::string id = backup_json({"create"})["id"];
  ScratchDatabase occupied;
  occupied.connect()->exec("CREATE TABLE precious (x int)");
  const auto name = occupied.target().dbname;
  const auto refused = backup({"restore", id, "--target", name});
  EXPECT_EQ(refused.exit_code, 4);
  EXPECT_EQ(refused.err, "agentdb: database " + name +
                             " already exists and has 1 table; hint: choose another --target, "
                             "or pass --clean to drop and recreate it\n");
  EXPECT_EQ(occupied.scalar("SELECT count(*) FROM precious"), "0");
  const auto cleaned = backup({"restore", id, "--target", name, "--clean"});
  EXPECT_EQ(cleaned.exit_code, 0) << cleaned.err;
  EXPECT_EQ(occupied.scalar("SELECT to_regclass('precious') IS NULL"), "t");
  EXPECT_EQ(occupied.scalar("SELECT count(*) FROM model_prices") != "0", true);
}

TEST_F(BackupTest, RestoreRefusesTheConnectedDatabase) {
  const std::string id = backup_json({"create", "--schema-only"})["id"];
  const auto result = backup({"restore", id, "--target", source->target().dbname});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_NE(result.err.find("the database agentdb is connected to; hint:"), std::string::npos)
      << result.err;
}

TEST_F(BackupTest, AnInvalidTargetNameIsAUsageErrorAndNothingIsCreated) {
  const std::string id = backup_json({"create", "--schema-only"})["id"];
  const auto result = backup({"restore", id, "--target", "bad-name"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err.rfind("agentdb: invalid --target 'bad-name'; hint:", 0), 0U) << result.err;
}

TEST_F(BackupTest, RestoreNeverWritesIntoASystemDatabase) {
  const std::string id = backup_json({"create", "--schema-only"})["id"];
  const std::map<std::string, std::string> why = {
      {"template1", "every new database is copied from it"},
      {"template0", "it is the pristine template that new databases can be copied from"},
      {"postgres", "it is the default database that tools and users connect to"}};
  for (const auto& [name, reason] : why) {
    for (const auto& flags : std::vector<std::vector<std::string>>{
             {}, {"--clean"}, {"--force"}, {"--clean", "--force"}}) {
      std::vector<std::string> args{"restore", id, "--target", name};
      args.insert(args.end(), flags.begin(), flags.end());
      const auto result = backup(args);
      EXPECT_EQ(result.exit_code, 2) << name << " " << result.err;
      EXPECT_EQ(result.err, "agentdb: " + name + " is a system database: " + reason +
                                "; hint: restore into a new database name\n");
    }
  }
  // Connected to postgres itself, --force (which allows the connected database) still refuses.
  const auto connected = run_agentdb({"--database-url", db::conninfo_with_password(cluster()),
                                      "backup", "--backup-dir", dir.path().string(), "restore", id,
                                      "--target", "postgres", "--force", "--clean"});
  EXPECT_EQ(connected.exit_code, 2) << connected.err;
  for (const auto* name : {"template1", "postgres"}) {
    const auto session = db::Session::open(db::with_database(cluster(), name));
    EXPECT_EQ(session->exec("SELECT to_regclass('public.model_prices') IS NULL")[0][0].as<bool>(),
              true)
        << "restored into " << name;
  }
}

TEST_F(BackupTest, RestoreRefusesATemplateDatabaseEvenWithClean) {
  const std::string id = backup_json({"create", "--schema-only"})["id"];
  ScratchDatabase shaped;
  const auto name = shaped.target().dbname;
  const auto admin = db::Session::open(cluster());
  admin->exec("ALTER DATABASE " + admin->quote_name(name) + " IS_TEMPLATE true");
  const auto result = backup({"restore", id, "--target", name, "--clean", "--force"});
  admin->exec("ALTER DATABASE " + admin->quote_name(name) + " IS_TEMPLATE false");
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(result.err, "agentdb: " + name +
                            " is a template database: every database created from it would copy "
                            "the restored objects; hint: restore into a new database name\n");
  EXPECT_EQ(shaped.scalar("SELECT to_regclass('public.model_prices') IS NULL"), "t");
}

TEST_F(BackupTest, ADamagedManifestIsExitFourForVerifyRestoreAndShownByList) {
  const std::string id = backup_json({"create", "--schema-only"})["id"];
  const auto path = dir.path() / id / "manifest.json";
  const auto intact = *util::read_file(path);
  const std::vector<std::pair<std::string, std::string>> damages = {
      {intact.substr(0, intact.size() / 2), "manifest.json: not valid JSON (truncated or edited?)"},
      {[&] {
         auto m = json::parse(intact);
         m["size_bytes"] = "large";
         return m.dump();
       }(),
       "manifest.json: size_bytes has the wrong type"},
      {[&] {
         auto m = json::parse(intact);
         m.erase("files");
         return m.dump();
       }(),
       "manifest.json: files is missing"},
  };
  for (const auto& [text, what] : damages) {
    util::write_file_atomic(path, text);
    const auto expected = "agentdb: backup " + id + " is damaged: " + what +
                          "; hint: do not restore it; use another backup\n";
    const auto verified = backup({"verify", id});
    EXPECT_EQ(verified.exit_code, 4) << verified.err;
    EXPECT_EQ(verified.err, expected);
    const auto restored = backup({"restore", "latest", "--target", "never_restored"});
    EXPECT_EQ(restored.exit_code, 4) << restored.err;
    EXPECT_EQ(restored.err, expected);
    const auto listed = backup({"list"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("DAMAGED"), std::string::npos) << listed.out;
    EXPECT_EQ(listed.err, "agentdb: warning: backup " + id + " is damaged: " + what + "\n");
    const auto as_json = backup({"list", "--json"});
    EXPECT_EQ(json::parse(as_json.out)[0]["damaged"], what);
  }
  // A checksum that no longer matches the archive.
  auto manifest = json::parse(intact);
  manifest["files"][0]["sha256"] = std::string(64, '0');
  util::write_file_atomic(path, manifest.dump());
  const auto mismatch = backup({"verify", id});
  EXPECT_EQ(mismatch.exit_code, 4);
  EXPECT_EQ(mismatch.err, "agentdb: backup " + id +
                              " is damaged: dump.pgdump: SHA-256 differs from the manifest; hint: "
                              "do not restore it; use another backup\n");
  EXPECT_EQ(backup({"restore", id, "--target", "never_restored"}).exit_code, 4);
  EXPECT_EQ(source->scalar("SELECT count(*) FROM pg_database WHERE datname = 'never_restored'"),
            "0");
}

TEST_F(BackupTest, AnUnreadableFolderIsSkippedWithOneWarningAndTheOthersListed) {
  const std::string id = backup_json({"create", "--schema-only"})["id"];
  // Root reads through chmod 000, so the unreadable entry is a symlink loop: stat fails for root.
  fs::create_symlink("20990101T000000Z-loop", dir.path() / "20990101T000000Z-loop");
  const auto listed = backup({"list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
  EXPECT_EQ(listed.err, "agentdb: warning: skipping " +
                            (dir.path() / "20990101T000000Z-loop").string() +
                            ": Too many levels of symbolic links\n");
  EXPECT_EQ(backup({"verify", "latest"}).exit_code, 0);
}

TEST_F(BackupTest, ProgressIsAPlainLineEveryFewSecondsWithoutATerminal) {
  ScratchDatabase db;
  db.connect()->exec("CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g");
  // pg_dump waits for this lock for 6 s, long enough for a progress line on stderr (not a TTY).
  auto holder = db.connect();
  holder->exec("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::seconds(6));
    holder->exec("ROLLBACK");
  });
  const auto result = backup({"create"}, &db);
  release.join();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("agentdb: pg_dump: "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(" written, "), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find('\r'), std::string::npos) << result.err;
}

TEST_F(BackupTest, JobsNeedTheDirectoryFormat) {
  const auto result = backup({"create", "--jobs", "2"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "agentdb: --jobs 2 needs --format directory; hint: pg_dump writes a custom-format "
            "archive with one process\n");
}

TEST_F(BackupTest, AMissingPgDumpIsAConfigurationError) {
  TempDir empty;
  const auto result = backup({"create"}, nullptr, {{"AGENTDB_PG_BINDIR", empty.path().string()}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("cannot find the PostgreSQL program 'pg_dump'"), std::string::npos)
      << result.err;
  EXPECT_TRUE(folder_entries().empty());
}

TEST_F(BackupTest, AFullDiskIsAClearErrorAndLeavesNothing) {
  TempDir mount_point;
  if (::mount("tmpfs", mount_point.path().c_str(), "tmpfs", 0, "size=64k") != 0)
    GTEST_SKIP() << "needs root to mount a small tmpfs";
  std::vector<std::string> argv{
      "--database-url", source->url(), "backup", "--backup-dir", mount_point.path().string(),
      "create",         "--compress",  "0"};
  const auto result = run_agentdb(argv, source_env());
  const auto entries = std::distance(fs::directory_iterator(mount_point.path()), {});
  ::umount(mount_point.path().c_str());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("No space left on device"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("nothing was added to the catalogue; hint: free space in"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(entries, 0);
}

TEST_F(BackupTest, MigrateUpWithBackupTakesOneFirst) {
  ScratchDatabase fresh;
  const auto result =
      run_agentdb({"--database-url", fresh.url(), "migrate", "up", "--backup"},
                  {{"AGENTDB_MIGRATIONS_DIR", std::string(AGENTDB_SOURCE_DIR) + "/migrations"},
                   {"AGENTDB_BACKUP_DIR", dir.path().string()}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto listed = backup_json({"list"});
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_TRUE(listed[0]["migration_version"].is_null());  // taken before the first revision
  EXPECT_NE(result.err.find("backup " + listed[0]["id"].get<std::string>() + " taken first"),
            std::string::npos)
      << result.err;
  EXPECT_NE(listed[0]["label"].get<std::string>().find("before migrate up"), std::string::npos);
}

}  // namespace agentdb::testing
