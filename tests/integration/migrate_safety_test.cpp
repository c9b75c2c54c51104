// Concurrency, killed runners, lock timeouts and bad input.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "migrate_fixture.hpp"

namespace agentdb::testing {

namespace {

pid_t spawn_agentdb(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{agentdb_binary()};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(a.data());
    args.push_back(nullptr);
    const int null_fd = ::open("/dev/null", O_WRONLY);
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST_F(MigrateTest, SixteenConcurrentRunnersApplyEachRevisionExactlyOnce) {
  for (int v = 1; v <= 10; ++v) {
    revision(v, "step",
             "CREATE TABLE IF NOT EXISTS counter (n int);\nINSERT INTO counter VALUES (" +
                 std::to_string(v) + ");\nSELECT pg_sleep(0.02);",
             "DELETE FROM counter;");
  }
  std::vector<pid_t> runners;
  for (int i = 0; i < 16; ++i) {
    runners.push_back(spawn_agentdb(
        {"--database-url", db.url(), "migrate", "--dir", dir.path().string(), "up", "--quiet"}));
  }
  for (const auto pid : runners)
    EXPECT_EQ(wait_exit_code(pid), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM counter"), "10");
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT n) FROM counter"), "10");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM agentdb_schema_migrations_log WHERE action = 'up'"),
            "10");
}

TEST_F(MigrateTest, SigkillMidRevisionLeavesNoHalfAppliedRevision) {
  table_revision(1, "a");
  revision(2, "slow",
           "CREATE TABLE half (id int);\nSELECT pg_sleep(30);\nCREATE TABLE other (id int);",
           "DROP TABLE other; DROP TABLE half;");
  const auto pid =
      spawn_agentdb({"--database-url", db.url(), "migrate", "--dir", dir.path().string(), "up"});
  // Wait until the revision is running on the server, then kill the runner outright.
  bool running = false;
  for (int i = 0; i < 200 && !running; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    running = db.scalar(
                  "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' "
                  "AND pid <> pg_backend_pid()") == "1";
  }
  ASSERT_TRUE(running);
  ::kill(pid, SIGKILL);
  EXPECT_EQ(wait_exit_code(pid), 128 + SIGKILL);
  // The server notices the dead client at its next write at the latest; cancel the sleep so it
  // does.
  (void)db.scalar(
      "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' "
      "AND pid <> pg_backend_pid()");
  for (int i = 0; i < 100; ++i) {
    if (db.scalar("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' "
                  "AND pid <> pg_backend_pid()") == "0") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(table_exists("a"));
  EXPECT_FALSE(table_exists("half"));
  EXPECT_EQ(recorded_versions(), "1:applied");
  // The next run takes the lock (released with the dead session) and applies the revision.
  revision(2, "slow", "CREATE TABLE half (id int);\nCREATE TABLE other (id int);",
           "DROP TABLE other; DROP TABLE half;");
  const auto rerun = migrate({"up", "--lock-timeout", "10s"});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(recorded_versions(), "1:applied,2:applied");
}

TEST_F(MigrateTest, LockTimeoutIsExitFourNamingTheHolder) {
  table_revision(1, "a");
  auto holder = db.connect();
  holder->exec("SELECT pg_advisory_lock(" + std::to_string(0x61676E7464626D67) + ")");
  const auto result = migrate({"up", "--lock-timeout", "300ms"});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_NE(result.err.find("held by pid " + std::to_string(holder->backend_pid())),
            std::string::npos)
      << result.err;
  EXPECT_FALSE(table_exists("a"));
}

TEST_F(MigrateTest, BadRevisionFilesAreUsageErrorsAndLeaveTheDatabaseUntouched) {
  const std::vector<std::pair<std::string, std::string>> bad_files = {
      {"1_Bad Name.up.sql", "SELECT 1;"},
      {"1_only_up.up.sql", "SELECT 1;"},
      {"1_only_down.down.sql", "SELECT 1;"},
      {"1_latin1.up.sql", "SELECT 'caf\xe9';"},
  };
  for (const auto& [name, content] : bad_files) {
    TempDir bad;
    bad.write(name, content);
    if (name == "1_latin1.up.sql")
      bad.write("1_latin1.down.sql", "");
    const auto result =
        run_agentdb({"--database-url", db.url(), "migrate", "--dir", bad.path().string(), "up"});
    EXPECT_EQ(result.exit_code, 2) << name << ": " << result.err;
    EXPECT_NE(result.err.find(name), std::string::npos) << result.err;
    EXPECT_TRUE(result.err.starts_with("agentdb: ")) << result.err;
  }
  TempDir duplicate;
  duplicate.write("1_a.up.sql", "");
  duplicate.write("1_a.down.sql", "");
  duplicate.write("001_b.up.sql", "");
  duplicate.write("001_b.down.sql", "");
  EXPECT_EQ(
      run_agentdb({"--database-url", db.url(), "migrate", "--dir", duplicate.path().string(), "up"})
          .exit_code,
      2);
  EXPECT_EQ(run_agentdb({"--database-url", db.url(), "migrate", "--dir", "/nonexistent", "status"})
                .exit_code,
            2);
  EXPECT_FALSE(table_exists("agentdb_schema_migrations"));
}

TEST_F(MigrateTest, OptionsWorkBeforeOrAfterTheSubcommand) {
  table_revision(1, "a");
  const auto before = run_agentdb(
      {"--json", "--database-url", db.url(), "migrate", "--dir", dir.path().string(), "status"});
  const auto after = run_agentdb(
      {"migrate", "status", "--dir", dir.path().string(), "--json", "--database-url", db.url()});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(before.out, after.out);
  EXPECT_EQ(nlohmann::json::parse(after.out)["migrations"][0]["state"], "pending");
}

TEST_F(MigrateTest, ConfigFileSuppliesSettingsThatFlagsAndEnvironmentOverride) {
  table_revision(1, "a");
  TempDir config_dir;
  config_dir.write("agentdb.toml", "database_url = \"" + db.url() + "\"\n[migrate]\ndir = \"" +
                                       dir.path().string() + "\"\n");
  const auto config = (config_dir.path() / "agentdb.toml").string();
  const auto from_file = run_agentdb({"--config", config, "--json", "migrate", "status"});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  const auto flag_wins =
      run_agentdb({"--config", config, "migrate", "status", "--dir", "/nonexistent"});
  EXPECT_EQ(flag_wins.exit_code, 2);
  const auto env_wins = run_agentdb({"--config", config, "migrate", "status"},
                                    {{"AGENTDB_MIGRATIONS_DIR", "/nonexistent"}});
  EXPECT_EQ(env_wins.exit_code, 2);
  TempDir typo;
  typo.write("agentdb.toml", "[migrate]\ndirr = \"x\"\n");
  const auto unknown =
      run_agentdb({"--config", (typo.path() / "agentdb.toml").string(), "migrate", "status"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown setting 'migrate.dirr'"), std::string::npos) << unknown.err;
}

}  // namespace agentdb::testing
