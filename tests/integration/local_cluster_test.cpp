// The embedded cluster as a newcomer meets it: created on first use, socket only, long paths
// handled.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "util/files.hpp"
#include "util/sha256.hpp"

namespace agentdb::testing {

TEST(LocalCluster, IsCreatedOnFirstUseEvenUnderAPathTooLongForASocket) {
  TempDir dir;
  // Deep enough that <home>/pg/run/.s.PGSQL.5432 exceeds the 107-byte limit of a socket path.
  const auto home =
      (dir.path() / std::string(60, 'h') / std::string(40, 'g') / ".agentdb").string();
  const std::vector<std::pair<std::string, std::string>> env = {{"AGENTDB_HOME", home}};
  dir.write("migrations/1_a.up.sql", "CREATE TABLE a (id bigint PRIMARY KEY);");
  dir.write("migrations/1_a.down.sql", "DROP TABLE a;");
  const auto migrations = (dir.path() / "migrations").string();

  const auto up = run_agentdb({"migrate", "--dir", migrations, "up"}, env);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(up.err.find("creating the local PostgreSQL cluster"), std::string::npos) << up.err;

  const auto status = run_agentdb({"--json", "local", "status"}, env);
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto json = nlohmann::json::parse(status.out);
  EXPECT_EQ(json["state"], "running");
  EXPECT_LE(json["socket_dir"].get<std::string>().size() + std::string("/.s.PGSQL.5432").size(),
            107u);

  const auto again = run_agentdb({"migrate", "--dir", migrations, "status", "--check"}, env);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err, "");  // the second use starts nothing and says nothing

  const auto refused = run_agentdb({"local", "destroy"}, env);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--yes"), std::string::npos);

  EXPECT_EQ(run_agentdb({"local", "stop"}, env).exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(run_agentdb({"--json", "local", "status"}, env).out)["state"],
            "stopped");
  const auto destroyed = run_agentdb({"local", "destroy", "--yes"}, env);
  EXPECT_EQ(destroyed.exit_code, 0) << destroyed.err;
  EXPECT_EQ(nlohmann::json::parse(run_agentdb({"--json", "local", "status"}, env).out)["state"],
            "absent");
}

// Nothing in the test suite connects to the embedded cluster over TCP (PgBouncer in the pool test
// reaches it through its socket), so initdb's host lines are not needed by anyone.
TEST(LocalCluster, TrustsOnlyItsOwnSocketAndNoTcpConnection) {
  auto session = db::Session::open(cluster());
  const auto rules = session->exec("SELECT type, auth_method FROM pg_hba_file_rules");
  ASSERT_FALSE(rules.empty());
  for (const auto& rule : rules)
    EXPECT_EQ(rule[0].as<std::string>(), "local") << rule[1].as<std::string>();
  EXPECT_EQ(session->exec("SHOW listen_addresses")[0][0].as<std::string>(), "");
}

TEST(LocalCluster, ALinkPlantedAtTheSocketFolderUnderTmpIsRefusedNotFollowed) {
  TempDir dir;
  const auto home = dir.path() / std::string(60, 'h') / std::string(40, 'g') / ".agentdb";
  // The fallback socket folder's name is predictable: /tmp/agentdb-<hash of the cluster's root>.
  const auto root = std::filesystem::absolute(home / "pg").lexically_normal();
  const auto socket_dir =
      std::filesystem::path("/tmp") / ("agentdb-" + util::sha256_hex(root.string()).substr(0, 16));
  const auto elsewhere = dir.path() / "elsewhere";
  std::filesystem::create_directories(elsewhere);
  std::filesystem::permissions(elsewhere, std::filesystem::perms(0755));
  std::filesystem::create_symlink(elsewhere, socket_dir);

  const auto start = run_agentdb({"local", "start"}, {{"AGENTDB_HOME", home.string()}});
  std::filesystem::remove(socket_dir);
  EXPECT_EQ(start.exit_code, 1) << start.err;
  EXPECT_NE(start.err.find(socket_dir.string()), std::string::npos) << start.err;
  struct stat info {};
  ASSERT_EQ(::stat(elsewhere.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0755u);
  EXPECT_EQ(info.st_uid, ::geteuid());
}

}  // namespace agentdb::testing
