#include "health/check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::health {

namespace {

int rank(Status status) {
  switch (status) {
    case Status::ok:
    case Status::skipped:
      return 0;
    case Status::unknown:
      return 1;
    case Status::warning:
      return 2;
    case Status::critical:
      return 3;
  }
  return 1;
}

constexpr double kMB = 1e6;

}  // namespace

const char* to_string(Status status) {
  switch (status) {
    case Status::ok:
      return "OK";
    case Status::warning:
      return "WARNING";
    case Status::critical:
      return "CRITICAL";
    case Status::unknown:
      return "UNKNOWN";
    case Status::skipped:
      return "SKIPPED";
  }
  return "UNKNOWN";
}

PluginStatus plugin_status(Status status) {
  switch (status) {
    case Status::ok:
    case Status::skipped:
      return PluginStatus::ok;
    case Status::warning:
      return PluginStatus::warning;
    case Status::critical:
      return PluginStatus::critical;
    case Status::unknown:
      return PluginStatus::unknown;
  }
  return PluginStatus::unknown;
}

Status worse(Status a, Status b) {
  return rank(b) > rank(a) ? b : a;
}

const std::vector<CheckSpec>& all_checks() {
  using U = Unit;
  using D = Direction;
  static const std::vector<CheckSpec> checks = {
      {"connection", "time to connect and authenticate", U::milliseconds, D::higher_is_worse, 100,
       1000, true},
      {"server_version", "PostgreSQL major version (below 15 is past end of life)", U::version,
       D::lower_is_worse, 15, 13, true},
      {"migrations", "revisions pending; drift, failed or missing revisions are CRITICAL", U::count,
       D::higher_is_worse, 0, std::nullopt, true},
      {"connections", "connections in use against max_connections minus reserved", U::percent,
       D::higher_is_worse, 80, 95, true},
      {"long_query", "longest running query", U::seconds, D::higher_is_worse, 60, 300, true},
      {"idle_in_transaction", "longest idle-in-transaction session", U::seconds, D::higher_is_worse,
       60, 300, true},
      {"lock_waits", "longest wait on a lock, with the blocking chain", U::seconds,
       D::higher_is_worse, 10, 60, true},
      {"wraparound", "oldest transaction ID age of any database", U::count, D::higher_is_worse,
       1'000'000'000, 1'500'000'000, true},
      {"cache_hit", "buffer cache hit ratio of this database", U::percent, D::lower_is_worse, 95,
       90, true},
      {"database_size", "size of this database", U::bytes, D::higher_is_worse, std::nullopt,
       std::nullopt, true},
      {"replication", "replay lag of the most lagging standby", U::bytes, D::higher_is_worse,
       64 * kMB, 1000 * kMB, true},
      {"qdrant", "Qdrant readiness and the configured collections", U::milliseconds,
       D::higher_is_worse, 500, 2000, false},
      {"redis", "Redis PING round trip", U::milliseconds, D::higher_is_worse, 50, 500, false},
      {"redis_memory", "Redis memory used against maxmemory", U::percent, D::higher_is_worse, 80,
       95, false},
  };
  return checks;
}

const CheckSpec* find_check(std::string_view name) {
  for (const auto& check : all_checks()) {
    if (check.name == name)
      return &check;
  }
  return nullptr;
}

namespace {

// The largest threshold a check of each unit takes: beyond it a value is a typing mistake (a
// share over 100%, a wait of years), not a limit anyone monitors.
constexpr double kMaxDurationMs = 30 * 86400e3;  // 30 days
constexpr double kMaxBytes = 1e15;               // 1 PB
constexpr double kMaxCount = 2147483648.0;       // 2^31: transaction ID age cannot pass it
constexpr double kMaxVersion = 1000;

// A plain decimal: digits with at most one '.', no sign, exponent, "inf" or "nan".
std::optional<double> plain_decimal(std::string_view text) {
  if (text.empty() || text.size() > 32 || text.front() == '.' || text.back() == '.')
    return std::nullopt;
  if (text.find_first_not_of("0123456789.") != std::string_view::npos ||
      text.find('.') != text.rfind('.'))
    return std::nullopt;
  return std::strtod(std::string(text).c_str(), nullptr);
}

// The factor from a suffix to the check's unit; nullopt for a suffix the unit does not take.
std::optional<double> suffix_factor(Unit unit, const std::string& suffix) {
  if (suffix.empty())
    return 1.0;
  if (unit == Unit::percent)
    return suffix == "%" ? std::optional<double>(1.0) : std::nullopt;
  if (unit == Unit::milliseconds || unit == Unit::seconds) {
    const double ms = suffix == "ms"  ? 1
                      : suffix == "s" ? 1e3
                      : suffix == "m" ? 60e3
                      : suffix == "h" ? 3600e3
                      : suffix == "d" ? 86400e3
                                      : 0;
    if (ms == 0)
      return std::nullopt;
    return unit == Unit::milliseconds ? ms : ms / 1e3;
  }
  if (unit == Unit::bytes) {
    const double factor = suffix == "b"    ? 1
                          : suffix == "kb" ? 1e3
                          : suffix == "mb" ? 1e6
                          : suffix == "gb" ? 1e9
                          : suffix == "tb" ? 1e12
                          : suffix == "pb" ? 1e15
                                           : 0;
    return factor == 0 ? std::nullopt : std::optional<double>(factor);
  }
  return std::nullopt;
}

double max_threshold(Unit unit) {
  switch (unit) {
    case Unit::milliseconds:
      return kMaxDurationMs;
    case Unit::seconds:
      return kMaxDurationMs / 1e3;
    case Unit::percent:
      return 100;
    case Unit::count:
      return kMaxCount;
    case Unit::bytes:
      return kMaxBytes;
    case Unit::version:
      return kMaxVersion;
  }
  return 0;
}

}  // namespace

std::optional<double> parse_threshold(Unit unit, std::string_view text) {
  text = util::trim(text);
  const auto end = std::min(text.find_first_not_of("0123456789."), text.size());
  const auto number = plain_decimal(text.substr(0, end));
  const auto factor = suffix_factor(unit, util::to_lower(util::trim(text.substr(end))));
  if (!number || !factor)
    return std::nullopt;
  const double value = *number * *factor;
  if (!std::isfinite(value) || value < 0 || value > max_threshold(unit))
    return std::nullopt;
  return value;
}

std::string accepted_thresholds(Unit unit) {
  switch (unit) {
    case Unit::milliseconds:
    case Unit::seconds:
      return std::string("a duration from 0 to 30 days, in ") +
             (unit == Unit::seconds ? "seconds" : "milliseconds") +
             " or with ms, s, m, h or d (500ms, 2m)";
    case Unit::percent:
      return "a percentage from 0 to 100, with or without % (90, 92.5%)";
    case Unit::count:
      return "a count from 0 to 2147483648 (2^31)";
    case Unit::bytes:
      return "a size from 0 to 1 PB, in bytes or with kB, MB, GB, TB or PB (64MB)";
    case Unit::version:
      return "a major version from 0 to 1000 (15)";
  }
  return "a number";
}

bool beyond(double warning, double critical, Direction direction) {
  return direction == Direction::higher_is_worse ? warning > critical : warning < critical;
}

Status judge(double value, const Thresholds& thresholds, Direction direction) {
  const auto beyond = [&](const std::optional<double>& limit) {
    if (!limit)
      return false;
    return direction == Direction::higher_is_worse ? value > *limit : value < *limit;
  };
  if (beyond(thresholds.critical))
    return Status::critical;
  if (beyond(thresholds.warning))
    return Status::warning;
  return Status::ok;
}

CheckResult result_of(const SelectedCheck& check, Status status, std::string summary) {
  CheckResult result;
  result.name = std::string(check.spec->name);
  result.unit = check.spec->unit;
  result.thresholds = check.thresholds;
  result.status = status;
  result.summary = std::move(summary);
  return result;
}

std::string format_value(double value, Unit unit) {
  char buffer[64];
  switch (unit) {
    case Unit::milliseconds:
      std::snprintf(buffer, sizeof buffer, value < 10 ? "%.1f ms" : "%.0f ms", value);
      return buffer;
    case Unit::seconds:
      return util::human_duration(std::chrono::milliseconds(std::llround(value * 1e3)));
    case Unit::percent:
      std::snprintf(buffer, sizeof buffer, "%.1f%%", value);
      return buffer;
    case Unit::bytes:
      return util::human_bytes(static_cast<std::uint64_t>(std::max(0.0, value)));
    case Unit::version:
      std::snprintf(buffer, sizeof buffer, "%.0f", value);
      return buffer;
    case Unit::count:
      std::snprintf(buffer, sizeof buffer, "%.0f", value);
      return buffer;
  }
  return std::to_string(value);
}

}  // namespace agentdb::health
