// The embedded default: a private PostgreSQL cluster under ./.agentdb (or AGENTDB_HOME), created
// with initdb on first use, reachable only through a Unix socket inside it.
#pragma once

#include <filesystem>
#include <string>

#include "core/output.hpp"
#include "db/connection_target.hpp"

namespace agentdb::local {

enum class ClusterState { absent, stopped, running };

struct ClusterPaths {
  std::filesystem::path home;  // what the user named (./.agentdb)
  std::filesystem::path root;  // owned by the server's user: data/, run/, postgresql.log
  std::filesystem::path data;
  std::filesystem::path socket_dir;  // may sit under /tmp when the natural path is too long
  std::filesystem::path log_file;
};

class LocalCluster {
 public:
  explicit LocalCluster(std::filesystem::path home);

  [[nodiscard]] ClusterState state() const;
  [[nodiscard]] const ClusterPaths& paths() const { return paths_; }
  [[nodiscard]] std::string server_user() const;

  // Creates the cluster when absent and starts it when stopped; safe to run concurrently.
  void start(const Output& out);
  void stop(const Output& out);
  // Stops the server and removes the cluster's files.
  void destroy(const Output& out);

  // The agentdb database of this cluster.
  [[nodiscard]] db::ConnectionTarget target(const std::string& dbname = "agentdb") const;

  // target() after start() when the socket is not there yet; the common path costs one stat().
  [[nodiscard]] db::ConnectionTarget ensure_running(const Output& out);

 private:
  void initialise(const Output& out);
  void create_database();

  ClusterPaths paths_;
};

// AGENTDB_HOME, else ./.agentdb, made absolute.
[[nodiscard]] std::filesystem::path default_home(const std::string& configured);

}  // namespace agentdb::local
