#include "health/health_command.hpp"
#include "health/settings.hpp"
#include "migrate/migrate.hpp"

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "core/toml.hpp"
#include "db/session.hpp"
#include "health/check.hpp"
#include "health/database_checks.hpp"
#include "health/redis_probe.hpp"
#include "health/report.hpp"
#include "qdrant/qdrant.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::health {

namespace {

using Clock = std::chrono::steady_clock;

struct HealthOptions {
  std::vector<std::string> checks;
  std::vector<std::string> warnings;
  std::vector<std::string> criticals;
  std::string timeout;
  std::string qdrant_url;
  std::string redis_url;
  std::string migrations_dir;
  bool nagios = false;
  double watch_seconds = 0;
};

enum class Format { table, json, nagios };

// A usage error; agentdb's entry point reports it as UNKNOWN (3) for health, the plugin convention.
[[noreturn]] void usage(const std::string& message, const std::string& hint) {
  throw Error(ExitCode::usage, message, hint);
}

struct Selected {
  const CheckSpec* spec;
  Thresholds thresholds;
};

std::string check_names() {
  std::vector<std::string> names;
  for (const auto& check : all_checks())
    names.emplace_back(check.name);
  return util::join(names, ", ");
}

void apply_threshold(std::vector<Selected>& all, const std::string& setting, bool critical,
                     const std::string& origin) {
  const auto eq = setting.find('=');
  if (eq == std::string::npos) {
    usage("invalid threshold '" + setting + "' in " + origin,
          "write CHECK=VALUE, e.g. connections=90 or long_query=2m");
  }
  const auto name = setting.substr(0, eq);
  const auto* spec = find_check(name);
  if (spec == nullptr)
    usage("unknown check '" + name + "' in " + origin, "checks: " + check_names());
  const auto value = parse_threshold(spec->unit, setting.substr(eq + 1));
  if (!value) {
    usage("invalid threshold '" + setting.substr(eq + 1) + "' for " + name + " in " + origin,
          "give a number in the check's unit, or a duration (500ms, 2m) or size (64MB)");
  }
  for (auto& selected : all) {
    if (selected.spec == spec)
      (critical ? selected.thresholds.critical : selected.thresholds.warning) = *value;
  }
}

// Defaults, then [health.CHECK] warning/critical in agentdb.toml, then --warning/--critical.
std::vector<Selected> select_checks(const Context& ctx, const HealthOptions& options) {
  std::vector<Selected> all;
  for (const auto& spec : all_checks())
    all.push_back(Selected{&spec, Thresholds{spec.warning, spec.critical}});
  for (const auto& [key, value] : ctx.config.document()) {
    if (!key.starts_with("health.") || key == "health.timeout")
      continue;
    const auto rest = key.substr(7);
    const auto dot = rest.rfind('.');
    const auto level = dot == std::string::npos ? std::string() : rest.substr(dot + 1);
    if (dot == std::string::npos || (level != "warning" && level != "critical")) {
      usage(ctx.config.source().string() + ": unknown setting '" + key + "'",
            "health settings are health.timeout and health.CHECK.warning / .critical");
    }
    apply_threshold(all, rest.substr(0, dot) + "=" + toml::to_setting(value), level == "critical",
                    ctx.config.source().string());
  }
  for (const auto& setting : options.warnings)
    apply_threshold(all, setting, false, "--warning");
  for (const auto& setting : options.criticals)
    apply_threshold(all, setting, true, "--critical");
  if (options.checks.empty())
    return all;
  std::vector<Selected> chosen;
  for (const auto& name : options.checks) {
    if (find_check(name) == nullptr)
      usage("unknown check '" + name + "'", "checks: " + check_names());
  }
  for (const auto& selected : all) {
    if (std::find(options.checks.begin(), options.checks.end(), selected.spec->name) !=
        options.checks.end())
      chosen.push_back(selected);
  }
  return chosen;
}

CheckResult placeholder(const Selected& selected, Status status, std::string summary) {
  CheckResult result;
  result.name = std::string(selected.spec->name);
  result.unit = selected.spec->unit;
  result.thresholds = selected.thresholds;
  result.status = status;
  result.summary = std::move(summary);
  return result;
}

// "timeout expired" -> "timed out", and the like: the reason a monitoring person acts on.
std::string connect_reason(const std::string& message) {
  const auto lower = util::to_lower(message);
  if (lower.find("refused") != std::string::npos)
    return "connection refused";
  if (lower.find("timeout") != std::string::npos || lower.find("timed out") != std::string::npos)
    return "timed out";
  if (lower.find("authentication") != std::string::npos ||
      lower.find("password") != std::string::npos || lower.find("pg_hba") != std::string::npos)
    return "authentication failed";
  if (lower.find("no such file") != std::string::npos)
    return "no server at that socket";
  if (lower.find("does not exist") != std::string::npos)
    return "database does not exist";
  return "cannot connect";
}

void print_report(const Report& report, Format format, const Output& out) {
  switch (format) {
    case Format::json:
      out.emit(report_json(report));
      break;
    case Format::nagios:
      out.print_always(render_nagios(report));
      break;
    case Format::table:
      out.print(render_table(report, out));
      break;
  }
  std::cout.flush();
  std::fflush(stdout);
}

// One run of the checks, bounded by a deadline the way monitoring plugins bound themselves with
// alarm(): when the time is up, whatever has been measured is printed, the rest is UNKNOWN, and
// the process exits, even if a network call is still hanging (a host that drops packets).
class HealthRun {
 public:
  HealthRun(Context& ctx, const HealthOptions& options, std::vector<Selected> selected,
            std::chrono::milliseconds timeout, Format format)
      : ctx_(ctx),
        options_(options),
        selected_(std::move(selected)),
        timeout_(timeout),
        format_(format) {}

  Status run() {
    started_ = Clock::now();
    deadline_ = started_ + timeout_;
    for (const auto& selected : selected_) {
      report_.checks.push_back(
          placeholder(selected, Status::unknown, "not run: the --timeout was reached first"));
    }
    std::thread watchdog([this] { watch_deadline(); });
    try {
      run_checks();
    } catch (...) {
      finish(watchdog);
      throw;
    }
    finish(watchdog);
    print_report(report_, format_, ctx_.out);
    return overall(report_);
  }

 private:
  void finish(std::thread& watchdog) {
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
      report_.elapsed_ms = elapsed_ms();
    }
    wake_.notify_all();
    watchdog.join();
  }

  void watch_deadline() {
    std::unique_lock lock(mutex_);
    if (wake_.wait_until(lock, deadline_, [this] { return finished_; }))
      return;
    // The main thread is stuck in a network call; report and leave without it.
    for (auto& check : report_.checks) {
      if (check.name == "connection" && !connected_) {
        check.status = Status::critical;
        check.summary = "no answer from " + database_display_ + " within " +
                        util::human_duration(timeout_) + " (timed out)";
        check.detail = {{"reason", "timed out"}};
      }
    }
    report_.elapsed_ms = elapsed_ms();
    print_report(report_, format_, ctx_.out);
    std::_Exit(exit_code(overall(report_)));
  }

  double elapsed_ms() const {
    return std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
  }

  std::chrono::milliseconds remaining() const {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    return std::max(left, std::chrono::milliseconds(1));
  }

  void publish(const CheckResult& result) {
    std::lock_guard lock(mutex_);
    for (auto& check : report_.checks) {
      if (check.name == result.name)
        check = result;
    }
  }

  void mark_remaining(bool database_only, Status status, const std::string& summary) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < selected_.size(); ++i) {
      auto& check = report_.checks[i];
      if ((!database_only || selected_[i].spec->needs_database) &&
          check.summary.starts_with("not run"))
        check = placeholder(selected_[i], status, summary);
    }
  }

  void run_checks() {
    bool needs_database = false;
    for (const auto& selected : selected_)
      needs_database = needs_database || selected.spec->needs_database;
    if (needs_database)
      run_database_checks();
    for (const auto& selected : selected_) {
      const auto name = selected.spec->name;
      if (name == "qdrant")
        publish(check_qdrant(selected));
      else if (name == "redis" || name == "redis_memory")
        publish(check_redis(selected));
    }
  }

  void run_database_checks() {
    const auto target = ctx_.database();
    {
      std::lock_guard lock(mutex_);
      database_display_ = target.display;
      report_.database = target.display;
    }
    const Selected* connection = nullptr;
    for (const auto& selected : selected_) {
      if (selected.spec->name == "connection")
        connection = &selected;
    }
    db::SessionOptions session_options;
    // libpq counts connect_timeout in whole seconds (and treats 1 as 2); the watchdog keeps the
    // finer --timeout.
    session_options.connect_timeout =
        std::chrono::seconds(std::max<long long>(1, (remaining().count() + 999) / 1000));
    std::unique_ptr<db::Session> session;
    const auto connect_started = Clock::now();
    try {
      session = db::Session::open(target, session_options);
    } catch (const Error& e) {
      if (e.code() == ExitCode::usage)
        throw;
      const auto reason = connect_reason(e.what());
      if (connection != nullptr) {
        auto result = placeholder(*connection, Status::critical, e.what());
        result.detail = {{"reason", reason}};
        publish(result);
      }
      mark_remaining(true, Status::unknown, "not run: cannot connect (" + reason + ")");
      if (connection == nullptr) {
        // The connection was not asked for, but without it nothing else could be judged.
        std::lock_guard lock(mutex_);
        for (auto& check : report_.checks) {
          if (find_check(check.name)->needs_database) {
            check.status = Status::critical;
            check.summary = "cannot connect (" + reason + "): " + e.what();
            break;
          }
        }
      }
      return;
    }
    const double connect_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - connect_started).count();
    {
      std::lock_guard lock(mutex_);
      connected_ = true;
    }
    if (connection != nullptr) {
      auto result = placeholder(
          *connection, judge(connect_ms, connection->thresholds, connection->spec->direction),
          "connected to " + target.display);
      result.value = connect_ms;
      result.perfdata.push_back(Perfdata{"connect_time", connect_ms, "ms", connection->thresholds,
                                         Direction::higher_is_worse, 0, std::nullopt});
      publish(result);
    }
    // A query that would outlast the deadline is cancelled by the server, not waited for.
    (void)session->exec("SET statement_timeout = " + std::to_string(remaining().count()));
    (void)session->exec("SET application_name = 'agentdb health'");
    MigrationsSource migrations;
    const auto configured = ctx_.config.find(migrate::kMigrationsDir, options_.migrations_dir);
    migrations.dir = configured.value_or(std::string(migrate::kMigrationsDir.fallback));
    migrations.configured = configured.has_value();
    for (const auto& selected : selected_) {
      if (!selected.spec->needs_database || selected.spec->name == "connection")
        continue;
      try {
        publish(run_database_check(*selected.spec, selected.thresholds, *session, migrations));
      } catch (const db::QueryError& e) {
        publish(placeholder(selected, Status::unknown, std::string("query failed: ") + e.what()));
      } catch (const Error& e) {
        if (e.code() != ExitCode::cannot_connect) {
          publish(placeholder(selected, Status::unknown, e.what()));
          continue;
        }
        publish(placeholder(selected, Status::critical, e.what()));
        mark_remaining(true, Status::unknown, "not run: the connection was lost");
        return;
      }
    }
  }

  CheckResult check_qdrant(const Selected& selected) {
    const auto url = options_.qdrant_url.empty() ? qdrant::configured_url(ctx_.config)
                                                 : std::optional<std::string>(options_.qdrant_url);
    if (!url)
      return placeholder(selected, Status::skipped, "not configured (set QDRANT_URL)");
    auto settings = qdrant::configured_client(ctx_.config);
    settings.url = *url;
    settings.timeout = remaining();
    settings.attempts = 1;
    std::optional<qdrant::CollectionsFile> collections;
    try {
      collections = qdrant::configured_collections(ctx_.config);
    } catch (const Error& e) {
      return placeholder(selected, Status::unknown, e.what());
    }
    try {
      qdrant::Client client(settings);
      const auto started = Clock::now();
      const auto [status, body] = client.get_text("/readyz");
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      auto result = placeholder(selected, judge(ms, selected.thresholds, selected.spec->direction),
                                "ready at " + *url);
      result.value = ms;
      result.perfdata.push_back(Perfdata{"qdrant_ready_time", ms, "ms", selected.thresholds,
                                         Direction::higher_is_worse, 0, std::nullopt});
      if (status != 200) {
        result.status = Status::critical;
        result.summary = "not ready (HTTP " + std::to_string(status) +
                         "): " + util::one_line(body.substr(0, 120));
        return result;
      }
      if (collections) {
        std::vector<std::string> missing;
        for (const auto& collection : collections->collections) {
          if (!client.get_if_exists(qdrant::collection_path(collection.name)))
            missing.push_back(collection.name);
        }
        result.detail = {{"collections", collections->collections.size()}, {"missing", missing}};
        if (!missing.empty()) {
          result.status = Status::critical;
          result.summary = "missing collection(s): " + util::join(missing, ", ") +
                           " (run 'agentdb qdrant apply')";
        } else {
          result.summary += ", all " + std::to_string(collections->collections.size()) +
                            " configured collections exist";
        }
      }
      return result;
    } catch (const Error& e) {
      auto result = placeholder(selected, Status::critical, e.what());
      return result;
    }
  }

  CheckResult check_redis(const Selected& selected) {
    const auto url = ctx_.config.find(kRedisUrl, options_.redis_url);
    if (!url)
      return placeholder(selected, Status::skipped, "not configured (set REDIS_URL)");
    RedisStats stats;
    try {
      stats = probe_redis(parse_redis_url(*url), remaining());
    } catch (const Error& e) {
      if (e.code() == ExitCode::usage)
        throw;
      return placeholder(selected, Status::critical, e.what());
    }
    if (selected.spec->name == "redis") {
      auto result =
          placeholder(selected, judge(stats.ping_ms, selected.thresholds, selected.spec->direction),
                      "PING answered (Redis " + stats.version + ")");
      result.value = stats.ping_ms;
      result.perfdata.push_back(Perfdata{"redis_ping", stats.ping_ms, "ms", selected.thresholds,
                                         Direction::higher_is_worse, 0, std::nullopt});
      return result;
    }
    const auto used = static_cast<double>(stats.used_memory);
    if (stats.maxmemory <= 0) {
      auto result = placeholder(selected, Status::ok,
                                format_value(used, Unit::bytes) + " used, no maxmemory limit set");
      result.detail = {{"used_memory", stats.used_memory}, {"maxmemory", 0}};
      result.perfdata.push_back(Perfdata{
          "redis_used_memory", used, "B", {}, Direction::higher_is_worse, 0, std::nullopt});
      return result;
    }
    const double percent = 100.0 * used / static_cast<double>(stats.maxmemory);
    auto result = placeholder(
        selected, judge(percent, selected.thresholds, selected.spec->direction),
        format_value(used, Unit::bytes) + " of " +
            format_value(static_cast<double>(stats.maxmemory), Unit::bytes) + " maxmemory");
    result.value = percent;
    result.detail = {{"used_memory", stats.used_memory}, {"maxmemory", stats.maxmemory}};
    result.perfdata.push_back(Perfdata{"redis_memory_pct", percent, "%", selected.thresholds,
                                       Direction::higher_is_worse, 0, 100});
    return result;
  }

  Context& ctx_;
  const HealthOptions& options_;
  std::vector<Selected> selected_;
  std::chrono::milliseconds timeout_;
  Format format_;
  Clock::time_point started_;
  Clock::time_point deadline_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool finished_ = false;
  bool connected_ = false;
  std::string database_display_ = "the database";
  Report report_;
};

Outcome run_health(Context& ctx, const HealthOptions& options) {
  const auto timeout_text = ctx.config.value(kTimeout, options.timeout);
  const auto timeout = util::parse_duration(timeout_text);
  if (!timeout || timeout->count() < 100)
    usage("invalid --timeout '" + timeout_text + "'", "use a duration of 100ms or more, e.g. 5s");
  if (options.nagios && ctx.out.json())
    usage("--nagios and --json are two different outputs", "choose one");
  if (options.watch_seconds < 0 || (options.watch_seconds > 0 && options.watch_seconds < 0.5))
    usage("--watch needs an interval of 0.5 s or more", "e.g. --watch 2");
  if (options.watch_seconds > 0 && (options.nagios || ctx.out.json()))
    usage("--watch refreshes a table for people", "use it without --json and --nagios");
  const auto selected = select_checks(ctx, options);
  const Format format = ctx.out.json()   ? Format::json
                        : options.nagios ? Format::nagios
                                         : Format::table;
  if (options.watch_seconds <= 0) {
    HealthRun run(ctx, options, selected, *timeout, format);
    return plugin_status(run.run());
  }
  // --watch: redraw in place on a terminal, one report after another otherwise.
  util::InterruptFlag interrupted;
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  Status last = Status::ok;
  const auto interval = std::chrono::milliseconds(std::llround(options.watch_seconds * 1000));
  while (!interrupted.raised()) {
    if (terminal)
      ctx.out.print_always("\x1b[H\x1b[2J" + util::iso_utc(std::chrono::system_clock::now()) +
                           ", every " + util::human_duration(interval) + " (Ctrl-C to stop)");
    else
      ctx.out.print_always("== " + util::iso_utc(std::chrono::system_clock::now()));
    HealthRun run(ctx, options, selected, *timeout, format);
    last = run.run();
    const auto until = Clock::now() + interval;
    while (!interrupted.raised() && Clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return plugin_status(last);
}

}  // namespace

void register_health_command(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<HealthOptions>();
  auto* app = &family;
  app->add_option("--check", options->checks,
                  "Run only these checks (repeat or comma-separate): " + check_names())
      ->delimiter(',');
  app->add_option("--warning", options->warnings,
                  "Warning threshold CHECK=VALUE (repeatable), e.g. connections=70")
      ->delimiter(',');
  app->add_option("--critical", options->criticals,
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
