// pool_status and probe_pool: who uses the server's connections, and how a pool of them behaves.
#include "db/pgbouncer_console.hpp"
#include "db/session.hpp"
#include "health/database_checks.hpp"
#include "health/health.hpp"
#include "util/strings.hpp"

namespace agentdb::health {

namespace {

std::string text_of(const db::Value& field) {
  return field.is_null() ? std::string("-") : field.as<std::string>();
}

// Counts of client connections grouped by one column of pg_stat_activity.
ConnectionCounts grouped(db::Session& session, const std::string& expression) {
  ConnectionCounts counts;
  for (const auto& row : session.exec(
           "SELECT coalesce(" + expression +
           ", '-') AS key, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
           " GROUP BY 1 ORDER BY 2 DESC, 1")) {
    auto key = row[0].as<std::string>();
    counts[key.empty() ? std::string("(none)") : key] = row[1].as<long long>();
  }
  return counts;
}

std::optional<OldestTransaction> oldest_transaction(db::Session& session) {
  const auto oldest = session.exec(
      "SELECT pid, usename, application_name, state,"
      " extract(epoch FROM clock_timestamp() - xact_start)::float8 AS seconds,"
      " left(query, 120) AS query FROM pg_stat_activity"
      " WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() ORDER BY xact_start LIMIT 1");
  if (oldest.empty())
    return std::nullopt;
  const auto row = oldest[0];
  return OldestTransaction{
      row["pid"].as<int>(),  text_of(row["usename"]),     text_of(row["application_name"]),
      text_of(row["state"]), row["seconds"].as<double>(), util::one_line(text_of(row["query"]))};
}

long long number_in(const db::ConsoleRow& row, const char* column) {
  const auto it = row.find(column);
  if (it == row.end())
    return 0;
  return util::parse_int64(it->second).value_or(0);
}

std::string text_in(const db::ConsoleRow& row, const char* column) {
  const auto it = row.find(column);
  return it == row.end() ? std::string("-") : it->second;
}

// Per pool (database, user) from SHOW POOLS, with the database's averages from SHOW STATS.
// Columns are read by name because they change between PgBouncer releases.
std::vector<PgBouncerPool> pgbouncer_pools(const db::ConnectionTarget& console_target) {
  db::PgBouncerConsole console(console_target);
  std::map<std::string, db::ConsoleRow> stats_by_database;
  for (auto& row : console.show("STATS"))
    stats_by_database.emplace(text_in(row, "database"), std::move(row));
  std::vector<PgBouncerPool> pools;
  for (const auto& row : console.show("POOLS")) {
    PgBouncerPool pool;
    pool.database = text_in(row, "database");
    pool.user = text_in(row, "user");
    pool.mode = text_in(row, "pool_mode");
    pool.clients_active = number_in(row, "cl_active");
    pool.clients_waiting = number_in(row, "cl_waiting");
    pool.servers_active = number_in(row, "sv_active");
    pool.servers_idle = number_in(row, "sv_idle");
    pool.servers_used = number_in(row, "sv_used");
    pool.max_wait_s = static_cast<double>(number_in(row, "maxwait")) +
                      static_cast<double>(number_in(row, "maxwait_us")) / 1e6;
    if (const auto it = stats_by_database.find(pool.database); it != stats_by_database.end()) {
      pool.averages = PgBouncerPool::Averages{
          static_cast<double>(number_in(it->second, "avg_wait_time")) / 1000.0,
          static_cast<double>(number_in(it->second, "avg_query_time")) / 1000.0,
          number_in(it->second, "avg_query_count")};
    }
    pools.push_back(std::move(pool));
  }
  return pools;
}

}  // namespace

PoolStatus pool_status(db::Session& session, const PoolStatusRequest& request) {
  PoolStatus status;
  status.database = session.target().display;
  status.connections = read_connection_limits(session);
  status.by_state = grouped(session, "state");
  status.by_application = grouped(session, "application_name");
  status.by_user = grouped(session, "usename::text");
  status.by_client = grouped(session, "client_addr::text");
  status.oldest_transaction = oldest_transaction(session);
  if (request.pgbouncer)
    status.pgbouncer = pgbouncer_pools(*request.pgbouncer);
  if (session.target().host_count > 1)
    status.members = db::ask_members(session.target(), std::chrono::seconds(3));
  return status;
}

ProbeResult probe_pool(const PoolProbeRequest& request) {
  db::ConnectionPool pool(request.database, request.pool);
  pool.warm_up();
  {
    // One query before the clock starts: a wrong URL or query fails here, not N times a second.
    auto lease = pool.acquire();
    (void)lease->exec(request.probe.query);
  }
  if (request.on_ready)
    request.on_ready();
  return run_probe(pool, request.probe, request.tick, request.stop);
}

}  // namespace agentdb::health
