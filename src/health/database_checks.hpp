// The PostgreSQL checks of `agentdb health`, each one query (or two) over one session.
#pragma once

#include <filesystem>

#include "db/session.hpp"
#include "health/check.hpp"

namespace agentdb::health {

struct MigrationsSource {
  std::filesystem::path dir;
  bool configured = false;  // named by flag, environment or agentdb.toml (else ./migrations)
};

// Runs one check of all_checks() that needs the database (not "connection", which is measured
// while connecting). Throws agentdb errors from the session (QueryError, lost connection).
[[nodiscard]] CheckResult run_database_check(const CheckSpec& spec, const Thresholds& thresholds,
                                             db::Session& session,
                                             const MigrationsSource& migrations);

}  // namespace agentdb::health
