// `agentdb serve`: resolve the settings, refuse pending migrations, listen, and drain on SIGTERM.
#include "serve/serve_command.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "db/primary.hpp"
#include "db/redis.hpp"
#include "db/session.hpp"
#include "db/settings.hpp"
#include "migrate/migrate.hpp"
#include "serve/openapi.hpp"
#include "serve/server.hpp"
#include "serve/service.hpp"
#include "serve/settings.hpp"
#include "serve/systemd_notify.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::serve {

namespace {

struct ServeOptions {
  std::string listen;
  std::string pool_size;
  std::string threads;
  std::string drain_timeout;
  std::string statement_timeout;
  std::string migrations_dir;
  std::string rate_limits;
  std::string log_level;
  std::string idle_timeout;
  std::string max_connections;
  std::string read_url;
  std::string redis_url;
  bool pgbouncer = false;
  bool allow_pending = false;
  bool openapi = false;
  bool no_access_log = false;
};

int bounded_int(const std::string& text, const char* what, int least, int most) {
  const auto value = util::parse_int64(text);
  if (!value || *value < least || *value > most)
    throw Error(
        ExitCode::usage, std::string("invalid ") + what + " '" + excerpt(text) + "'",
        "give a whole number from " + std::to_string(least) + " to " + std::to_string(most));
  return static_cast<int>(*value);
}

std::chrono::milliseconds duration_of(const std::string& text, const char* what) {
  const auto value = util::parse_duration(text);
  if (!value || value->count() == 0 || *value > std::chrono::hours(24))
    throw Error(ExitCode::usage, std::string("invalid ") + what + " '" + excerpt(text) + "'",
                "give a duration from 1ms to 24h, such as 500ms, 10s or 2m");
  return *value;
}

// "127.0.0.1:8080", "[::1]:8080", ":8080" (all IPv4 addresses).
void parse_listen(const std::string& text, ServerSettings& server) {
  const auto colon = text.rfind(':');
  const auto fail = [&] {
    return Error(ExitCode::usage, "invalid --listen '" + excerpt(text) + "'",
                 "give ADDRESS:PORT, such as 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080");
  };
  if (colon == std::string::npos)
    throw fail();
  auto host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  server.address = host.empty() ? "0.0.0.0" : host;
  const auto port = util::parse_int64(text.substr(colon + 1));
  if (!port || *port < 0 || *port > 65535)
    throw fail();
  server.port = static_cast<std::uint16_t>(*port);
}

void refuse_pending(Context& ctx, const std::filesystem::path& dir, bool allow_pending) {
  auto session = db::open_primary(ctx.database());
  const auto summary = migrate::summarize(*session, dir);
  const int pending = summary.count("pending");
  if (summary.drift() > 0)
    throw Error(ExitCode::conflict,
                "the schema has drifted from " + dir.string() + " (" +
                    std::to_string(summary.drift()) + " revision(s) not as on disk)",
                "see agentdb migrate status");
  if (pending > 0 && !allow_pending)
    throw Error(ExitCode::conflict,
                std::to_string(pending) + " migration(s) pending in " + dir.string(),
                "run agentdb migrate up first, or pass --allow-pending");
  if (pending > 0)
    ctx.out.warn(std::to_string(pending) +
                 " migration(s) pending; serving anyway (--allow-pending)");
}

bool truth_of(const std::string& text, const char* what) {
  const auto lower = util::to_lower(text);
  if (lower == "true" || lower == "on" || lower == "yes" || lower == "1")
    return true;
  if (lower == "false" || lower == "off" || lower == "no" || lower == "0" || lower.empty())
    return false;
  throw Error(ExitCode::usage, std::string("invalid ") + what + " '" + excerpt(text) + "'",
              "give true or false");
}

// Behind PgBouncer in transaction pooling, serve already keeps no state outside a transaction
// (SET LOCAL, set_config(..., true), unnamed statements). What changes: PgBouncer recycles the
// server connections (server_lifetime), so ours are not, and it refuses the startup parameter
// `options`, which is better said now than on the first request.
void behind_pgbouncer(const db::ConnectionTarget& target, db::PoolSettings& pool) {
  if (target.conninfo.find("options=") != std::string::npos)
    throw Error(ExitCode::usage,
                "the database URL sets options=, which PgBouncer refuses as a startup parameter",
                "set those parameters on the [databases] line of pgbouncer.ini, or drop "
                "--pgbouncer when the URL is not PgBouncer");
  pool.max_lifetime = std::chrono::milliseconds(0);
}

// --read-url, --redis-url and --pgbouncer: where serve's parts other than the primary are.
void resolve_neighbours(const Context& ctx, const ServeOptions& options,
                        ServiceSettings& settings) {
  if (const auto url = ctx.config.find(kReadUrl, options.read_url))
    settings.read_database = db::parse_connection_target(*url);
  if (const auto url = ctx.config.find(db::kRedisUrl, options.redis_url))
    settings.redis = db::parse_redis_url(*url);
  if (options.pgbouncer || truth_of(ctx.config.value(kPgBouncer), "serve.pgbouncer")) {
    behind_pgbouncer(settings.database, settings.pool);
    if (settings.read_database)
      behind_pgbouncer(*settings.read_database, settings.pool);
  }
}

// The settings SIGHUP may change, as `config` (or the flags and the environment, which win) gives
// them; read the same way at start and on every reload.
struct ReloadableSettings {
  std::string limits_text;
  std::string level_text;
  TierLimits limits;
  LogLevel level;
};

ReloadableSettings reloadable_settings(const Config& config, const ServeOptions& options) {
  ReloadableSettings settings;
  settings.limits_text = config.value(kRateLimits, options.rate_limits);
  settings.level_text = config.value(kLogLevel, options.log_level);
  settings.limits = parse_tier_limits(settings.limits_text);
  settings.level = parse_log_level(settings.level_text);
  return settings;
}

// SIGHUP: agentdb.toml read again. A file that no longer reads keeps what runs.
void reload(Service& service, const Context& ctx, const ServeOptions& options) {
  try {
    auto fresh = reloadable_settings(ctx.config.reloaded(), options);
    service.reconfigure(std::move(fresh.limits), fresh.level);
    ctx.out.note("SIGHUP: reloaded; rate limits " + fresh.limits_text + ", log level " +
                 fresh.level_text);
  } catch (const Error& error) {
    ctx.out.warn(std::string("SIGHUP: kept the running settings: ") + error.what());
  }
}

// SIGTERM and SIGINT drain, SIGHUP reloads; the signals are blocked in every thread and taken
// here, so no handler runs in the middle of a request.
void watch_signals(HttpServer& server, Service& service, const Context& ctx,
                   const ServeOptions& options, std::chrono::milliseconds drain,
                   const std::atomic<bool>& stopped, SystemdNotifier& systemd) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  const timespec tick{0, 200'000'000};
  while (!stopped) {
    const int signal = sigtimedwait(&set, nullptr, &tick);
    systemd.tick();
    if (signal == SIGHUP) {
      systemd.reloading();
      reload(service, ctx, options);
      systemd.ready("reloaded");
    } else if (signal == SIGTERM || signal == SIGINT) {
      systemd.stopping();
      ctx.out.note(std::string(signal == SIGTERM ? "SIGTERM" : "SIGINT") +
                   ": finishing the requests in flight (up to " + util::human_duration(drain) +
                   ")");
      server.drain(drain);
      return;
    }
  }
}

ExitCode run_serve(Context& ctx, const ServeOptions& options) {
  if (options.openapi) {  // the document the service would answer, without a database
    const auto text = openapi_document(all_routes()).dump(2) + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    return ExitCode::ok;
  }
  ServerSettings server_settings;
  parse_listen(ctx.config.value(kListen, options.listen), server_settings);
  ServiceSettings settings;
  settings.pool.max_size =
      bounded_int(ctx.config.value(kPoolSize, options.pool_size), "--pool-size", 1, 1000);
  server_settings.workers = settings.pool.max_size;
  server_settings.io_threads =
      bounded_int(ctx.config.value(kThreads, options.threads), "--threads", 1, 64);
  const auto drain =
      duration_of(ctx.config.value(kDrainTimeout, options.drain_timeout), "--drain-timeout");
  settings.statement_timeout = duration_of(
      ctx.config.value(kStatementTimeout, options.statement_timeout), "--statement-timeout");
  settings.migrations_dir = ctx.config.value(migrate::kMigrationsDir, options.migrations_dir);
  settings.database = ctx.database();
  settings.pool.session.connect_timeout = std::chrono::seconds(5);
  settings.pool.primary_only = settings.database.host_count > 1;
  auto reloadable = reloadable_settings(ctx.config, options);
  settings.rate_limits = std::move(reloadable.limits);
  settings.log_level = reloadable.level;
  server_settings.idle_timeout =
      duration_of(ctx.config.value(kIdleTimeout, options.idle_timeout), "--idle-timeout");
  server_settings.max_connections = bounded_int(
      ctx.config.value(kMaxConnections, options.max_connections), "--max-connections", 1, 100000);
  resolve_neighbours(ctx, options, settings);
  refuse_pending(ctx, settings.migrations_dir, options.allow_pending);

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-response is an error code, not an exit

  std::mutex log_mutex;
  AccessLog log;
  if (!options.no_access_log)
    log = [&log_mutex](const std::string& line) {
      const std::lock_guard lock(log_mutex);
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fputc('\n', stdout);
      std::fflush(stdout);
    };
  Service service(settings, log);
  HttpServer server(
      server_settings, [&service](const HttpRequest& request) { return service.handle(request); },
      [&service](int status) { service.record_rejection(status); });
  ctx.out.note("serving " + settings.database.display + " on http://" + server_settings.address +
               ":" + std::to_string(server.port()) + " (pool " +
               std::to_string(settings.pool.max_size) + ", " +
               std::to_string(server_settings.io_threads) + " I/O threads)");
  if (settings.read_database)
    ctx.out.note("read-only routes on " + settings.read_database->display +
                 " (the primary answers while it cannot)");
  if (settings.redis)
    ctx.out.note("rate limit buckets in " + settings.redis->display);
  SystemdNotifier systemd(server_settings.address, server.port());
  systemd.ready("serving on port " + std::to_string(server.port()));
  std::atomic<bool> stopped{false};
  std::thread signals(
      [&] { watch_signals(server, service, ctx, options, drain, stopped, systemd); });
  server.run();
  stopped = true;
  signals.join();
  ctx.out.note("stopped");
  return ExitCode::ok;
}

}  // namespace

void register_serve_command(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<ServeOptions>();
  auto* app = &family;
  app->add_option("--listen", options->listen,
                  "ADDRESS:PORT to listen on (env AGENTDB_LISTEN; default 127.0.0.1:8080)");
  app->add_option("--pool-size", options->pool_size,
                  "Database connections, and worker threads (env AGENTDB_POOL_SIZE; default 10)");
  app->add_option("--threads", options->threads, "I/O threads (default 2)");
  app->add_option("--drain-timeout", options->drain_timeout,
                  "On SIGTERM, how long requests in flight may take to finish (default 10s)");
  app->add_option("--statement-timeout", options->statement_timeout,
                  "Statement timeout of each request (default 5s)");
  app->add_option(
      "--migrations-dir", options->migrations_dir,
      "Migrations that must be applied (env AGENTDB_MIGRATIONS_DIR; default ./migrations)");
  app->add_option("--rate-limits", options->rate_limits,
                  "TIER=PER_SECOND/BURST,... for API keys by tier; SIGHUP reloads (env "
                  "AGENTDB_RATE_LIMITS; default free=5/10,standard=50/100,premium=500/1000)");
  app->add_option("--log-level", options->log_level,
                  "Access log: info, warn (4xx, 5xx), error (5xx) or off; SIGHUP reloads (env "
                  "AGENTDB_LOG_LEVEL; default info)");
  app->add_option("--idle-timeout", options->idle_timeout,
                  "Close a client connection silent this long, or a request not whole by then "
                  "(default 30s)");
  app->add_option("--max-connections", options->max_connections,
                  "Client connections at once; more are answered 503 (default 1024)");
  app->add_option("--read-url", options->read_url,
                  "A replica for the read-only routes; the primary answers while it cannot (env "
                  "AGENTDB_READ_URL)");
  app->add_option("--redis-url", options->redis_url,
                  "Keep the rate limit buckets in this Redis, shared by every serve on it (env "
                  "REDIS_URL)");
  app->add_flag("--pgbouncer", options->pgbouncer,
                "The database URL is PgBouncer in transaction pooling (env AGENTDB_PGBOUNCER)");
  app->add_flag("--openapi", options->openapi,
                "Print the OpenAPI 3.1 document of every route (as /openapi.json) and exit");
  app->add_flag("--allow-pending", options->allow_pending,
                "Serve even when migrations are pending");
  app->add_flag("--no-access-log", options->no_access_log,
                "Do not write the access log (JSON lines on stdout)");
  commands.push_back(
      {app, [options](Context& ctx) { return run_serve(ctx, *options); }, Needs::primary});
}

}  // namespace agentdb::serve
