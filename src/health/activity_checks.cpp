#include <map>
#include <set>

#include "health/database_checks.hpp"
#include "util/strings.hpp"

namespace agentdb::health {

using nlohmann::json;

namespace {

// "{12,13}" -> {12, 13}
std::vector<int> int_array(const db::Value& field) {
  std::vector<int> values;
  if (field.is_null())
    return values;
  auto text = std::string(field.c_str());
  if (text.size() >= 2)
    text = text.substr(1, text.size() - 2);
  for (const auto& part : util::split(text, ',')) {
    if (const auto n = util::parse_int64(util::trim(part)))
      values.push_back(static_cast<int>(*n));
  }
  return values;
}

struct Backend {
  std::vector<int> blockers;
  std::string state, who, query;
  double seconds = 0;
  bool waiting = false;
};
using Backends = std::map<int, Backend>;  // by pid

// Every waiting session, and every session that blocks one, in one snapshot of pg_stat_activity.
Backends read_lock_backends(db::Session& session) {
  const auto rows = session.exec(
      "WITH waiting AS ("
      "  SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity"
      "  WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid())"
      " SELECT a.pid, w.blockers, a.state, a.usename, a.application_name,"
      "  extract(epoch FROM clock_timestamp() - a.query_start)::float8 AS seconds,"
      "  left(a.query, 120) AS query, w.pid IS NOT NULL AS waiting"
      " FROM pg_stat_activity a LEFT JOIN waiting w ON w.pid = a.pid"
      " WHERE w.pid IS NOT NULL"
      "  OR a.pid IN (SELECT unnest(blockers) FROM waiting)");
  Backends backends;
  for (const auto& row : rows) {
    Backend backend;
    backend.blockers = int_array(row["blockers"]);
    backend.state = optional_text(row["state"]);
    backend.who = who(row, "usename", "application_name");
    backend.query = util::one_line(optional_text(row["query"]));
    backend.seconds = row["seconds"].is_null() ? 0 : row["seconds"].as<double>();
    backend.waiting = row["waiting"].as<bool>();
    backends[row["pid"].as<int>()] = std::move(backend);
  }
  return backends;
}

// The chain from the longest waiter to the session at its root: "4713 -> 4712 -> 4711 (idle in
// transaction, app: UPDATE ...)", following the first blocker at each step.
std::string blocking_chain(const Backends& backends, int longest_pid) {
  std::string chain = std::to_string(longest_pid);
  std::set<int> seen{longest_pid};
  int at = longest_pid;
  while (true) {
    const auto it = backends.find(at);
    if (it == backends.end() || it->second.blockers.empty())
      break;
    const int next = it->second.blockers.front();
    chain += " waits for " + std::to_string(next);
    if (!seen.insert(next).second)
      break;  // a deadlock in the making; the server will break it
    at = next;
  }
  if (const auto root = backends.find(at); root != backends.end() && at != longest_pid) {
    chain += " (" + (root->second.state.empty() ? std::string("?") : root->second.state) + ", " +
             root->second.who + (root->second.query.empty() ? "" : ": " + root->second.query) + ")";
  }
  return chain;
}

}  // namespace

// The oldest session in `state_condition` other than this one, by `since_column`.
CheckResult longest_session(const CheckSpec& spec, const Thresholds& thresholds,
                            db::Session& session, std::string_view state_condition,
                            std::string_view since_column, std::string_view what,
                            std::string_view none) {
  const auto rows = session.exec(
      "SELECT pid, usename, application_name, client_addr::text AS client,"
      " extract(epoch FROM clock_timestamp() - " +
      std::string(since_column) + ")::float8 AS seconds, left(query, 120) AS query" +
      " FROM pg_stat_activity WHERE " + std::string(state_condition) +
      " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
      " ORDER BY " +
      std::string(since_column) + " LIMIT 1");
  if (rows.empty()) {
    auto result = judged(spec, thresholds, 0, std::string(none));
    result.perfdata.push_back(
        perf(spec, thresholds, std::string(spec.name) + "_seconds", 0, "s", 0));
    return result;
  }
  const auto row = rows[0];
  const double seconds = row["seconds"].is_null() ? 0 : row["seconds"].as<double>();
  const auto query = util::one_line(optional_text(row["query"]));
  auto result =
      judged(spec, thresholds, seconds,
             "pid " + row["pid"].as<std::string>() + " (" +
                 who(row, "usename", "application_name") + ") " + std::string(what) + " " +
                 format_value(seconds, Unit::seconds) + (query.empty() ? "" : ": " + query));
  result.detail = {{"pid", row["pid"].as<int>()},
                   {"user", optional_text(row["usename"])},
                   {"application", optional_text(row["application_name"])},
                   {"client", optional_text(row["client"])},
                   {"seconds", seconds},
                   {"query", query}};
  result.perfdata.push_back(
      perf(spec, thresholds, std::string(spec.name) + "_seconds", seconds, "s", 0));
  return result;
}

CheckResult lock_waits(const CheckSpec& spec, const Thresholds& thresholds, db::Session& session) {
  const auto backends = read_lock_backends(session);
  int longest_pid = 0;
  double longest = 0;
  int waiting_count = 0;
  json waiting = json::array();
  for (const auto& [pid, backend] : backends) {
    if (!backend.waiting)
      continue;
    ++waiting_count;
    if (longest_pid == 0 || backend.seconds > longest) {
      longest = backend.seconds;
      longest_pid = pid;
    }
    waiting.push_back({{"pid", pid},
                       {"blocked_by", backend.blockers},
                       {"seconds", backend.seconds},
                       {"who", backend.who},
                       {"query", backend.query}});
  }
  json blockers = json::array();
  for (const auto& [pid, backend] : backends) {
    if (!backend.waiting) {
      blockers.push_back(
          {{"pid", pid}, {"state", backend.state}, {"who", backend.who}, {"query", backend.query}});
    }
  }
  if (waiting_count == 0) {
    auto result = judged(spec, thresholds, 0, "no session waits on a lock");
    result.detail = {{"waiting", waiting}, {"blockers", blockers}};
    result.perfdata.push_back(perf(spec, thresholds, "lock_wait_seconds", 0, "s", 0));
    result.perfdata.push_back(perf(spec, Thresholds{}, "lock_waiting_sessions", 0, "", 0));
    return result;
  }
  const auto chain = blocking_chain(backends, longest_pid);
  auto result = judged(spec, thresholds, longest,
                       std::to_string(waiting_count) + " waiting, longest " +
                           format_value(longest, Unit::seconds) + ": " + chain);
  result.detail = {{"waiting", waiting}, {"blockers", blockers}, {"chain", chain}};
  result.perfdata.push_back(perf(spec, thresholds, "lock_wait_seconds", longest, "s", 0));
  result.perfdata.push_back(
      perf(spec, Thresholds{}, "lock_waiting_sessions", waiting_count, "", 0));
  return result;
}

ConnectionLimits read_connection_limits(db::Session& session) {
  const auto row = session.exec(
      "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),"
      " current_setting('max_connections')::int,"
      " current_setting('superuser_reserved_connections')::int"
      " + coalesce((SELECT setting::int FROM pg_settings WHERE name = 'reserved_connections'), 0)")
                       [0];
  return ConnectionLimits{row[0].as<long long>(), row[1].as<long long>(), row[2].as<long long>()};
}

}  // namespace agentdb::health
