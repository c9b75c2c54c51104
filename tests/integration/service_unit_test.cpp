// What the packaged systemd units rely on, against real servers: `agentdb wait` (ExecStartPre)
// ready at once, giving up with exit 3 and what it last saw, waiting for pending migrations;
// `agentdb version --json`; and serve's sd_notify messages read off a real unix datagram socket
// standing in for systemd's NOTIFY_SOCKET (READY=1 once it listens, WATCHDOG=1 while it answers,
// RELOADING=1 on SIGHUP, STOPPING=1 on SIGTERM).
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "serve_fixture.hpp"
#include "test_support.hpp"

namespace agentdb::testing {

namespace {

using Clock = std::chrono::steady_clock;

// A loopback port nothing listens on: bound, then closed.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

const std::string kMigrations = AGENTDB_SOURCE_DIR "/migrations";

}  // namespace

TEST(Wait, AnswersAtOnceWhenTheDatabaseAcceptsConnections) {
  ScratchDatabase db;
  const auto result =
      run_agentdb({"--database-url", db.url(), "--json", "wait", "--timeout", "5s"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto report = json::parse(result.out);
  EXPECT_EQ(report["ready"], true);
  EXPECT_EQ(report["attempts"], 1);
  EXPECT_EQ(report["last_seen"], "accepting connections");
  EXPECT_GE(report["server_version"].get<int>(), 150000);
  EXPECT_EQ(report["database"].get<std::string>().find("password"), std::string::npos);
}

TEST(Wait, GivesUpAtTheTimeoutWithExit3AndWhatItLastSaw) {
  const auto url = "postgresql://agentdb@127.0.0.1:" + std::to_string(closed_port()) + "/postgres";
  const auto start = Clock::now();
  const auto result = run_agentdb({"--database-url", url, "wait", "--timeout", "2s"});
  const auto took = Clock::now() - start;
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_GE(took, std::chrono::milliseconds(1'500));
  EXPECT_LT(took, std::chrono::seconds(8));
  EXPECT_TRUE(std::regex_search(
      result.err, std::regex(R"(not ready after [0-9.]+ s \([0-9]+ attempts\): .*refused)")))
      << result.err;
  EXPECT_NE(result.err.find("--timeout"), std::string::npos) << result.err;
  // One line of error; the others are progress notes.
  std::istringstream lines(result.err);
  int errors = 0;
  for (std::string line; std::getline(lines, line);)
    errors += line.find("waiting: ") == std::string::npos ? 1 : 0;
  EXPECT_EQ(errors, 1) << result.err;
}

TEST(Wait, WithMigratedWaitsUntilNoMigrationIsPending) {
  ScratchDatabase db;
  const std::vector<std::string> wait{"--database-url",   db.url(),    "wait",      "--migrated",
                                      "--migrations-dir", kMigrations, "--timeout", "1s"};
  const auto pending = run_agentdb(wait);
  EXPECT_EQ(pending.exit_code, 3) << pending.err;
  EXPECT_NE(pending.err.find("migration(s) pending"), std::string::npos) << pending.err;
  EXPECT_NE(pending.err.find("agentdb migrate up"), std::string::npos) << pending.err;
  const auto up = run_agentdb({"--database-url", db.url(), "migrate", "--dir", kMigrations, "up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const auto current = run_agentdb(wait);
  EXPECT_EQ(current.exit_code, 0) << current.err;
  EXPECT_NE(current.out.find("schema at version"), std::string::npos) << current.out;
}

TEST(Wait, RefusesABadTimeoutAsUsage) {
  const auto result = run_agentdb(
      {"--database-url", db::conninfo_with_password(cluster()), "wait", "--timeout", "soon"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("invalid --timeout 'soon'"), std::string::npos) << result.err;
}

TEST(Version, ReportsTheBinaryTheSchemaItShipsAndThePostgresqlToolsItFound) {
  const auto result = run_agentdb({"--json", "version"}, {{"AGENTDB_MIGRATIONS_DIR", kMigrations}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto report = json::parse(result.out);
  const auto plain = run_agentdb({"--version"});
  EXPECT_NE(plain.out.find(report["version"].get<std::string>()), std::string::npos) << plain.out;
  // The newest revision in migrations/ is the shipped schema version.
  long long newest = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kMigrations)) {
    const auto name = entry.path().filename().string();
    if (std::isdigit(static_cast<unsigned char>(name[0])))
      newest = std::max(newest, std::stoll(name.substr(0, name.find('_'))));
  }
  EXPECT_EQ(report["schema"]["version"].get<long long>(), newest) << report.dump();
  EXPECT_TRUE(std::regex_match(report["libpq"].get<std::string>(), std::regex(R"(1[5-9]\.[0-9]+)")))
      << report.dump();
  EXPECT_TRUE(std::regex_match(report["pg_dump"]["version"].get<std::string>(),
                               std::regex(R"(1[5-9]\.[0-9]+)")))
      << report.dump();
}

// systemd's end of sd_notify: a unix datagram socket whose path is NOTIFY_SOCKET.
class NotifySocket {
 public:
  NotifySocket() : path_(dir_.path() / "notify") {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path_.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      ADD_FAILURE() << "cannot bind " << path_;
    timeval timeout{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~NotifySocket() { ::close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  [[nodiscard]] std::string path() const { return path_.string(); }
  // Reads messages for up to `limit`, until one holds `wanted`; all read so far are kept.
  bool wait_for(const std::string& wanted, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      char buffer[512];
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0)
        received_.emplace_back(buffer, static_cast<std::size_t>(n));
      if (n > 0 && received_.back().find(wanted) != std::string::npos)
        return true;
    }
    return false;
  }
  [[nodiscard]] std::string all() const {
    std::string joined;
    for (const auto& message : received_)
      joined += "[" + message + "] ";
    return joined;
  }

 private:
  TempDir dir_;
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> received_;
};

TEST_F(ServeTest, TellsSystemdWhenItIsReadyAliveReloadingAndStopping) {
  NotifySocket systemd;
  ::setenv("NOTIFY_SOCKET", systemd.path().c_str(), 1);
  ::setenv("WATCHDOG_USEC", "1000000", 1);  // a ping every half second
  start();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  EXPECT_TRUE(systemd.wait_for("READY=1", std::chrono::seconds(5))) << systemd.all();
  EXPECT_NE(systemd.all().find("STATUS=serving on port " + std::to_string(server->port())),
            std::string::npos)
      << systemd.all();
  EXPECT_TRUE(systemd.wait_for("WATCHDOG=1", std::chrono::seconds(5))) << systemd.all();
  EXPECT_TRUE(systemd.wait_for("WATCHDOG=1", std::chrono::seconds(5))) << systemd.all();
  server->signal(SIGHUP);
  EXPECT_TRUE(systemd.wait_for("RELOADING=1", std::chrono::seconds(5))) << systemd.all();
  EXPECT_TRUE(systemd.wait_for("READY=1", std::chrono::seconds(5))) << systemd.all();
  server->signal(SIGTERM);
  EXPECT_TRUE(systemd.wait_for("STOPPING=1", std::chrono::seconds(10))) << systemd.all();
  EXPECT_EQ(server->stop(), 0) << server->stderr_text();
}

TEST_F(ServeTest, SendsNoWatchdogPingWithoutAWatchdog) {
  NotifySocket systemd;
  ::setenv("NOTIFY_SOCKET", systemd.path().c_str(), 1);
  start();
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(systemd.wait_for("READY=1", std::chrono::seconds(5))) << systemd.all();
  EXPECT_FALSE(systemd.wait_for("WATCHDOG=1", std::chrono::milliseconds(1'500))) << systemd.all();
  EXPECT_EQ(server->stop(), 0) << server->stderr_text();
}

}  // namespace agentdb::testing
