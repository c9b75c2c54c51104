#include "health/pool_render.hpp"

#include <cmath>
#include <cstdio>

#include "core/output.hpp"
#include "health/member_render.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::health {

namespace {

using nlohmann::json;

// Application, user and state names, queries and errors come from the server and its clients:
// every one is shown through util::printable.
std::string counts_line(const ConnectionCounts& counts) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : counts)
    parts.push_back(util::printable(key) + " " + std::to_string(value));
  return parts.empty() ? std::string("-") : util::join(parts, ", ");
}

json pool_json(const PgBouncerPool& pool) {
  json item = {{"database", pool.database},
               {"user", pool.user},
               {"mode", pool.mode},
               {"clients_active", pool.clients_active},
               {"clients_waiting", pool.clients_waiting},
               {"servers_active", pool.servers_active},
               {"servers_idle", pool.servers_idle},
               {"servers_used", pool.servers_used},
               {"max_wait_s", pool.max_wait_s}};
  if (pool.averages) {
    item["avg_wait_ms"] = pool.averages->wait_ms;
    item["avg_query_ms"] = pool.averages->query_ms;
    item["queries_per_s"] = pool.averages->queries_per_s;
  }
  return item;
}

std::string oldest_line(const std::optional<OldestTransaction>& oldest) {
  if (!oldest)
    return "oldest transaction: none open";
  return "oldest transaction: pid " + std::to_string(oldest->pid) + " (" +
         util::printable(oldest->user + "/" + oldest->application + ", " + oldest->state) +
         ") open for " +
         util::human_duration(std::chrono::milliseconds(std::llround(oldest->seconds * 1000))) +
         ": " + util::printable(util::one_line(oldest->query));
}

std::string pgbouncer_table(const std::vector<PgBouncerPool>& pools) {
  Table table({"PGBOUNCER POOL", "MODE", "CL_ACTIVE", "CL_WAITING", "SV_ACTIVE", "SV_IDLE",
               "SV_USED", "MAX WAIT", "AVG WAIT"});
  for (const auto& pool : pools) {
    char max_wait[32];
    char avg_wait[32];
    std::snprintf(max_wait, sizeof max_wait, "%.1f s", pool.max_wait_s);
    std::snprintf(avg_wait, sizeof avg_wait, "%.2f ms",
                  pool.averages ? pool.averages->wait_ms : 0.0);
    table.add_row({util::printable(pool.database + "/" + pool.user), util::printable(pool.mode),
                   std::to_string(pool.clients_active), std::to_string(pool.clients_waiting),
                   std::to_string(pool.servers_active), std::to_string(pool.servers_idle),
                   std::to_string(pool.servers_used), max_wait, avg_wait});
  }
  return table.render();
}

json latency_json(const LatencySummary& summary) {
  return {{"count", summary.count},
          {"p50_ms", summary.p50_ms},
          {"p95_ms", summary.p95_ms},
          {"p99_ms", summary.p99_ms},
          {"max_ms", summary.max_ms}};
}

std::string latency_text(const LatencySummary& summary) {
  char text[160];
  std::snprintf(text, sizeof text, "p50 %.3f ms, p95 %.3f ms, p99 %.3f ms, max %.1f ms",
                summary.p50_ms, summary.p95_ms, summary.p99_ms, summary.max_ms);
  return text;
}

json counters_json(const db::PoolCounters& c) {
  return {{"size", c.size},
          {"idle", c.idle},
          {"in_use", c.in_use},
          {"waiting", c.waiting},
          {"total_acquired", c.total_acquired},
          {"timeouts", c.timeouts},
          {"opened", c.opened},
          {"connect_failures", c.connect_failures},
          {"broken", c.broken},
          {"recycled", c.recycled}};
}

using ULL = unsigned long long;

std::string errors_text(const ProbeResult& result) {
  char line[200];
  std::snprintf(line, sizeof line,
                "%llu (acquire timeouts %llu, connect failures %llu, broken connections %llu, "
                "query errors %llu)",
                static_cast<ULL>(result.errors()), static_cast<ULL>(result.acquire_timeouts),
                static_cast<ULL>(result.connect_failures),
                static_cast<ULL>(result.broken_connections), static_cast<ULL>(result.query_errors));
  return line;
}

std::string counters_text(const db::PoolCounters& c) {
  char line[200];
  std::snprintf(line, sizeof line,
                "size %d, idle %d, in use %d, waiting %d; acquired %llu, timeouts %llu, opened "
                "%llu, connect failures %llu, broken %llu, recycled %llu",
                c.size, c.idle, c.in_use, c.waiting, static_cast<ULL>(c.total_acquired),
                static_cast<ULL>(c.timeouts), static_cast<ULL>(c.opened),
                static_cast<ULL>(c.connect_failures), static_cast<ULL>(c.broken),
                static_cast<ULL>(c.recycled));
  return line;
}

std::string outage_text(const Outage& outage) {
  char line[200];
  if (outage.recovered) {
    std::snprintf(line, sizeof line, "from %.2f s to %.2f s: %llu errors, recovered after %.2f s",
                  outage.start_s, outage.end_s, static_cast<ULL>(outage.errors),
                  outage.end_s - outage.start_s);
  } else {
    std::snprintf(line, sizeof line, "from %.2f s to the end: %llu errors, not recovered",
                  outage.start_s, static_cast<ULL>(outage.errors));
  }
  return line;
}

}  // namespace

json pool_status_json(const PoolStatus& status) {
  const auto& limits = status.connections;
  json report = {
      {"database", status.database},
      {"connections",
       {{"used", limits.used},
        {"max_connections", limits.max_connections},
        {"reserved", limits.reserved},
        {"headroom", limits.headroom()}}},
      {"by_state", status.by_state},
      {"by_application", status.by_application},
      {"by_user", status.by_user},
      {"by_client", status.by_client},
  };
  if (!status.oldest_transaction) {
    report["oldest_transaction"] = nullptr;
  } else {
    const auto& t = *status.oldest_transaction;
    report["oldest_transaction"] = {
        {"pid", t.pid},     {"user", t.user},       {"application", t.application},
        {"state", t.state}, {"seconds", t.seconds}, {"query", t.query}};
  }
  json pools = nullptr;
  if (status.pgbouncer) {
    pools = json::array();
    for (const auto& pool : *status.pgbouncer)
      pools.push_back(pool_json(pool));
  }
  report["pgbouncer"] = pools;
  json members = json::array();
  for (const auto& member : status.members)
    members.push_back(member_json(member));
  report["members"] = members;
  return report;
}

std::vector<std::string> render_pool_status(const PoolStatus& status) {
  const auto& limits = status.connections;
  char line[256];
  std::snprintf(line, sizeof line,
                "%s: %lld of %lld connections in use (%lld reserved for superusers), headroom %lld",
                util::printable(status.database).c_str(), limits.used, limits.max_connections,
                limits.reserved, limits.headroom());
  Table table({"BY", "COUNTS"});
  table.add_row({"state", counts_line(status.by_state)});
  table.add_row({"application", counts_line(status.by_application)});
  table.add_row({"user", counts_line(status.by_user)});
  table.add_row({"client", counts_line(status.by_client)});
  std::vector<std::string> blocks{line, table.render(), oldest_line(status.oldest_transaction)};
  if (status.pgbouncer)
    blocks.push_back(pgbouncer_table(*status.pgbouncer));
  if (!status.members.empty())
    blocks.push_back(members_table(status.members));
  return blocks;
}

json probe_json(const ProbeSetup& setup, const ProbeResult& result) {
  json outages = json::array();
  for (const auto& outage : result.outages) {
    outages.push_back({{"start_s", outage.start_s},
                       {"end_s", outage.recovered ? json(outage.end_s) : json(nullptr)},
                       {"recovered", outage.recovered},
                       {"errors", outage.errors}});
  }
  return {{"database", setup.database},
          {"connections", setup.connections},
          {"threads", setup.threads},
          {"query", setup.query},
          {"elapsed_s", result.elapsed_s},
          {"queries", result.queries},
          {"throughput_qps", result.throughput()},
          {"acquire_wait", latency_json(result.acquire_wait)},
          {"query_latency", latency_json(result.query_latency)},
          {"errors",
           {{"total", result.errors()},
            {"acquire_timeouts", result.acquire_timeouts},
            {"connect_failures", result.connect_failures},
            {"broken_connections", result.broken_connections},
            {"query_errors", result.query_errors},
            {"messages", result.error_messages}}},
          {"outages", outages},
          {"pool", counters_json(result.pool)}};
}

std::string render_probe(const ProbeSetup& setup, const ProbeResult& result) {
  char line[200];
  Table table({"MEASURE", "VALUE"});
  std::snprintf(line, sizeof line, "%.0f queries/s (%llu in %.1f s)", result.throughput(),
                static_cast<ULL>(result.queries), result.elapsed_s);
  table.add_row({"throughput", line});
  table.add_row({"acquire wait", latency_text(result.acquire_wait)});
  table.add_row({"query latency", latency_text(result.query_latency)});
  table.add_row({"errors", errors_text(result)});
  table.add_row({"pool", counters_text(result.pool)});
  for (const auto& outage : result.outages)
    table.add_row({"outage", outage_text(outage)});
  if (result.acquire_timeouts > 0) {
    table.add_row({"exhausted", std::to_string(result.acquire_timeouts) +
                                    " acquires waited longer than " +
                                    util::human_duration(setup.acquire_timeout)});
  }
  for (const auto& message : result.error_messages)
    table.add_row({"error", util::printable(util::one_line(message))});
  return table.render();
}

std::string probe_progress_line(double elapsed_s, std::uint64_t queries, std::uint64_t errors,
                                const db::PoolCounters& pool) {
  char line[200];
  std::snprintf(line, sizeof line,
                "%5.0f s  %10llu queries  %6llu errors  pool: %d open, %d idle, %d in use, %d "
                "waiting",
                elapsed_s, static_cast<ULL>(queries), static_cast<ULL>(errors), pool.size,
                pool.idle, pool.in_use, pool.waiting);
  return line;
}

}  // namespace agentdb::health
