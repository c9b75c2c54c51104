#include "health/database_checks.hpp"

#include <cmath>

#include "db/members.hpp"
#include "health/member_render.hpp"
#include "migrate/migrate.hpp"
#include "util/strings.hpp"

namespace agentdb::health {

using nlohmann::json;

CheckResult judged(const CheckSpec& spec, const Thresholds& thresholds, double value,
                   std::string summary) {
  CheckResult result;
  result.name = std::string(spec.name);
  result.unit = spec.unit;
  result.thresholds = thresholds;
  result.value = value;
  result.status = judge(value, thresholds, spec.direction);
  result.summary = std::move(summary);
  return result;
}

Perfdata perf(const CheckSpec& spec, const Thresholds& thresholds, std::string label, double value,
              std::string uom, std::optional<double> min, std::optional<double> max) {
  return Perfdata{std::move(label), value, std::move(uom), thresholds, spec.direction, min, max};
}

std::string optional_text(const db::Value& field) {
  return field.is_null() ? std::string() : field.as<std::string>();
}

std::string who(const db::Row& row, std::string_view user_column, std::string_view app_column) {
  std::string text = optional_text(row[std::string(user_column)]);
  const auto app = optional_text(row[std::string(app_column)]);
  if (!app.empty())
    text += "/" + app;
  return text.empty() ? std::string("?") : text;
}

namespace {

constexpr double kWraparoundLimit = 2'147'483'647.0;

CheckResult server_version(const CheckSpec& spec, const Thresholds& thresholds,
                           db::Session& session) {
  const auto row = session.exec("SELECT current_setting('server_version')")[0];
  const int major = session.server_version() / 10000;
  auto result = judged(spec, thresholds, major, "PostgreSQL " + row[0].as<std::string>());
  if (result.status != Status::ok)
    result.summary += " (past or near end of life; upgrade)";
  result.detail = {{"server_version", row[0].as<std::string>()},
                   {"server_version_num", session.server_version()}};
  return result;
}

CheckResult migrations(const CheckSpec& spec, const Thresholds& thresholds, db::Session& session,
                       const MigrationsSource& source) {
  std::error_code ec;
  if (!std::filesystem::is_directory(source.dir, ec)) {
    CheckResult result;
    result.name = std::string(spec.name);
    result.unit = spec.unit;
    result.status = source.configured ? Status::unknown : Status::skipped;
    result.summary = "no migrations directory at " + source.dir.string() +
                     (source.configured ? "" : " (set migrate.dir or AGENTDB_MIGRATIONS_DIR)");
    return result;
  }
  const auto migrations = migrate::summarize(session, source.dir);
  const int pending = migrations.count("pending");
  const int drift = migrations.drift();
  json states = json::object();
  for (const auto& entry : migrations.states)
    states[entry.state] = entry.count;
  std::string summary = migrations.current ? "at " + std::to_string(*migrations.current)
                                           : std::string("no revision applied");
  summary += pending == 0 ? ", none pending" : ", " + std::to_string(pending) + " pending";
  for (const auto& entry : migrations.states) {
    if (entry.is_drift && entry.count > 0)
      summary += ", " + std::to_string(entry.count) + " " + entry.state;
  }
  auto result = judged(spec, thresholds, pending, summary);
  if (drift > 0) {
    result.status = Status::critical;
    result.summary += " (run 'agentdb migrate status')";
  }
  result.detail = {{"current", migrations.current ? json(*migrations.current) : json(nullptr)},
                   {"states", states},
                   {"directory", source.dir.string()}};
  result.perfdata.push_back(perf(spec, thresholds, "migrations_pending", pending, "", 0));
  return result;
}

CheckResult connections(const CheckSpec& spec, const Thresholds& thresholds, db::Session& session) {
  const auto limits = read_connection_limits(session);
  const auto used = limits.used;
  const auto max = limits.max_connections;
  const auto reserved = limits.reserved;
  const auto available = limits.available();
  const double percent = 100.0 * static_cast<double>(used) / static_cast<double>(available);
  char text[128];
  std::snprintf(text, sizeof text, "%lld of %lld (%.1f%%; %lld reserved for superusers)", used,
                available, percent, reserved);
  auto result = judged(spec, thresholds, percent, text);
  result.detail = {{"used", used},
                   {"max_connections", max},
                   {"reserved", reserved},
                   {"available", available},
                   {"headroom", available - used}};
  result.perfdata.push_back(perf(spec, thresholds, "connections_used_pct", percent, "%", 0, 100));
  result.perfdata.push_back(perf(spec, Thresholds{}, "connections_used", static_cast<double>(used),
                                 "", 0, static_cast<double>(available)));
  return result;
}

CheckResult wraparound(const CheckSpec& spec, const Thresholds& thresholds, db::Session& session) {
  const auto rows = session.exec(
      "SELECT datname, age(datfrozenxid)::bigint FROM pg_database WHERE datallowconn"
      " ORDER BY 2 DESC, 1");
  json databases = json::object();
  for (const auto& row : rows)
    databases[row[0].as<std::string>()] = row[1].as<long long>();
  const double oldest = rows.empty() ? 0 : rows[0][1].as<double>();
  char text[200];
  std::snprintf(text, sizeof text, "%s at age %.0f (%.2f%% of the way to wraparound)",
                rows.empty() ? "-" : rows[0][0].c_str(), oldest, 100.0 * oldest / kWraparoundLimit);
  auto result = judged(spec, thresholds, oldest, text);
  result.detail = {{"databases", databases}};
  result.perfdata.push_back(perf(spec, thresholds, "xid_age", oldest, "", 0, kWraparoundLimit));
  return result;
}

CheckResult cache_hit(const CheckSpec& spec, const Thresholds& thresholds, db::Session& session) {
  const auto row = session.exec(
      "SELECT blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database()")[0];
  const double hit = row[0].is_null() ? 0 : row[0].as<double>();
  const double read = row[1].is_null() ? 0 : row[1].as<double>();
  // Too few block reads say nothing about the cache (a database just created or reset).
  constexpr double kMinimumSample = 1000;
  const double ratio = hit + read > 0 ? 100.0 * hit / (hit + read) : 100.0;
  char text[160];
  std::snprintf(text, sizeof text, "%.2f%% of %.0f block reads from shared buffers", ratio,
                hit + read);
  auto result = judged(spec, thresholds, ratio, text);
  if (hit + read < kMinimumSample) {
    result.status = Status::ok;
    result.summary += " (too few to judge)";
  }
  result.detail = {{"blks_hit", hit}, {"blks_read", read}};
  result.perfdata.push_back(perf(spec, thresholds, "cache_hit_pct", ratio, "%", 0, 100));
  return result;
}

CheckResult database_size(const CheckSpec& spec, const Thresholds& thresholds,
                          db::Session& session) {
  const auto row =
      session.exec("SELECT current_database(), pg_database_size(current_database())")[0];
  const double bytes = row[1].as<double>();
  auto result = judged(spec, thresholds, bytes,
                       row[0].as<std::string>() + " is " + format_value(bytes, Unit::bytes));
  result.detail = {{"database", row[0].as<std::string>()}, {"bytes", row[1].as<long long>()}};
  result.perfdata.push_back(perf(spec, thresholds, "database_size", bytes, "B", 0));
  return result;
}

// A standby: how far replay is behind what it has received.
CheckResult standby_replay(const CheckSpec& spec, const Thresholds& thresholds,
                           db::Session& session) {
  const auto row = session.exec(
      "SELECT coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()),"
      " 0)::float8, extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())"
      "::float8")[0];
  const double bytes = std::max(0.0, row[0].as<double>());
  auto result = judged(
      spec, thresholds, bytes,
      "this server is a standby; replay is " + format_value(bytes, Unit::bytes) +
          " behind what it received" +
          (row[1].is_null() ? std::string()
                            : ", last replayed transaction " +
                                  format_value(row[1].as<double>(), Unit::seconds) + " ago"));
  result.detail = {{"role", "standby"}, {"replay_lag_bytes", bytes}};
  result.perfdata.push_back(perf(spec, thresholds, "replay_lag", bytes, "B", 0));
  return result;
}

CheckResult this_server_replication(const CheckSpec& spec, const Thresholds& thresholds,
                                    db::Session& session) {
  if (session.exec("SELECT pg_is_in_recovery()")[0][0].as<bool>())
    return standby_replay(spec, thresholds, session);
  const auto rows = session.exec(
      "SELECT coalesce(application_name, ''), coalesce(client_addr::text, 'local'), state,"
      " pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS lag_bytes,"
      " extract(epoch FROM replay_lag)::float8 AS lag_seconds"
      " FROM pg_stat_replication ORDER BY 4 DESC NULLS FIRST");
  if (rows.empty()) {
    auto result = judged(spec, thresholds, 0, "no standbys connected");
    result.detail = {{"role", "primary"}, {"standbys", json::array()}};
    return result;
  }
  json standbys = json::array();
  double worst = 0;
  std::string worst_name;
  bool unreadable = false;
  for (const auto& row : rows) {
    const auto name =
        row[0].as<std::string>().empty() ? row[1].as<std::string>() : row[0].as<std::string>();
    if (row["lag_bytes"].is_null()) {
      // Without pg_read_all_stats every column but a few is NULL, the state too; with it, a NULL
      // position only means the standby has not reported one yet.
      unreadable = unreadable || row[2].is_null();
      standbys.push_back(
          {{"name", name}, {"state", optional_text(row[2])}, {"lag_bytes", nullptr}});
      continue;
    }
    const double bytes = row["lag_bytes"].as<double>();
    standbys.push_back(
        {{"name", name},
         {"client", row[1].as<std::string>()},
         {"state", optional_text(row[2])},
         {"lag_bytes", bytes},
         {"lag_seconds",
          row["lag_seconds"].is_null() ? json(nullptr) : json(row["lag_seconds"].as<double>())}});
    if (worst_name.empty() || bytes > worst) {
      worst = bytes;
      worst_name = name;
    }
  }
  auto result = judged(spec, thresholds, worst,
                       std::to_string(rows.size()) + " standby(s); most behind: " +
                           (worst_name.empty() ? std::string("?") : worst_name) + " at " +
                           format_value(worst, Unit::bytes));
  if (unreadable && worst_name.empty()) {
    result.status = Status::unknown;
    result.summary =
        "standbys connected, but their positions are hidden from this role (grant "
        "pg_monitor)";
  }
  result.detail = {{"role", "primary"}, {"standbys", standbys}};
  for (const auto& standby : standbys) {
    if (!standby["lag_bytes"].is_null()) {
      result.perfdata.push_back(perf(spec, thresholds,
                                     "replay_lag_" + standby["name"].get<std::string>(),
                                     standby["lag_bytes"].get<double>(), "B", 0));
    }
  }
  return result;
}

// With several hosts in the target, each member as it says itself: its role, timeline and lag
// behind the primary. No primary or two is CRITICAL; an unreachable member or a lag over the
// thresholds counts as the thresholds say (an unreachable one as WARNING).
void add_members(CheckResult& result, const CheckSpec& spec, const Thresholds& thresholds,
                 const db::ConnectionTarget& target) {
  const auto members = db::ask_members(target, std::chrono::seconds(3));
  json list = json::array();
  std::string texts;
  int primaries = 0;
  for (const auto& member : members) {
    list.push_back(member_json(member));
    texts += (texts.empty() ? "" : ", ") + member_text(member);
    if (member.reached && !member.in_recovery)
      ++primaries;
    if (!member.reached)
      result.status = worse(result.status, Status::warning);
    if (member.lag_bytes) {
      const auto bytes = static_cast<double>(*member.lag_bytes);
      result.status = worse(result.status, judge(bytes, thresholds, spec.direction));
      result.perfdata.push_back(
          perf(spec, thresholds, "member_lag_" + member.address, bytes, "B", 0));
    }
  }
  if (primaries != 1) {
    result.status = Status::critical;
    texts += primaries == 0 ? "; no member is a primary" : "; more than one member is a primary";
  }
  result.detail["members"] = list;
  result.summary += "; members: " + texts;
}

CheckResult replication(const CheckSpec& spec, const Thresholds& thresholds, db::Session& session) {
  auto result = this_server_replication(spec, thresholds, session);
  if (session.target().host_count > 1)
    add_members(result, spec, thresholds, session.target());
  return result;
}

}  // namespace

CheckResult run_database_check(const CheckSpec& spec, const Thresholds& thresholds,
                               db::Session& session, const MigrationsSource& migrations_source) {
  const std::string_view name = spec.name;
  if (name == "server_version")
    return server_version(spec, thresholds, session);
  if (name == "migrations")
    return migrations(spec, thresholds, session, migrations_source);
  if (name == "connections")
    return connections(spec, thresholds, session);
  if (name == "long_query") {
    return longest_session(spec, thresholds, session, "state = 'active'", "query_start",
                           "running for", "no other query running");
  }
  if (name == "idle_in_transaction") {
    return longest_session(spec, thresholds, session,
                           "state IN ('idle in transaction', 'idle in transaction (aborted)')",
                           "state_change", "idle in transaction for",
                           "no session idle in a transaction");
  }
  if (name == "lock_waits")
    return lock_waits(spec, thresholds, session);
  if (name == "wraparound")
    return wraparound(spec, thresholds, session);
  if (name == "cache_hit")
    return cache_hit(spec, thresholds, session);
  if (name == "database_size")
    return database_size(spec, thresholds, session);
  if (name == "replication")
    return replication(spec, thresholds, session);
  CheckResult result;
  result.name = std::string(name);
  result.summary = "not a database check";
  return result;
}

}  // namespace agentdb::health
