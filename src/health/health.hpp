// health's public interface for front ends (the command line, serve): request -> result functions
// with no printing and no exit codes, safe to call from many threads at once. The command line's
// subcommands are registered by health_command.hpp.
#pragma once

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/connection_target.hpp"
#include "db/members.hpp"
#include "db/pool.hpp"
#include "health/check.hpp"
#include "health/probe.hpp"
#include "qdrant/qdrant.hpp"

namespace agentdb::db {
class Session;
}

namespace agentdb::health {

struct MigrationsSource {
  std::filesystem::path dir;
  bool configured = false;  // named by flag, environment or agentdb.toml (else ./migrations)
};

// The Qdrant to check; a request without one reports the check SKIPPED.
struct QdrantCheckSettings {
  qdrant::ClientSettings
      client;  // its url is the Qdrant checked; the timeout comes from the deadline
  std::optional<qdrant::CollectionsFile> collections;  // checked to exist when declared
  std::optional<std::string> collections_error;        // why the collections file was unreadable
};

struct HealthRequest {
  // Required when a selected check needs the database.
  std::optional<db::ConnectionTarget> database;
  std::vector<SelectedCheck> checks;  // in the order they run and are reported
  // Every check gets the time left until `deadline` (connect_timeout, statement_timeout, Redis and
  // Qdrant timeouts); whatever is still running then is cancelled or left to finish on its own.
  std::chrono::steady_clock::time_point deadline;
  std::chrono::milliseconds timeout{5'000};  // the length the deadline was set from, for messages
  std::optional<QdrantCheckSettings> qdrant;
  std::optional<std::string> redis_url;  // redis:// or unix://; none: the Redis checks are SKIPPED
  MigrationsSource migrations;
};

struct HealthReport {
  std::vector<CheckResult> checks;
  std::string database;  // display form, never a password
  double elapsed_ms = 0;
  // The deadline passed while a network call still ran; it ends on a thread of its own, and
  // what it measures after the deadline is dropped.
  bool left_running = false;
};

// Runs the checks, each bounded by the request's deadline. A check that failed is a result; only
// errors in the request itself are thrown (Error(usage) for a malformed Redis URL, the like).
[[nodiscard]] HealthReport run_checks(const HealthRequest& request);

// The worst status of the report, which makes the plugin exit code.
[[nodiscard]] Status overall(const HealthReport& report);

// Client connections against the server's limit, as `health` judges them and `pool status` shows.
struct ConnectionLimits {
  long long used = 0;  // client backends, this session included
  long long max_connections = 0;
  long long reserved = 0;  // superuser_reserved_connections (+ reserved_connections, 16+)
  [[nodiscard]] long long available() const { return std::max(1LL, max_connections - reserved); }
  [[nodiscard]] long long headroom() const { return max_connections - reserved - used; }
};

struct PoolStatusRequest {
  std::optional<db::ConnectionTarget> pgbouncer;  // its admin console, when one is to be shown
};

struct OldestTransaction {
  int pid = 0;
  std::string user, application, state;  // "-" when the server does not say
  double seconds = 0;
  std::string query;  // on one line
};

// One pool of SHOW POOLS with its database's averages from SHOW STATS (absent when it has none).
struct PgBouncerPool {
  std::string database, user, mode;
  long long clients_active = 0, clients_waiting = 0;
  long long servers_active = 0, servers_idle = 0, servers_used = 0;
  double max_wait_s = 0;
  struct Averages {
    double wait_ms = 0;
    double query_ms = 0;
    long long queries_per_s = 0;
  };
  std::optional<Averages> averages;
};

using ConnectionCounts = std::map<std::string, long long>;  // by name; "(none)" for empty ones

struct PoolStatus {
  std::string database;  // display form
  ConnectionLimits connections;
  ConnectionCounts by_state, by_application, by_user, by_client;
  std::optional<OldestTransaction> oldest_transaction;
  std::optional<std::vector<PgBouncerPool>> pgbouncer;
  std::vector<db::MemberState> members;  // each host's role, timeline and lag, when several
};

// Who uses the connections of the session's server (pg_stat_activity), PgBouncer's pools, and
// with several hosts in the target, each member's role, timeline and lag.
[[nodiscard]] PoolStatus pool_status(db::Session& session, const PoolStatusRequest& request);

struct PoolProbeRequest {
  db::ConnectionTarget database;
  db::PoolSettings pool;
  ProbeSettings probe;
  std::function<void()> on_ready;  // the first query answered; the measured run starts now
  ProbeTick tick;                  // once a second
  std::function<bool()> stop;      // asked every 100 ms; true ends the run early
};

// Opens a pool, runs the query once (a wrong URL or query throws here, not N times a second), then
// drives the pool for the probe's duration. Failures during the run are counted, not thrown.
[[nodiscard]] ProbeResult probe_pool(const PoolProbeRequest& request);

// ---- wait: until the database accepts connections (and, asked, migrations are current)

struct WaitRequest {
  db::ConnectionTarget database;
  std::chrono::milliseconds timeout{60'000};
  // Also wait until no revision of this folder is pending (and none drifted).
  std::optional<std::filesystem::path> migrations;
  std::function<void(const std::string&)> on_change;  // what an attempt saw, when it changed
  std::function<bool()> stop;                         // asked between attempts; true gives up
};

struct WaitResult {
  bool ready = false;
  int attempts = 0;
  double waited_ms = 0;
  std::string last_seen;  // "accepting connections", or why the last attempt was not ready
  int server_version = 0;
  std::optional<long long> schema_version;  // the newest applied revision, with migrations
};

// Tries until ready or the timeout, each attempt bounded by the time left, a short pause between
// them. A request error (an unreadable migrations folder) is thrown; an unready database is the
// result.
[[nodiscard]] WaitResult wait_until_ready(const WaitRequest& request);

}  // namespace agentdb::health
