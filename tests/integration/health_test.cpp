// agentdb health and agentdb pool against real servers: the shared test cluster, a cluster of the
// test's own (to fill, restart and stop), a real redis-server, a real PgBouncer, the Qdrant
// stand-in, and a TCP port that drops every connection attempt.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>

#include "db/pg_tools.hpp"
#include "db/pool.hpp"
#include "health/redis_probe.hpp"
#include "local/cluster.hpp"
#include "qdrant_standin.hpp"
#include "servers.hpp"
#include "test_support.hpp"
#include "util/subprocess.hpp"

namespace agentdb::testing {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

json health_json(const std::vector<std::string>& args,
                 const std::vector<std::pair<std::string, std::string>>& env, int& exit_code) {
  std::vector<std::string> all{"--json", "health"};
  all.insert(all.end(), args.begin(), args.end());
  const auto result = run_agentdb(all, env);
  exit_code = result.exit_code;
  EXPECT_FALSE(result.out.empty()) << result.err;
  return result.out.empty() ? json::object() : json::parse(result.out);
}

json check_of(const json& report, const std::string& name) {
  for (const auto& check : report["checks"]) {
    if (check["name"] == name)
      return check;
  }
  ADD_FAILURE() << "no check " << name << " in " << report.dump();
  return json::object();
}

// Runs one check with extra flags against `url` and returns (exit code, that check).
std::pair<int, json> one_check(const std::string& url, const std::string& name,
                               std::vector<std::string> flags = {},
                               std::vector<std::pair<std::string, std::string>> env = {}) {
  std::vector<std::string> args{"--database-url", url, "--check", name};
  args.insert(args.end(), flags.begin(), flags.end());
  int code = -1;
  const auto report = health_json(args, env, code);
  return {code, check_of(report, name)};
}

}  // namespace

TEST(Health, ReportsEveryCheckAndSkipsUnconfiguredServices) {
  ScratchDatabase db;
  int code = -1;
  const auto report = health_json({"--database-url", db.url()}, {}, code);
  ASSERT_EQ(report["checks"].size(), 14u) << report.dump();
  EXPECT_EQ(check_of(report, "connection")["status"], "OK");
  EXPECT_EQ(check_of(report, "server_version")["value"], 15);
  EXPECT_EQ(check_of(report, "qdrant")["status"], "SKIPPED");
  EXPECT_EQ(check_of(report, "redis")["status"], "SKIPPED");
  EXPECT_EQ(check_of(report, "replication")["summary"], "no standbys connected");
  EXPECT_EQ(report["exit_code"], code);
}

TEST(Health, NagiosOutputIsOneParsablePluginLine) {
  ScratchDatabase db;
  const auto result =
      run_agentdb({"health", "--database-url", db.url(), "--nagios", "--check",
                   "connection,connections,database_size", "--warning", "database_size=1kB"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const std::regex line(R"(AGENTDB (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]*) \| (.*)\n)");
  std::smatch match;
  ASSERT_TRUE(std::regex_match(result.out, match, line)) << result.out;
  EXPECT_EQ(match[1], "WARNING");
  EXPECT_NE(match[2].str().find("database_size WARNING"), std::string::npos);
  const std::string perfdata = match[3];
  const std::regex item(R"('([^']+)'=(-?[0-9.]+)([a-zA-Z%]*)(;[0-9.:]*){0,4})");
  std::vector<std::string> labels;
  for (std::sregex_iterator it(perfdata.begin(), perfdata.end(), item), end; it != end; ++it)
    labels.push_back((*it)[1]);
  EXPECT_EQ(labels, (std::vector<std::string>{"connect_time", "connections_used_pct",
                                              "connections_used", "database_size"}))
      << perfdata;
  EXPECT_NE(perfdata.find("'database_size'="), std::string::npos);
  EXPECT_NE(perfdata.find("B;1000;"), std::string::npos) << perfdata;
}

TEST(Health, LockWaitsNameTheBlockingChainAndReachWarningAndCritical) {
  ScratchDatabase db;
  auto holder = db.connect();
  (void)holder->exec("CREATE TABLE t (id int)");
  (void)holder->exec("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
  auto waiter = db.connect();
  const int waiter_pid = waiter->backend_pid();
  auto blocked = std::async(std::launch::async, [&] {
    try {
      (void)waiter->exec("SELECT count(*) FROM t");
    } catch (const std::exception&) {
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto [code, check] = one_check(db.url(), "lock_waits",
                                 {"--warning", "lock_waits=500ms", "--critical", "lock_waits=1h"});
  EXPECT_EQ(code, 1);
  EXPECT_EQ(check["status"], "WARNING") << check.dump();
  const auto chain = check["detail"]["chain"].get<std::string>();
  EXPECT_EQ(chain.find(std::to_string(waiter_pid) + " waits for " +
                       std::to_string(holder->backend_pid())),
            0u)
      << chain;
  EXPECT_NE(chain.find("idle in transaction"), std::string::npos) << chain;
  std::tie(code, check) = one_check(db.url(), "lock_waits", {"--critical", "lock_waits=500ms"});
  EXPECT_EQ(code, 2);
  EXPECT_EQ(check["status"], "CRITICAL");
  (void)holder->exec("COMMIT");
  blocked.wait();
  std::tie(code, check) = one_check(db.url(), "lock_waits");
  EXPECT_EQ(check["status"], "OK") << check.dump();
}

TEST(Health, IdleInTransactionAndLongQueriesReachWarningAndCritical) {
  ScratchDatabase db;
  auto idle = db.connect();
  (void)idle->exec("BEGIN; SELECT 1");
  auto busy = db.connect();
  auto running = std::async(std::launch::async, [&] {
    try {
      (void)busy->exec("SELECT pg_sleep(20)");
    } catch (const std::exception&) {
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  for (const std::string name : {"idle_in_transaction", "long_query"}) {
    auto [code, check] = one_check(db.url(), name, {"--warning", name + "=1s"});
    EXPECT_EQ(code, 1) << check.dump();
    EXPECT_EQ(check["status"], "WARNING");
    EXPECT_GE(check["value"].get<double>(), 1.0);
    std::tie(code, check) = one_check(db.url(), name, {"--critical", name + "=1s"});
    EXPECT_EQ(code, 2);
    EXPECT_EQ(check["status"], "CRITICAL");
  }
  const auto [code, check] = one_check(db.url(), "long_query");
  EXPECT_EQ(check["detail"]["pid"], busy->backend_pid());
  EXPECT_EQ(check["detail"]["query"], "SELECT pg_sleep(20)");
  (void)idle->exec("ROLLBACK");
  auto canceller = db.connect();
  (void)canceller->exec("SELECT pg_cancel_backend(" + std::to_string(busy->backend_pid()) + ")");
  running.wait();
}

TEST(Health, MigrationsPendingWarnAndDriftIsCritical) {
  ScratchDatabase db;
  TempDir dir;
  dir.write("migrations/20260101000001_first.up.sql", "CREATE TABLE a (id int);\n");
  dir.write("migrations/20260101000001_first.down.sql", "DROP TABLE a;\n");
  const auto migrations = (dir.path() / "migrations").string();
  auto [code, check] = one_check(db.url(), "migrations", {"--migrations-dir", migrations});
  EXPECT_EQ(check["status"], "WARNING") << check.dump();
  EXPECT_EQ(check["value"], 1);
  ASSERT_EQ(
      run_agentdb({"migrate", "up", "--database-url", db.url(), "--dir", migrations}).exit_code, 0);
  std::tie(code, check) = one_check(db.url(), "migrations", {"--migrations-dir", migrations});
  EXPECT_EQ(check["status"], "OK") << check.dump();
  dir.write("migrations/20260101000001_first.up.sql", "CREATE TABLE a (id bigint);\n");
  std::tie(code, check) = one_check(db.url(), "migrations", {"--migrations-dir", migrations});
  EXPECT_EQ(code, 2);
  EXPECT_EQ(check["status"], "CRITICAL") << check.dump();
  EXPECT_EQ(check["detail"]["states"]["modified"], 1);
}

TEST(Health, ThresholdsComeFromConfigAndFlagsOverrideThem) {
  ScratchDatabase db;
  TempDir dir;
  dir.write("agentdb.toml",
            "[health.database_size]\nwarning = \"1kB\"\ncritical = \"1TB\"\n"
            "[health.wraparound]\nwarning = 1\n");
  const auto config = (dir.path() / "agentdb.toml").string();
  auto [code, check] = one_check(db.url(), "database_size", {"--config", config});
  EXPECT_EQ(check["status"], "WARNING") << check.dump();
  std::tie(code, check) =
      one_check(db.url(), "database_size", {"--config", config, "--critical", "database_size=1kB"});
  EXPECT_EQ(check["status"], "CRITICAL");
  std::tie(code, check) = one_check(db.url(), "wraparound", {"--config", config});
  EXPECT_EQ(check["status"], "WARNING") << check.dump();
  std::tie(code, check) = one_check(db.url(), "wraparound", {"--critical", "wraparound=1"});
  EXPECT_EQ(check["status"], "CRITICAL");
  std::tie(code, check) = one_check(db.url(), "server_version", {"--warning", "server_version=16"});
  EXPECT_EQ(check["status"], "WARNING");
  std::tie(code, check) =
      one_check(db.url(), "server_version", {"--critical", "server_version=16"});
  EXPECT_EQ(check["status"], "CRITICAL");
  // The cache hit ratio is judged lower-is-worse against what was really measured.
  (void)db.scalar(
      "CREATE TABLE big AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 20000) "
      "g");
  (void)db.scalar("SELECT count(*) FROM big");
  (void)db.scalar("SELECT count(*) FROM big");
  std::tie(code, check) = one_check(db.url(), "cache_hit");
  const double ratio = check["value"].get<double>();
  EXPECT_LT(ratio, 100.0);
  std::tie(code, check) =
      one_check(db.url(), "cache_hit", {"--warning", "cache_hit=100", "--critical", "cache_hit=0"});
  EXPECT_EQ(check["status"], "WARNING") << check.dump();
  std::tie(code, check) = one_check(db.url(), "cache_hit", {"--critical", "cache_hit=100"});
  EXPECT_EQ(check["status"], "CRITICAL") << check.dump();

  const auto bad = run_agentdb({"health", "--database-url", db.url(), "--check", "nosuch"});
  EXPECT_EQ(bad.exit_code, 3);  // the plugin convention: a usage error is UNKNOWN
  EXPECT_NE(bad.err.find("unknown check 'nosuch'"), std::string::npos) << bad.err;
  const auto bad_value =
      run_agentdb({"health", "--database-url", db.url(), "--warning", "long_query=soon"});
  EXPECT_EQ(bad_value.exit_code, 3);
  EXPECT_EQ(run_agentdb({"health", "--no-such-option"}).exit_code, 3);
  EXPECT_EQ(run_agentdb({"--config", "/nonexistent/agentdb.toml", "health"}).exit_code, 3);
  EXPECT_EQ(run_agentdb({"migrate", "--no-such-option"}).exit_code, 2);  // elsewhere: usage is 2
}

TEST(Health, AbsurdOrCrossedThresholdsAreUnknownNamingTheCheckAndWhereTheyWereWritten) {
  ScratchDatabase db;
  TempDir dir;
  dir.write("agentdb.toml", "[health.connections]\nwarning = 150\n");
  const auto config = (dir.path() / "agentdb.toml").string();
  const auto from_file = run_agentdb({"--config", config, "health", "--database-url", db.url()});
  EXPECT_EQ(from_file.exit_code, 3);  // UNKNOWN, never a status of the checks
  EXPECT_EQ(std::count(from_file.err.begin(), from_file.err.end(), '\n'), 1) << from_file.err;
  EXPECT_NE(from_file.err.find("'150' for connections in " + config), std::string::npos)
      << from_file.err;
  EXPECT_NE(from_file.err.find("from 0 to 100"), std::string::npos) << from_file.err;
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--warning", "long_query=-1s"},
        {"--critical", "replication=2PB"},
        {"--warning", "lock_waits=nan"},
        {"--warning", "connections=90", "--critical", "connections=85"},
        {"--timeout", "2h"},
        {"--watch", "inf"}}) {
    std::vector<std::string> args{"health", "--database-url", db.url()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run_agentdb(args);
    EXPECT_EQ(result.exit_code, 3) << extra[1] << ": " << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
}

TEST(Health, RedisLatencyAndMemoryAgainstARealRedisServer) {
  ScratchDatabase db;
  RedisServer redis;
  const std::vector<std::pair<std::string, std::string>> env{{"REDIS_URL", redis.url()}};
  auto [code, check] = one_check(db.url(), "redis", {}, env);
  EXPECT_EQ(check["status"], "OK") << check.dump();
  std::tie(code, check) = one_check(db.url(), "redis", {"--warning", "redis=0"}, env);
  EXPECT_EQ(check["status"], "WARNING");
  std::tie(code, check) = one_check(db.url(), "redis_memory", {}, env);
  EXPECT_EQ(check["status"], "OK");
  const auto used =
      health::probe_redis(db::parse_redis_url(redis.url()), std::chrono::seconds(2)).used_memory;
  // maxmemory just above what is used: past 80% (WARNING), then past 95% (CRITICAL).
  redis_command(redis.port(), {"CONFIG", "SET", "maxmemory", std::to_string(used * 100 / 88)});
  std::tie(code, check) = one_check(db.url(), "redis_memory", {}, env);
  EXPECT_EQ(check["status"], "WARNING") << check.dump();
  redis_command(redis.port(), {"CONFIG", "SET", "maxmemory", std::to_string(used * 100 / 97)});
  std::tie(code, check) = one_check(db.url(), "redis_memory", {}, env);
  EXPECT_EQ(check["status"], "CRITICAL") << check.dump();
  // A password: the right one passes, a wrong one is CRITICAL and never printed.
  redis_command(redis.port(), {"CONFIG", "SET", "maxmemory", "0"});
  redis_command(redis.port(), {"CONFIG", "SET", "requirepass", "s3cret-pw"});
  const auto with_password = "redis://:s3cret-pw@127.0.0.1:" + std::to_string(redis.port());
  std::tie(code, check) = one_check(db.url(), "redis", {"--redis-url", with_password});
  EXPECT_EQ(check["status"], "OK") << check.dump();
  const auto wrong =
      run_agentdb({"--json", "health", "--database-url", db.url(), "--check", "redis",
                   "--redis-url", "redis://:wrong-pw@127.0.0.1:" + std::to_string(redis.port())});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_EQ(wrong.out.find("wrong-pw"), std::string::npos);
  EXPECT_EQ(wrong.err.find("wrong-pw"), std::string::npos);
  redis.stop();
  std::tie(code, check) = one_check(db.url(), "redis", {}, env);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(check["status"], "CRITICAL");
  EXPECT_NE(check["summary"].get<std::string>().find("refused"), std::string::npos) << check.dump();
}

TEST(Health, QdrantReadinessAndConfiguredCollections) {
  ScratchDatabase db;
  QdrantStandIn qdrant;
  TempDir dir;
  dir.write("collections.json",
            R"({"collections": {"memory": {"vectors": {"size": 4, "distance": "Cosine"}}}})");
  const std::vector<std::pair<std::string, std::string>> env{
      {"QDRANT_URL", qdrant.url()},
      {"QDRANT_COLLECTIONS_FILE", (dir.path() / "collections.json").string()}};
  auto [code, check] = one_check(db.url(), "qdrant", {}, env);
  EXPECT_EQ(check["status"], "CRITICAL") << check.dump();
  EXPECT_NE(check["summary"].get<std::string>().find("missing collection(s): memory"),
            std::string::npos);
  ASSERT_EQ(run_agentdb({"qdrant", "apply", "--yes"}, env).exit_code, 0);
  std::tie(code, check) = one_check(db.url(), "qdrant", {}, env);
  EXPECT_EQ(check["status"], "OK") << check.dump();
  std::tie(code, check) = one_check(db.url(), "qdrant", {"--warning", "qdrant=0"}, env);
  EXPECT_EQ(check["status"], "WARNING");
  EXPECT_EQ(qdrant.violations().size(), 0u) << qdrant.violations().dump();
  const auto dead = "http://127.0.0.1:" + std::to_string(free_port());
  std::tie(code, check) = one_check(db.url(), "qdrant", {"--qdrant-url", dead});
  EXPECT_EQ(check["status"], "CRITICAL");
}

TEST(Health, AHostThatDropsPacketsIsCriticalWithinTheTimeout) {
  // A listener whose accept queue is full: the kernel drops every further SYN, as a firewall
  // that drops packets would, so the client hears nothing at all.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::vector<int> fillers;
  for (int i = 0; i < 3; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    (void)::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    fillers.push_back(fd);
  }
  const auto url =
      "postgresql://agentdb@127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/agentdb";
  const auto started = Clock::now();
  int code = -1;
  const auto report = health_json({"--database-url", url, "--timeout", "1500ms"}, {}, code);
  const auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_EQ(code, 2);
  // The report's own clock starts after the process started; the wall time includes that.
  EXPECT_GE(report["elapsed_ms"].get<double>(), 1400);
  EXPECT_LE(report["elapsed_ms"].get<double>(), 1700);
  EXPECT_LT(seconds, 4.0);
  const auto connection = check_of(report, "connection");
  EXPECT_EQ(connection["status"], "CRITICAL");
  EXPECT_EQ(connection["detail"]["reason"], "timed out") << connection.dump();
  EXPECT_EQ(check_of(report, "long_query")["status"], "UNKNOWN");
  for (const int fd : fillers)
    ::close(fd);
  ::close(listener);
}

// The pool's own guarantees, in process: exhaustion times out, and a dead connection is replaced.
TEST(Pool, AcquireTimesOutWhenExhaustedAndBrokenConnectionsAreReplaced) {
  ScratchDatabase db;
  db::PoolSettings settings;
  settings.max_size = 2;
  settings.acquire_timeout = std::chrono::milliseconds(200);
  settings.stale_after = std::chrono::milliseconds(0);
  db::ConnectionPool pool(db.target(), settings);
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
    const auto started = Clock::now();
    EXPECT_THROW((void)pool.acquire(), db::PoolTimeout);
    EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(190));
    EXPECT_EQ(pool.counters().in_use, 2);
    // Kill b's backend from a: b goes back to the pool dead.
    (void)a->exec("SELECT pg_terminate_backend(" + std::to_string(b->backend_pid()) + ")");
  }
  EXPECT_EQ(pool.counters().timeouts, 1u);
  // The stale check (every reuse here) finds the dead one and opens a fresh connection.
  auto c = pool.acquire();
  auto d = pool.acquire();
  EXPECT_EQ(c->exec("SELECT 1")[0][0].as<int>(), 1);
  EXPECT_EQ(d->exec("SELECT 1")[0][0].as<int>(), 1);
  const auto counters = pool.counters();
  EXPECT_EQ(counters.broken, 1u);
  EXPECT_EQ(counters.opened, 3u);
  EXPECT_EQ(counters.size, 2);
}

TEST(Pool, StatusSummarisesConnectionsAndPgBouncerPools) {
  ScratchDatabase db;
  auto idle = db.connect();
  (void)idle->exec("SET application_name = 'health-test-app'; BEGIN; SELECT 1");
  PgBouncer pgbouncer(host_of(cluster().conninfo));
  // Traffic through PgBouncer, so that it has a pool to show.
  const auto through = pgbouncer.url(db.target().dbname);
  const auto probe = run_agentdb(
      {"pool", "probe", "--database-url", through, "--connections", "2", "--duration", "1s"});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  const auto result = run_agentdb({"--json", "pool", "status", "--database-url", db.url(),
                                   "--pgbouncer", pgbouncer.url("pgbouncer")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto status = json::parse(result.out);
  EXPECT_EQ(status["by_application"]["health-test-app"], 1);
  EXPECT_GE(status["by_state"]["idle in transaction"].get<int>(), 1);
  EXPECT_EQ(status["oldest_transaction"]["application"], "health-test-app");
  EXPECT_GT(status["connections"]["headroom"].get<int>(), 0);
  bool found = false;
  for (const auto& pool : status["pgbouncer"]) {
    if (pool["database"] == db.target().dbname) {
      found = true;
      EXPECT_EQ(pool["mode"], "transaction");
      EXPECT_GE(pool["servers_idle"].get<int>() + pool["servers_used"].get<int>(), 1)
          << pool.dump();
    }
  }
  EXPECT_TRUE(found) << status["pgbouncer"].dump();
}

// stderr is a file here, not a terminal: a long probe still shows that it is alive, every few
// seconds, on stderr only.
TEST(Pool, ProbeProgressReachesALogWhenStderrIsNotATerminal) {
  ScratchDatabase db;
  const auto probe = run_agentdb(
      {"pool", "probe", "--database-url", db.url(), "--connections", "1", "--duration", "7s"});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  std::istringstream lines(probe.err);
  int progress = 0;
  for (std::string line; std::getline(lines, line);)
    progress += line.starts_with("agentdb: ") && line.find(" queries ") != std::string::npos;
  EXPECT_GE(progress, 1) << probe.err;
  EXPECT_EQ(probe.err.find('\r'), std::string::npos) << probe.err;  // no live-line redraws
  EXPECT_EQ(probe.out.find(" queries  "), std::string::npos) << probe.out;
}

// A cluster of the test's own: filled to its connection limit, restarted under a running probe,
// and stopped.
TEST(Health, OwnServerNearItsLimitRestartedUnderLoadAndStopped) {
  TempDir dir;
  const Output quiet(OutputSettings{OutputFormat::text, true, 0, false});
  local::LocalCluster server(dir.path() / "home");
  server.start(quiet);
  {
    auto session = db::Session::open(server.target());
    (void)session->exec("ALTER SYSTEM SET max_connections = 20");
  }
  server.stop(quiet);
  server.start(quiet);
  const auto url = db::conninfo_with_password(server.target());

  // 20 connections minus 3 reserved: 17. Holding 14, health's own makes 15 (88%): WARNING.
  std::vector<std::unique_ptr<db::Session>> held;
  for (int i = 0; i < 14; ++i)
    held.push_back(db::Session::open(server.target()));
  auto [code, check] = one_check(url, "connections");
  EXPECT_EQ(check["status"], "WARNING") << check.dump();
  EXPECT_EQ(check["detail"]["used"], 15);
  for (int i = 0; i < 2; ++i)
    held.push_back(db::Session::open(server.target()));
  std::tie(code, check) = one_check(url, "connections");
  EXPECT_EQ(check["status"], "CRITICAL") << check.dump();
  held.clear();

  // pool probe across a restart: errors are counted and the recovery is reported.
  auto probe = std::async(std::launch::async, [&] {
    return run_agentdb({"--json", "pool", "probe", "--database-url", url, "--connections", "4",
                        "--duration", "5s", "--stale-after", "0"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  server.stop(quiet);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server.start(quiet);
  const auto result = probe.get();
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const auto report = json::parse(result.out);
  EXPECT_GT(report["errors"]["total"].get<int>(), 0) << report.dump();
  ASSERT_GE(report["outages"].size(), 1u) << report.dump();
  EXPECT_TRUE(report["outages"].back()["recovered"].get<bool>()) << report.dump();
  EXPECT_GT(report["queries"].get<int>(), 100);
  EXPECT_GT(report["pool"]["opened"].get<int>(), 4);

  // A stopped server: CRITICAL naming why, the checks it made impossible UNKNOWN.
  server.stop(quiet);
  int exit = -1;
  const auto stopped = health_json({"--database-url", url}, {}, exit);
  EXPECT_EQ(exit, 2);
  const auto connection = check_of(stopped, "connection");
  EXPECT_EQ(connection["status"], "CRITICAL");
  EXPECT_EQ(connection["detail"]["reason"], "no server at that socket") << connection.dump();
  EXPECT_EQ(check_of(stopped, "lock_waits")["status"], "UNKNOWN");
  const auto nagios = run_agentdb({"health", "--database-url", url, "--nagios"});
  EXPECT_EQ(nagios.exit_code, 2);
  EXPECT_EQ(nagios.out.rfind("AGENTDB CRITICAL - connection CRITICAL: cannot connect", 0), 0u)
      << nagios.out;
  server.destroy(quiet);
}

// A real streaming standby of a cluster of the test's own, its replay paused while the primary
// writes: the lag the primary sees (and the standby's own view) reaches WARNING and CRITICAL.
TEST(Health, ReplicationLagOfAPausedStandbyReachesWarningAndCritical) {
  TempDir dir;
  const Output quiet(OutputSettings{OutputFormat::text, true, 0, false});
  local::LocalCluster primary(dir.path() / "primary");
  primary.start(quiet);
  Standby standby(primary, dir.path());
  const auto& standby_target = standby.target();
  const auto primary_url = db::conninfo_with_password(primary.target());
  const auto standby_url = db::conninfo_with_password(standby_target);

  auto watcher = db::Session::open(primary.target());
  const auto wait_for = [&](const std::string& condition) {
    for (int i = 0; i < 100; ++i) {
      if (watcher
              ->exec("SELECT coalesce(bool_or(" + condition +
                     "), false) FROM pg_stat_replication")[0][0]
              .as<bool>())
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "timed out waiting for " << condition;
  };
  wait_for("replay_lsn IS NOT NULL");
  auto [code, check] = one_check(primary_url, "replication");
  EXPECT_EQ(check["status"], "OK") << check.dump();
  EXPECT_EQ(check["detail"]["standbys"].size(), 1u) << check.dump();

  (void)db::Session::open(standby_target)->exec("SELECT pg_wal_replay_pause()");
  (void)db::Session::open(primary.target())
      ->exec(
          "CREATE TABLE filler AS SELECT g, repeat('x', 1000) AS pad"
          " FROM generate_series(1, 4000) g");
  // Wait until the standby has received the WAL (and reported its unchanged replay position).
  wait_for("pg_wal_lsn_diff(flush_lsn, replay_lsn) > 2000000");
  std::tie(code, check) = one_check(primary_url, "replication", {"--warning", "replication=1MB"});
  EXPECT_EQ(code, 1);
  EXPECT_EQ(check["status"], "WARNING") << check.dump();
  EXPECT_GT(check["value"].get<double>(), 2e6);
  std::tie(code, check) = one_check(primary_url, "replication", {"--critical", "replication=1MB"});
  EXPECT_EQ(check["status"], "CRITICAL") << check.dump();
  std::tie(code, check) = one_check(standby_url, "replication", {"--warning", "replication=1MB"});
  EXPECT_EQ(check["status"], "WARNING") << check.dump();
  EXPECT_EQ(check["detail"]["role"], "standby");

  (void)db::Session::open(standby_target)->exec("SELECT pg_wal_replay_resume()");
  standby.stop();
  primary.destroy(quiet);
}

}  // namespace agentdb::testing
