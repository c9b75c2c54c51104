// The embedded default: a private PostgreSQL cluster under ./.agentdb (or AGENTDB_HOME), created
// with initdb on first use, reachable only through a Unix socket inside it.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/output.hpp"
#include "db/connection_target.hpp"

namespace agentdb::local {

enum class ClusterState { absent, stopped, running };

[[nodiscard]] const char* to_string(ClusterState state);

// Where the cluster says what it is doing (creating itself, a fallback location); the cluster
// prints nothing itself. From an Output, its note and warn.
struct Messages {
  std::function<void(const std::string&)> note;
  std::function<void(const std::string&)> warn;

  Messages(std::function<void(const std::string&)> on_note,
           std::function<void(const std::string&)> on_warn)
      : note(std::move(on_note)), warn(std::move(on_warn)) {}
  // Implicit, so that callers holding an Output pass it as they are.
  Messages(const Output& out);  // NOLINT(google-explicit-constructor)
};

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
  void start(const Messages& messages);
  void stop(const Messages& messages);
  // Stops the server and removes the cluster's files.
  void destroy(const Messages& messages);

  // The agentdb database of this cluster.
  [[nodiscard]] db::ConnectionTarget target(const std::string& dbname = "agentdb") const;

  // target() after start() when the socket is not there yet; the common path costs one stat().
  [[nodiscard]] db::ConnectionTarget ensure_running(const Messages& messages);

 private:
  void initialise(const Messages& messages);
  void create_database();

  ClusterPaths paths_;
};

// AGENTDB_HOME, else ./.agentdb, made absolute.
[[nodiscard]] std::filesystem::path default_home(const std::string& configured);
// AGENTDB_HOME, then local.home in agentdb.toml, then ./.agentdb, made absolute.
[[nodiscard]] std::filesystem::path configured_home(const Config& config);

// What `local status` reports: the state, where the files are, and the URL unless absent.
struct ClusterStatus {
  ClusterState state = ClusterState::absent;
  ClusterPaths paths;
  std::optional<std::string> url;  // the target's display form
};
[[nodiscard]] ClusterStatus cluster_status(const std::filesystem::path& home);

}  // namespace agentdb::local
