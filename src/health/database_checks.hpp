// The PostgreSQL checks of `agentdb health`, each one query (or two) over one session.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "db/rows.hpp"
#include "db/session.hpp"
#include "health/check.hpp"
#include "health/health.hpp"

namespace agentdb::health {

[[nodiscard]] ConnectionLimits read_connection_limits(db::Session& session);

// Runs one check of all_checks() that needs the database (not "connection", which is measured
// while connecting). Throws agentdb errors from the session (QueryError, lost connection).
[[nodiscard]] CheckResult run_database_check(const CheckSpec& spec, const Thresholds& thresholds,
                                             db::Session& session,
                                             const MigrationsSource& migrations);

// The checks that read pg_stat_activity (activity_checks.cpp).
// The oldest session in `state_condition` other than this one, by `since_column`.
[[nodiscard]] CheckResult longest_session(const CheckSpec& spec, const Thresholds& thresholds,
                                          db::Session& session, std::string_view state_condition,
                                          std::string_view since_column, std::string_view what,
                                          std::string_view none);
[[nodiscard]] CheckResult lock_waits(const CheckSpec& spec, const Thresholds& thresholds,
                                     db::Session& session);

// What the database checks share: a result judged against its thresholds, and perfdata for it.
[[nodiscard]] CheckResult judged(const CheckSpec& spec, const Thresholds& thresholds, double value,
                                 std::string summary);
[[nodiscard]] Perfdata perf(const CheckSpec& spec, const Thresholds& thresholds, std::string label,
                            double value, std::string uom, std::optional<double> min = std::nullopt,
                            std::optional<double> max = std::nullopt);
// A text column, empty when NULL.
[[nodiscard]] std::string optional_text(const db::Value& field);
// "user/application" of a pg_stat_activity row, "?" when neither is known.
[[nodiscard]] std::string who(const db::Row& row, std::string_view user_column,
                              std::string_view app_column);

}  // namespace agentdb::health
