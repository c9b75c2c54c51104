// Real servers a test starts for itself beside PostgreSQL: redis-server, PgBouncer in front of a
// cluster's socket, and a streaming standby of a cluster made with pg_basebackup. Each is stopped
// (SIGTERM, or pg_ctl stop) when its object goes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "local/cluster.hpp"
#include "test_support.hpp"
#include "util/subprocess.hpp"

namespace agentdb::testing {

// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
[[nodiscard]] int free_port();
[[nodiscard]] bool port_open(int port);
// A TCP connection to 127.0.0.1:port; -1 when refused. The caller closes it.
[[nodiscard]] int connect_loopback(int port);
// Waits up to 5 s; false when nothing listens by then.
[[nodiscard]] bool wait_for_port(int port);

// A server process of the test's own (stdout to /dev/null), stopped with SIGTERM at the end.
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> args);
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  void stop();

 private:
  int pid_ = 0;
};

class RedisServer {
 public:
  RedisServer();
  [[nodiscard]] std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int port() const { return port_; }
  void stop() { process_.stop(); }

 private:
  TempDir dir_;
  int port_;
  ServerProcess process_;
};

// One raw RESP command over a socket (redis-cli is not needed); the reply as Redis sent it.
std::string redis_command(int port, const std::vector<std::string>& words);

// PgBouncer in transaction pooling in front of the PostgreSQL server whose socket directory (or
// host) `host` names, with `server_pool_size` server connections per database and user; trust
// auth, user agentdb as its admin. As root it runs as the postgres user.
class PgBouncer {
 public:
  explicit PgBouncer(const std::string& host, int server_pool_size = 20);
  [[nodiscard]] int port() const { return port_; }
  // postgresql://USER@127.0.0.1:PORT/DBNAME through PgBouncer.
  [[nodiscard]] std::string url(const std::string& dbname,
                                const std::string& user = "agentdb") const;

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<ServerProcess> process_;
};

// The socket directory (host=...) of a conninfo, such as the shared test cluster's.
[[nodiscard]] std::string host_of(const std::string& conninfo);

// A hot standby of `primary` (pg_basebackup -R, streaming) on its own socket directory.
class Standby {
 public:
  Standby(const local::LocalCluster& primary, const std::filesystem::path& dir);
  ~Standby() { stop(); }
  Standby(const Standby&) = delete;
  Standby& operator=(const Standby&) = delete;

  [[nodiscard]] const db::ConnectionTarget& target() const { return target_; }
  [[nodiscard]] std::string url(const std::string& dbname = "agentdb") const;
  void start();
  void stop();

 private:
  util::ProcessOptions as_server_;
  std::filesystem::path data_;
  std::filesystem::path socket_dir_;
  std::filesystem::path log_;
  db::ConnectionTarget target_;
  bool running_ = false;
};

}  // namespace agentdb::testing
