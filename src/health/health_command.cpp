// `agentdb health`: binds the options, builds a HealthRequest from them and the configuration,
// runs it, and prints the report (once, or again and again with --watch).
#include "health/health_command.hpp"

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "health/health.hpp"
#include "health/report.hpp"
#include "health/selection.hpp"
#include "health/settings.hpp"
#include "migrate/migrate.hpp"
#include "qdrant/qdrant.hpp"
#include "util/interrupt.hpp"
#include "util/time.hpp"

namespace agentdb::health {

namespace {

using Clock = std::chrono::steady_clock;

struct HealthOptions {
  CheckChoice choice;
  std::string timeout;
  std::string qdrant_url;
  std::string redis_url;
  std::string migrations_dir;
  bool nagios = false;
  double watch_seconds = 0;
};

// A usage error; agentdb's entry point reports it as UNKNOWN (3) for health, the plugin convention.
[[noreturn]] void usage(const std::string& message, const std::string& hint) {
  throw Error(ExitCode::usage, message, hint);
}

bool selected(const std::vector<SelectedCheck>& checks, bool (*wanted)(const CheckSpec&)) {
  return std::any_of(checks.begin(), checks.end(), [&](const auto& c) { return wanted(*c.spec); });
}

std::optional<QdrantCheckSettings> qdrant_settings(const Config& config, const std::string& flag) {
  const auto url = flag.empty() ? qdrant::configured_url(config) : std::optional<std::string>(flag);
  if (!url)
    return std::nullopt;
  QdrantCheckSettings settings;
  settings.client = qdrant::configured_client(config);
  settings.client.url = *url;
  try {
    settings.collections = qdrant::configured_collections(config);
  } catch (const Error& e) {
    settings.collections_error = e.what();
  }
  return settings;
}

// Only what the selected checks use is resolved (`--check redis` starts no database), once,
// also under --watch, whose loop gives each later run a deadline of its own.
HealthRequest health_request(Context& ctx, const HealthOptions& options,
                             const std::vector<SelectedCheck>& checks,
                             std::chrono::milliseconds timeout) {
  HealthRequest request;
  request.checks = checks;
  request.timeout = timeout;
  // The deadline starts before the database is resolved, so starting the embedded cluster counts
  // against --timeout, as it did.
  request.deadline = Clock::now() + timeout;
  if (selected(checks, [](const CheckSpec& s) { return s.needs_database; })) {
    request.database = ctx.database();
    const auto dir = ctx.config.find(migrate::kMigrationsDir, options.migrations_dir);
    request.migrations.dir = dir ? *dir : shipped_default(migrate::kMigrationsDir);
    request.migrations.configured = dir.has_value();
  }
  if (selected(checks, [](const CheckSpec& s) { return s.name == "qdrant"; }))
    request.qdrant = qdrant_settings(ctx.config, options.qdrant_url);
  if (selected(checks, [](const CheckSpec& s) { return s.name.starts_with("redis"); }))
    request.redis_url = ctx.config.find(kRedisUrl, options.redis_url);
  return request;
}

Status run_once(Context& ctx, HealthRequest request, ReportFormat format) {
  const auto report = run_checks(request);
  print_report(report, format, ctx.out);
  // The command line's last resort: a call still hangs past --timeout on a thread that cannot be
  // stopped, so leave the process now, as a monitoring plugin must (even in --watch).
  if (report.left_running)
    std::_Exit(exit_code(overall(report)));
  return overall(report);
}

Outcome run_health(Context& ctx, const HealthOptions& options) {
  const auto timeout_text = ctx.config.value(kTimeout, options.timeout);
  const auto timeout = util::parse_duration(timeout_text);
  // A monitoring plugin answers within seconds; beyond an hour a timeout is a typo.
  if (!timeout || timeout->count() < 100 || *timeout > std::chrono::hours(1)) {
    usage("invalid --timeout '" + timeout_text + "'", "use a duration from 100ms to 1h, e.g. 5s");
  }
  if (options.nagios && ctx.out.json())
    usage("--nagios and --json are two different outputs", "choose one");
  // Written so that NaN fails too.
  if (options.watch_seconds != 0 &&
      !(options.watch_seconds >= 0.5 && options.watch_seconds <= 86400)) {
    char given[32];
    std::snprintf(given, sizeof given, "%g", options.watch_seconds);
    usage(std::string("invalid --watch '") + given + "'",
          "give SECONDS from 0.5 to 86400, e.g. --watch 2");
  }
  if (options.watch_seconds > 0 && (options.nagios || ctx.out.json()))
    usage("--watch refreshes a table for people", "use it without --json and --nagios");
  const auto checks = select_checks(ctx.config, options.choice);
  const ReportFormat format = ctx.out.json()   ? ReportFormat::json
                              : options.nagios ? ReportFormat::nagios
                                               : ReportFormat::table;
  auto request = health_request(ctx, options, checks, *timeout);
  if (options.watch_seconds <= 0)
    return plugin_status(run_once(ctx, std::move(request), format));
  // --watch: redraw in place on a terminal, one report after another otherwise.
  util::InterruptFlag interrupted;
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  Status last = Status::ok;
  const auto interval = std::chrono::milliseconds(std::llround(options.watch_seconds * 1000));
  while (!interrupted.raised()) {
    if (terminal) {
      ctx.out.clear_screen();
      ctx.out.print_always(util::iso_utc(std::chrono::system_clock::now()) + ", every " +
                           util::human_duration(interval) + " (Ctrl-C to stop)");
    } else {
      ctx.out.print_always("== " + util::iso_utc(std::chrono::system_clock::now()));
    }
    last = run_once(ctx, request, format);
    const auto until = Clock::now() + interval;
    while (!interrupted.raised() && Clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    request.deadline = Clock::now() + *timeout;
  }
  return plugin_status(last);
}

}  // namespace

void register_health_command(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<HealthOptions>();
  auto* app = &family;
  app->add_option("--check", options->choice.names,
                  "Run only these checks (repeat or comma-separate): " + check_names())
      ->delimiter(',');
  app->add_option("--warning", options->choice.warnings,
                  "Warning threshold CHECK=VALUE (repeatable), e.g. connections=70")
      ->delimiter(',');
  app->add_option("--critical", options->choice.criticals,
                  "Critical threshold CHECK=VALUE (repeatable), e.g. long_query=10m")
      ->delimiter(',');
  app->add_option("--timeout", options->timeout,
                  "Give up and report after this long, even on a silent network (default 5s)");
  app->add_flag("--nagios", options->nagios,
                "One line of Nagios/Icinga plugin output with perfdata");
  app->add_option("--watch", options->watch_seconds, "Refresh every SECONDS until Ctrl-C");
  app->add_option("--qdrant-url", options->qdrant_url,
                  "Qdrant to check (env QDRANT_URL; key: QDRANT_API_KEY); skipped when unset");
  app->add_option("--redis-url", options->redis_url,
                  "Redis to check (env REDIS_URL), redis://[:password@]host[:port][/db]; "
                  "skipped when unset");
  app->add_option("--migrations-dir", options->migrations_dir,
                  "Migrations to compare with (env AGENTDB_MIGRATIONS_DIR; default ./migrations)");
  commands.push_back({app, [options](Context& ctx) { return run_health(ctx, *options); },
                      Needs::database, ExitConvention::plugin_status});
}

}  // namespace agentdb::health
