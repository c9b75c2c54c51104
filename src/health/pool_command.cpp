#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

#include "db/pgbouncer_console.hpp"
#include "db/pool.hpp"
#include "db/session.hpp"
#include "health/database_checks.hpp"
#include "health/health_command.hpp"
#include "health/probe.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::health {

namespace {

using nlohmann::json;

struct PoolOptions {
  std::string pgbouncer_url;
  int connections = 10;
  int threads = 0;  // 0: one per connection
  int min_idle = 0;
  std::string duration = "10s";
  std::string query = "SELECT 1";
  std::string acquire_timeout = "5s";
  std::string stale_after = "10s";
  std::string max_lifetime = "30m";
};

std::chrono::milliseconds duration_option(const std::string& text, const char* flag,
                                          bool allow_zero) {
  const auto parsed = util::parse_duration(text);
  if (!parsed || (!allow_zero && parsed->count() == 0)) {
    throw Error(ExitCode::usage, std::string("invalid ") + flag + " '" + text + "'",
                "use a duration such as 500ms, 10s or 2m");
  }
  return *parsed;
}

std::string text_of(const db::Value& field) {
  return field.is_null() ? std::string("-") : field.as<std::string>();
}

// Counts of client connections grouped by one column of pg_stat_activity.
json grouped(db::Session& session, const std::string& expression) {
  json counts = json::object();
  for (const auto& row : session.exec(
           "SELECT coalesce(" + expression +
           ", '-') AS key, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
           " GROUP BY 1 ORDER BY 2 DESC, 1")) {
    auto key = row[0].as<std::string>();
    counts[key.empty() ? std::string("(none)") : key] = row[1].as<long long>();
  }
  return counts;
}

// Per pool (database, user) from SHOW POOLS, with the database's averages from SHOW STATS.
// Columns are read by name because they change between PgBouncer releases.
json pgbouncer_pools(const std::string& url) {
  db::PgBouncerConsole console(db::parse_connection_target(url));
  const auto number = [](const db::ConsoleRow& row, const char* column) -> long long {
    const auto it = row.find(column);
    if (it == row.end())
      return 0;
    return util::parse_int64(it->second).value_or(0);
  };
  const auto text = [](const db::ConsoleRow& row, const char* column) {
    const auto it = row.find(column);
    return it == row.end() ? std::string("-") : it->second;
  };
  std::map<std::string, db::ConsoleRow> stats_by_database;
  for (auto& row : console.show("STATS"))
    stats_by_database.emplace(text(row, "database"), std::move(row));
  json pools = json::array();
  for (const auto& row : console.show("POOLS")) {
    const auto database = text(row, "database");
    json pool = {{"database", database},
                 {"user", text(row, "user")},
                 {"mode", text(row, "pool_mode")},
                 {"clients_active", number(row, "cl_active")},
                 {"clients_waiting", number(row, "cl_waiting")},
                 {"servers_active", number(row, "sv_active")},
                 {"servers_idle", number(row, "sv_idle")},
                 {"servers_used", number(row, "sv_used")},
                 {"max_wait_s", static_cast<double>(number(row, "maxwait")) +
                                    static_cast<double>(number(row, "maxwait_us")) / 1e6}};
    if (const auto it = stats_by_database.find(database); it != stats_by_database.end()) {
      pool["avg_wait_ms"] = static_cast<double>(number(it->second, "avg_wait_time")) / 1000.0;
      pool["avg_query_ms"] = static_cast<double>(number(it->second, "avg_query_time")) / 1000.0;
      pool["queries_per_s"] = number(it->second, "avg_query_count");
    }
    pools.push_back(std::move(pool));
  }
  return pools;
}

std::string counts_line(const json& counts) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : counts.items())
    parts.push_back(key + " " + std::to_string(value.get<long long>()));
  return parts.empty() ? std::string("-") : util::join(parts, ", ");
}

ExitCode run_status(Context& ctx, const PoolOptions& options) {
  const auto target = ctx.database();
  auto session = db::Session::open(target);
  const auto limits = read_connection_limits(*session);
  const auto used = limits.used;
  const auto max = limits.max_connections;
  const auto reserved = limits.reserved;
  json report = {
      {"database", target.display},
      {"connections",
       {{"used", used},
        {"max_connections", max},
        {"reserved", reserved},
        {"headroom", max - reserved - used}}},
      {"by_state", grouped(*session, "state")},
      {"by_application", grouped(*session, "application_name")},
      {"by_user", grouped(*session, "usename::text")},
      {"by_client", grouped(*session, "client_addr::text")},
  };
  const auto oldest = session->exec(
      "SELECT pid, usename, application_name, state,"
      " extract(epoch FROM clock_timestamp() - xact_start)::float8 AS seconds,"
      " left(query, 120) AS query FROM pg_stat_activity"
      " WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() ORDER BY xact_start LIMIT 1");
  if (oldest.empty()) {
    report["oldest_transaction"] = nullptr;
  } else {
    const auto row = oldest[0];
    report["oldest_transaction"] = {{"pid", row["pid"].as<int>()},
                                    {"user", text_of(row["usename"])},
                                    {"application", text_of(row["application_name"])},
                                    {"state", text_of(row["state"])},
                                    {"seconds", row["seconds"].as<double>()},
                                    {"query", util::one_line(text_of(row["query"]))}};
  }
  report["pgbouncer"] =
      options.pgbouncer_url.empty() ? json(nullptr) : pgbouncer_pools(options.pgbouncer_url);

  if (ctx.out.json()) {
    ctx.out.emit(report);
    return ExitCode::ok;
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "%s: %lld of %lld connections in use (%lld reserved for superusers), headroom %lld",
                target.display.c_str(), used, max, reserved, max - reserved - used);
  ctx.out.print(line);
  Table table({"BY", "COUNTS"});
  table.add_row({"state", counts_line(report["by_state"])});
  table.add_row({"application", counts_line(report["by_application"])});
  table.add_row({"user", counts_line(report["by_user"])});
  table.add_row({"client", counts_line(report["by_client"])});
  ctx.out.print(table.render());
  if (report["oldest_transaction"].is_null()) {
    ctx.out.print("oldest transaction: none open");
  } else {
    const auto& t = report["oldest_transaction"];
    ctx.out.print("oldest transaction: pid " + std::to_string(t["pid"].get<int>()) + " (" +
                  t["user"].get<std::string>() + "/" + t["application"].get<std::string>() + ", " +
                  t["state"].get<std::string>() + ") open for " +
                  util::human_duration(
                      std::chrono::milliseconds(std::llround(t["seconds"].get<double>() * 1000))) +
                  ": " + t["query"].get<std::string>());
  }
  if (!report["pgbouncer"].is_null()) {
    Table pools({"PGBOUNCER POOL", "MODE", "CL_ACTIVE", "CL_WAITING", "SV_ACTIVE", "SV_IDLE",
                 "SV_USED", "MAX WAIT", "AVG WAIT"});
    for (const auto& pool : report["pgbouncer"]) {
      char max_wait[32];
      char avg_wait[32];
      std::snprintf(max_wait, sizeof max_wait, "%.1f s", pool["max_wait_s"].get<double>());
      std::snprintf(avg_wait, sizeof avg_wait, "%.2f ms", pool.value("avg_wait_ms", 0.0));
      pools.add_row({pool["database"].get<std::string>() + "/" + pool["user"].get<std::string>(),
                     pool["mode"].get<std::string>(),
                     std::to_string(pool["clients_active"].get<long long>()),
                     std::to_string(pool["clients_waiting"].get<long long>()),
                     std::to_string(pool["servers_active"].get<long long>()),
                     std::to_string(pool["servers_idle"].get<long long>()),
                     std::to_string(pool["servers_used"].get<long long>()), max_wait, avg_wait});
    }
    ctx.out.print(pools.render());
  }
  return ExitCode::ok;
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

ExitCode run_probe_command(Context& ctx, const PoolOptions& options) {
  db::PoolSettings settings;
  settings.max_size = options.connections;
  settings.min_idle = options.min_idle;
  settings.acquire_timeout = duration_option(options.acquire_timeout, "--acquire-timeout", false);
  settings.stale_after = duration_option(options.stale_after, "--stale-after", true);
  settings.max_lifetime = duration_option(options.max_lifetime, "--max-lifetime", true);
  settings.session.connect_timeout = std::chrono::seconds(5);
  ProbeSettings probe;
  probe.threads = options.threads > 0 ? options.threads : options.connections;
  probe.duration = duration_option(options.duration, "--duration", false);
  probe.query = options.query;
  if (options.connections < 1 || options.connections > 1000)
    throw Error(ExitCode::usage, "--connections must lie between 1 and 1000");
  if (probe.threads > 1000)
    throw Error(ExitCode::usage, "--threads must lie between 1 and 1000");
  if (util::trim(probe.query).empty())
    throw Error(ExitCode::usage, "--query is empty", "give a statement, e.g. 'SELECT 1'");

  const auto target = ctx.database();
  db::ConnectionPool pool(target, settings);
  pool.warm_up();
  {
    // One query before the clock starts: a wrong URL or query fails here, not N times a second.
    auto lease = pool.acquire();
    (void)lease->exec(probe.query);
  }
  ctx.out.note("probing " + target.display + " with a pool of " +
               std::to_string(options.connections) + " connections from " +
               std::to_string(probe.threads) + " threads for " +
               util::human_duration(probe.duration));
  util::InterruptFlag interrupted;
  const bool progress = ctx.out.show_progress();
  const auto tick = [&](double elapsed, std::uint64_t queries, std::uint64_t errors,
                        const db::PoolCounters& counters) {
    char line[200];
    std::snprintf(line, sizeof line,
                  "%5.0f s  %10llu queries  %6llu errors  pool: %d open, %d idle, %d in use, %d "
                  "waiting",
                  elapsed, static_cast<unsigned long long>(queries),
                  static_cast<unsigned long long>(errors), counters.size, counters.idle,
                  counters.in_use, counters.waiting);
    if (progress) {
      std::fprintf(stderr, "\r%s", line);
      std::fflush(stderr);
    } else {
      ctx.out.detail(line);
    }
  };
  auto result = run_probe(pool, probe, tick, [&] { return interrupted.raised(); });
  if (progress)
    std::fputs("\r\x1b[K", stderr);

  json outages = json::array();
  for (const auto& outage : result.outages) {
    outages.push_back({{"start_s", outage.start_s},
                       {"end_s", outage.recovered ? json(outage.end_s) : json(nullptr)},
                       {"recovered", outage.recovered},
                       {"errors", outage.errors}});
  }
  const auto& c = result.pool;
  if (ctx.out.json()) {
    ctx.out.emit({{"database", target.display},
                  {"connections", options.connections},
                  {"threads", probe.threads},
                  {"query", probe.query},
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
                  {"pool",
                   {{"size", c.size},
                    {"idle", c.idle},
                    {"in_use", c.in_use},
                    {"waiting", c.waiting},
                    {"total_acquired", c.total_acquired},
                    {"timeouts", c.timeouts},
                    {"opened", c.opened},
                    {"connect_failures", c.connect_failures},
                    {"broken", c.broken},
                    {"recycled", c.recycled}}}});
  } else {
    char line[200];
    Table table({"MEASURE", "VALUE"});
    std::snprintf(line, sizeof line, "%.0f queries/s (%llu in %.1f s)", result.throughput(),
                  static_cast<unsigned long long>(result.queries), result.elapsed_s);
    table.add_row({"throughput", line});
    table.add_row({"acquire wait", latency_text(result.acquire_wait)});
    table.add_row({"query latency", latency_text(result.query_latency)});
    std::snprintf(line, sizeof line,
                  "%llu (acquire timeouts %llu, connect failures %llu, broken connections %llu, "
                  "query errors %llu)",
                  static_cast<unsigned long long>(result.errors()),
                  static_cast<unsigned long long>(result.acquire_timeouts),
                  static_cast<unsigned long long>(result.connect_failures),
                  static_cast<unsigned long long>(result.broken_connections),
                  static_cast<unsigned long long>(result.query_errors));
    table.add_row({"errors", line});
    std::snprintf(
        line, sizeof line,
        "size %d, idle %d, in use %d, waiting %d; acquired %llu, timeouts %llu, opened "
        "%llu, connect failures %llu, broken %llu, recycled %llu",
        c.size, c.idle, c.in_use, c.waiting, static_cast<unsigned long long>(c.total_acquired),
        static_cast<unsigned long long>(c.timeouts), static_cast<unsigned long long>(c.opened),
        static_cast<unsigned long long>(c.connect_failures),
        static_cast<unsigned long long>(c.broken), static_cast<unsigned long long>(c.recycled));
    table.add_row({"pool", line});
    for (const auto& outage : result.outages) {
      if (outage.recovered) {
        std::snprintf(line, sizeof line,
                      "from %.2f s to %.2f s: %llu errors, recovered after %.2f s", outage.start_s,
                      outage.end_s, static_cast<unsigned long long>(outage.errors),
                      outage.end_s - outage.start_s);
      } else {
        std::snprintf(line, sizeof line, "from %.2f s to the end: %llu errors, not recovered",
                      outage.start_s, static_cast<unsigned long long>(outage.errors));
      }
      table.add_row({"outage", line});
    }
    if (result.acquire_timeouts > 0) {
      table.add_row({"exhausted", std::to_string(result.acquire_timeouts) +
                                      " acquires waited longer than " +
                                      util::human_duration(settings.acquire_timeout)});
    }
    for (const auto& message : result.error_messages)
      table.add_row({"error", util::one_line(message)});
    ctx.out.print(table.render());
  }
  return result.errors() == 0 ? ExitCode::ok : ExitCode::failure;
}

}  // namespace

void register_pool_commands(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<PoolOptions>();
  auto* group = &family;
  group->require_subcommand(1);
  auto* status =
      group->add_subcommand("status",
                            "Connections by state, application, user and client; headroom; oldest "
                            "transaction; PgBouncer pools");
  status->add_option("--pgbouncer", options->pgbouncer_url,
                     "PgBouncer admin console URL, e.g. postgresql://admin@host:6432/pgbouncer");
  commands.push_back(
      {status, [options](Context& ctx) { return run_status(ctx, *options); }, Needs::database});

  auto* probe = group->add_subcommand(
      "probe",
      "Drive a pool (the one agentdb serve uses) from several threads and report latency "
      "percentiles, throughput, errors and recovery; exit 1 when any query failed");
  probe->add_option("--connections", options->connections, "Pool size (default 10)");
  probe->add_option("--threads", options->threads,
                    "Threads driving the pool (default: one per connection)");
  probe->add_option("--duration", options->duration, "How long to run (default 10s)");
  probe->add_option("--query", options->query, "Statement each iteration runs (default SELECT 1)");
  probe->add_option("--acquire-timeout", options->acquire_timeout,
                    "Longest wait for a free connection before it counts as exhaustion "
                    "(default 5s)");
  probe->add_option("--min-idle", options->min_idle,
                    "Connections opened before the run (default 0)");
  probe->add_option("--stale-after", options->stale_after,
                    "Ping a connection idle this long before reuse (default 10s)");
  probe->add_option("--max-lifetime", options->max_lifetime,
                    "Recycle connections older than this (default 30m; 0: never)");
  commands.push_back({probe, [options](Context& ctx) { return run_probe_command(ctx, *options); },
                      Needs::database});
}

}  // namespace agentdb::health
