// The PostgreSQL checks of `agentdb health`, each one query (or two) over one session.
#pragma once

#include <algorithm>
#include <filesystem>

#include "db/session.hpp"
#include "health/check.hpp"

namespace agentdb::health {

struct MigrationsSource {
  std::filesystem::path dir;
  bool configured = false;  // named by flag, environment or agentdb.toml (else ./migrations)
};

// Client connections against the server's limit, as `health` judges them and `pool status` shows
// them.
struct ConnectionLimits {
  long long used = 0;  // client backends, this session included
  long long max_connections = 0;
  long long reserved = 0;  // superuser_reserved_connections (+ reserved_connections, 16+)
  [[nodiscard]] long long available() const { return std::max(1LL, max_connections - reserved); }
  [[nodiscard]] long long headroom() const { return max_connections - reserved - used; }
};

[[nodiscard]] ConnectionLimits read_connection_limits(db::Session& session);

// Runs one check of all_checks() that needs the database (not "connection", which is measured
// while connecting). Throws agentdb errors from the session (QueryError, lost connection).
[[nodiscard]] CheckResult run_database_check(const CheckSpec& spec, const Thresholds& thresholds,
                                             db::Session& session,
                                             const MigrationsSource& migrations);

}  // namespace agentdb::health
