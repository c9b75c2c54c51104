// What a health check is and what it yields: a status in the monitoring-plugin sense, a measured
// value with its unit, the thresholds it was judged against, and the details behind it.
#pragma once

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentdb::health {

// Exit codes follow the monitoring-plugin convention: OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3.
// A skipped check (Qdrant or Redis not configured) counts as OK.
enum class Status { ok, warning, critical, unknown, skipped };

[[nodiscard]] const char* to_string(Status status);
[[nodiscard]] PluginStatus plugin_status(Status status);
[[nodiscard]] inline int exit_code(Status status) {
  return static_cast<int>(plugin_status(status));
}
// The worse of two, ranked CRITICAL > WARNING > UNKNOWN > OK = SKIPPED (so an unreachable server is
// CRITICAL although the checks it made impossible are UNKNOWN).
[[nodiscard]] Status worse(Status a, Status b);

enum class Unit { milliseconds, seconds, percent, count, bytes, version };
// Higher values are worse for most checks; for cache hit ratio and server version, lower ones.
enum class Direction { higher_is_worse, lower_is_worse };

struct CheckSpec {
  std::string_view name;
  std::string_view description;
  Unit unit;
  Direction direction;
  std::optional<double> warning;  // default thresholds; nullopt: never raises that level
  std::optional<double> critical;
  bool needs_database;
};

// Every check, in the order they run and print.
[[nodiscard]] const std::vector<CheckSpec>& all_checks();
[[nodiscard]] const CheckSpec* find_check(std::string_view name);

struct Thresholds {
  std::optional<double> warning;
  std::optional<double> critical;
};

// Parses a threshold for a check of `unit`: durations may carry ms/s/m/h/d, sizes
// kB/MB/GB/TB/PB, percentages %; a bare number is in the check's own unit. nullopt when malformed
// (a sign, an exponent, inf or nan, trailing text) or outside what the unit takes (negative, a
// percentage over 100, a duration over 30 days, a size over 1 PB, a count over 2^31).
[[nodiscard]] std::optional<double> parse_threshold(Unit unit, std::string_view text);
// What parse_threshold takes for `unit`, for error hints: "a percentage from 0 to 100, ...".
[[nodiscard]] std::string accepted_thresholds(Unit unit);
// Whether a warning threshold lies beyond the critical one in `direction`, so it could never
// raise a WARNING before the CRITICAL.
[[nodiscard]] bool beyond(double warning, double critical, Direction direction);

// OK, WARNING or CRITICAL for a value against thresholds in the given direction.
[[nodiscard]] Status judge(double value, const Thresholds& thresholds, Direction direction);

// One perfdata item: 'label'=value[uom];warn;crit;min;max.
struct Perfdata {
  std::string label;
  double value = 0;
  std::string uom;
  Thresholds thresholds;
  Direction direction = Direction::higher_is_worse;
  std::optional<double> min;
  std::optional<double> max;
};

struct CheckResult {
  std::string name;
  Status status = Status::unknown;
  std::optional<double> value;
  Unit unit = Unit::count;
  Thresholds thresholds;
  std::string summary;  // one line: "12 of 97 (12%)", "cannot connect: refused"
  nlohmann::json detail = nlohmann::json::object();
  std::vector<Perfdata> perfdata;
};

// A check chosen for a run, with the thresholds it is judged against.
struct SelectedCheck {
  const CheckSpec* spec = nullptr;
  Thresholds thresholds;
};

// A result for `check` that carries only a status and a summary (not run, skipped, failed).
[[nodiscard]] CheckResult result_of(const SelectedCheck& check, Status status, std::string summary);

// The value as people read it: "3.2 ms", "41 s", "12%", "1.2 GB", "15.4".
[[nodiscard]] std::string format_value(double value, Unit unit);

}  // namespace agentdb::health
