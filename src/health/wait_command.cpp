// `agentdb wait`: for CI, containers and systemd's ExecStartPre; exit 0 once the database is
// ready, 3 at the timeout with what the last attempt saw.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <memory>

#include "health/health.hpp"
#include "health/health_command.hpp"
#include "migrate/settings.hpp"
#include "util/interrupt.hpp"
#include "util/time.hpp"

namespace agentdb::health {

namespace {

struct WaitOptions {
  std::string timeout = "60s";
  bool migrated = false;
  std::string migrations_dir;
};

std::string seconds_text(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", ms / 1000.0);
  return text;
}

nlohmann::json wait_json(const WaitResult& result, const std::string& database) {
  nlohmann::json document = {{"ready", result.ready},
                             {"database", database},
                             {"attempts", result.attempts},
                             {"waited_ms", std::lround(result.waited_ms)},
                             {"last_seen", result.last_seen}};
  if (result.server_version > 0)
    document["server_version"] = result.server_version;
  if (result.schema_version)
    document["schema_version"] = *result.schema_version;
  return document;
}

Outcome run_wait(Context& ctx, const WaitOptions& options) {
  const auto timeout = util::parse_duration(options.timeout);
  if (!timeout || timeout->count() < 1)
    throw Error(ExitCode::usage, "invalid --timeout '" + options.timeout + "'",
                "use a duration such as 500ms, 30s or 2m");
  WaitRequest request;
  request.timeout = *timeout;
  if (options.migrated)
    request.migrations = ctx.config.value(migrate::kMigrationsDir, options.migrations_dir);
  request.database = ctx.database();
  const util::InterruptFlag interrupted;
  request.stop = [&interrupted] { return interrupted.raised(); };
  request.on_change = [&ctx](const std::string& seen) { ctx.out.note("waiting: " + seen); };
  const auto result = wait_until_ready(request);
  if (ctx.out.json())
    ctx.out.emit(wait_json(result, request.database.display));
  if (!result.ready) {
    throw Error(ExitCode::cannot_connect,
                request.database.display + " not ready after " + seconds_text(result.waited_ms) +
                    " (" + std::to_string(result.attempts) + " attempts): " + result.last_seen,
                options.migrated && result.server_version > 0
                    ? "run agentdb migrate up, or wait longer with --timeout"
                    : "check that the server runs and the URL is right, or wait longer with "
                      "--timeout");
  }
  ctx.out.print(request.database.display + " ready after " + seconds_text(result.waited_ms) +
                (result.schema_version
                     ? ", schema at version " + std::to_string(*result.schema_version)
                     : std::string()));
  return ExitCode::ok;
}

}  // namespace

void register_wait_command(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<WaitOptions>();
  family.add_option("--timeout", options->timeout,
                    "Give up after this long and exit 3 (default 60s)");
  family.add_flag("--migrated", options->migrated,
                  "Also wait until no migration is pending and none drifted");
  family.add_option(
      "--migrations-dir", options->migrations_dir,
      "Migrations to compare with (env AGENTDB_MIGRATIONS_DIR; default ./migrations, else the "
      "installed ones)");
  commands.push_back(
      {&family, [options](Context& ctx) { return run_wait(ctx, *options); }, Needs::database});
}

}  // namespace agentdb::health
