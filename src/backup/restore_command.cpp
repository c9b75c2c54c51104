// `agentdb backup restore`.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>

#include "backup/backup.hpp"
#include "backup/backup_render.hpp"
#include "backup/command_support.hpp"
#include "core/validators.hpp"
#include "util/subprocess.hpp"

namespace agentdb::backup {

namespace {

using nlohmann::json;

struct RestoreOptions {
  std::string id;
  std::string target;
  int jobs = 1;
  bool clean = false;
  bool force = false;
};

// Prints `agentdb migrate status` for the restored database by running this same program, so
// the output is exactly what that command shows (and the folders do not depend on each other).
json show_migrate_status(Context& ctx, const db::ConnectionTarget& target) {
  std::vector<std::string> argv{"/proc/self/exe"};
  if (!ctx.config.source().empty()) {
    argv.emplace_back("--config");
    argv.push_back(ctx.config.source().string());
  }
  if (ctx.out.json())
    argv.emplace_back("--json");
  argv.insert(argv.end(), {"migrate", "status"});
  util::ProcessOptions options;
  options.environment.emplace_back("DATABASE_URL", db::conninfo_with_password(target));
  options.stdout_handling =
      ctx.out.json() ? util::OutputHandling::capture : util::OutputHandling::inherit;
  options.stderr_handling = util::OutputHandling::inherit;
  std::fflush(stdout);
  const auto result = util::run_process(argv, options);
  if (!ctx.out.json())
    return nullptr;
  const auto parsed = json::parse(result.out, nullptr, false);
  return parsed.is_discarded() ? json(nullptr) : parsed;
}

ExitCode run_restore(Context& ctx, const CatalogueOption& where, const RestoreOptions& options) {
  RestoreRequest request;
  request.id = options.id;
  request.target = options.target;
  request.jobs = options.jobs;
  request.existing = options.clean ? ExistingTarget::drop_and_recreate : ExistingTarget::refuse;
  request.connected = options.force ? ConnectedTarget::allow : ConnectedTarget::refuse;
  request.progress = progress_to(ctx);
  request.warn = warnings_to(ctx);
  request.before_recreate = [&] {
    ctx.out.note("dropping and recreating database " + options.target + " (--clean)");
  };
  const auto entry = restorable_backup(configured_catalogue(ctx, where.backup_dir), request);
  const auto& server = ctx.database();
  const auto admin = open_admin_session(server);
  const auto result = restore_backup(*admin, server, entry, request);
  ctx.out.print(restored_line(result));
  const auto status = show_migrate_status(ctx, db::with_database(server, options.target));
  if (ctx.out.json()) {
    ctx.out.emit({{"id", result.id},
                  {"target", result.target},
                  {"seconds", result.seconds},
                  {"migrate_status", status}});
  }
  return ExitCode::ok;
}

}  // namespace

void add_restore(CLI::App& backup, const std::shared_ptr<CatalogueOption>& where,
                 std::vector<Command>& commands) {
  auto options = std::make_shared<RestoreOptions>();
  auto* restore = backup.add_subcommand("restore", "Restore a backup into a new database");
  restore->add_option("ID", options->id, "Backup id, or latest")->required();
  restore->add_option("--target", options->target, "Database to create and restore into")
      ->required();
  restore->add_option("--jobs", options->jobs, "Parallel pg_restore workers")
      ->check(whole_number(1, 64));
  restore->add_flag("--clean", options->clean,
                    "Drop and recreate the target when it exists and has tables");
  restore->add_flag("--force", options->force,
                    "Allow the target to be the database agentdb is connected to");
  commands.push_back({restore,
                      [where, options](Context& ctx) { return run_restore(ctx, *where, *options); },
                      Needs::database});
}

}  // namespace agentdb::backup
