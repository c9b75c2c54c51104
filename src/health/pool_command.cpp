// `agentdb pool status` and `agentdb pool probe`: bind the options, call pool_status / probe_pool,
// and print what they return.
#include <CLI/CLI.hpp>

#include <memory>
#include <optional>

#include "core/output.hpp"
#include "db/session.hpp"
#include "health/health.hpp"
#include "health/health_command.hpp"
#include "health/pool_render.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::health {

namespace {

struct PoolStatusOptions {
  std::string pgbouncer_url;
};

struct PoolProbeOptions {
  int connections = 10;
  int threads = 0;  // 0: one per connection
  int min_idle = 0;
  std::string duration = "10s";
  std::string query = "SELECT 1";
  std::string acquire_timeout = "5s";
  std::string stale_after = "10s";
  std::string max_lifetime = "30m";
};

enum class Zero { allowed, refused };

// Up to `most`: beyond it a duration is a typo, and a deadline that far overflows the clock.
std::chrono::milliseconds duration_option(const std::string& text, const char* flag, Zero zero,
                                          int most_days) {
  const auto parsed = util::parse_duration(text);
  if (!parsed || (zero == Zero::refused && parsed->count() == 0) ||
      *parsed > std::chrono::hours(24) * most_days) {
    throw Error(ExitCode::usage, std::string("invalid ") + flag + " '" + text + "'",
                std::string("use a duration from ") + (zero == Zero::refused ? "1ms" : "0") +
                    " to " + std::to_string(most_days) + (most_days == 1 ? " day" : " days") +
                    ", such as 500ms, 10s or 2m");
  }
  return *parsed;
}

ExitCode run_status(Context& ctx, const PoolStatusOptions& options) {
  auto& session = ctx.session();
  PoolStatusRequest request;
  if (!options.pgbouncer_url.empty())
    request.pgbouncer = db::parse_connection_target(options.pgbouncer_url);
  const auto status = pool_status(session, request);
  if (ctx.out.json()) {
    ctx.out.emit(pool_status_json(status));
    return ExitCode::ok;
  }
  for (const auto& block : render_pool_status(status))
    ctx.out.print(block);
  return ExitCode::ok;
}

// Checked in this order, so that the first mistake is the one reported.
PoolProbeRequest probe_request(const PoolProbeOptions& options) {
  PoolProbeRequest request;
  auto& pool = request.pool;
  pool.max_size = options.connections;
  pool.min_idle = options.min_idle;
  constexpr int day = 1;
  pool.acquire_timeout =
      duration_option(options.acquire_timeout, "--acquire-timeout", Zero::refused, day);
  pool.stale_after = duration_option(options.stale_after, "--stale-after", Zero::allowed, day);
  pool.max_lifetime =
      duration_option(options.max_lifetime, "--max-lifetime", Zero::allowed, 30 * day);
  pool.session.connect_timeout = std::chrono::seconds(5);
  auto& probe = request.probe;
  probe.threads = options.threads > 0 ? options.threads : options.connections;
  probe.duration = duration_option(options.duration, "--duration", Zero::refused, day);
  probe.query = options.query;
  if (options.connections < 1 || options.connections > 1000)
    throw Error(ExitCode::usage, "--connections must lie between 1 and 1000");
  if (options.threads < 0 || probe.threads > 1000)
    throw Error(ExitCode::usage, "--threads must lie between 1 and 1000 (0: one per connection)");
  if (options.min_idle < 0 || options.min_idle > options.connections)
    throw Error(ExitCode::usage, "--min-idle must lie between 0 and --connections");
  if (util::trim(probe.query).empty())
    throw Error(ExitCode::usage, "--query is empty", "give a statement, e.g. 'SELECT 1'");
  return request;
}

ExitCode run_probe_command(Context& ctx, const PoolProbeOptions& options) {
  auto request = probe_request(options);
  request.database = ctx.database();
  const ProbeSetup setup{request.database.display, options.connections, request.probe.threads,
                         request.probe.query, request.pool.acquire_timeout};
  // Ctrl-C ends the measured run early (and still reports); before it, it ends the process.
  std::optional<util::InterruptFlag> interrupted;
  request.on_ready = [&] {
    interrupted.emplace();
    ctx.out.note("probing " + setup.database + " with a pool of " +
                 std::to_string(setup.connections) + " connections from " +
                 std::to_string(setup.threads) + " threads for " +
                 util::human_duration(request.probe.duration));
  };
  // Live on a terminal, a line every few seconds in a log, nothing under --json or --quiet.
  ProgressLine progress(ctx.out);
  request.tick = [&](double elapsed, std::uint64_t queries, std::uint64_t errors,
                     const db::PoolCounters& counters) {
    progress.update(probe_progress_line(elapsed, queries, errors, counters));
  };
  request.stop = [&] { return interrupted && interrupted->raised(); };
  const auto result = probe_pool(request);
  progress.finish();
  if (ctx.out.json())
    ctx.out.emit(probe_json(setup, result));
  else
    ctx.out.print(render_probe(setup, result));
  return result.errors() == 0 ? ExitCode::ok : ExitCode::failure;
}

}  // namespace

void register_pool_commands(CLI::App& family, std::vector<Command>& commands) {
  auto status_options = std::make_shared<PoolStatusOptions>();
  auto probe_options = std::make_shared<PoolProbeOptions>();
  auto* group = &family;
  group->require_subcommand(1);
  auto* status =
      group->add_subcommand("status",
                            "Connections by state, application, user and client; headroom; oldest "
                            "transaction; PgBouncer pools");
  status->add_option("--pgbouncer", status_options->pgbouncer_url,
                     "PgBouncer admin console URL, e.g. postgresql://admin@host:6432/pgbouncer");
  commands.push_back({status,
                      [status_options](Context& ctx) { return run_status(ctx, *status_options); },
                      Needs::session});

  auto* probe = group->add_subcommand(
      "probe",
      "Drive a pool (the one agentdb serve uses) from several threads and report latency "
      "percentiles, throughput, errors and recovery; exit 1 when any query failed");
  auto& o = *probe_options;
  probe->add_option("--connections", o.connections, "Pool size (default 10)");
  probe->add_option("--threads", o.threads,
                    "Threads driving the pool (default: one per connection)");
  probe->add_option("--duration", o.duration, "How long to run (default 10s)");
  probe->add_option("--query", o.query, "Statement each iteration runs (default SELECT 1)");
  probe->add_option("--acquire-timeout", o.acquire_timeout,
                    "Longest wait for a free connection before it counts as exhaustion "
                    "(default 5s)");
  probe->add_option("--min-idle", o.min_idle, "Connections opened before the run (default 0)");
  probe->add_option("--stale-after", o.stale_after,
                    "Ping a connection idle this long before reuse (default 10s)");
  probe->add_option("--max-lifetime", o.max_lifetime,
                    "Recycle connections older than this (default 30m; 0: never)");
  commands.push_back(
      {probe, [probe_options](Context& ctx) { return run_probe_command(ctx, *probe_options); },
       Needs::database});
}

}  // namespace agentdb::health
