// `agentdb backup verify`.
#include <CLI/CLI.hpp>

#include <memory>
#include <optional>

#include "backup/backup.hpp"
#include "backup/backup_render.hpp"
#include "backup/command_support.hpp"
#include "core/validators.hpp"

namespace agentdb::backup {

namespace {

struct VerifyOptions {
  std::string id;
  bool restore = false;
  int jobs = 1;
};

ExitCode run_verify(Context& ctx, const CatalogueOption& where, const VerifyOptions& options) {
  const auto catalogue = configured_catalogue(ctx, where.backup_dir);
  const auto entry = catalogue.find(options.id, warnings_to(ctx));
  const auto files = verify_files(entry);
  ctx.out.print(files_check_line(entry, files));
  std::optional<RestoreCheck> restored;
  if (options.restore) {
    const auto& server = ctx.database();
    const auto admin = open_admin_session(server);
    restored = verify_restore(*admin, server, entry, {options.jobs, progress_to(ctx)});
    ctx.out.print(restore_check_line(*restored));
  }
  if (ctx.out.json())
    ctx.out.emit(verify_json(entry, files, restored));
  return ExitCode::ok;
}

}  // namespace

void add_verify(CLI::App& backup, const std::shared_ptr<CatalogueOption>& where,
                std::vector<Command>& commands) {
  auto options = std::make_shared<VerifyOptions>();
  auto* verify = backup.add_subcommand(
      "verify", "Check checksums and the archive's table of contents; --restore: restore it");
  verify->add_option("ID", options->id, "Backup id, or latest")->required();
  verify->add_flag("--restore", options->restore,
                   "Restore into a scratch database and compare row counts (recorded)");
  verify->add_option("--jobs", options->jobs, "Parallel pg_restore workers")
      ->check(whole_number(1, 64));
  commands.push_back({verify,
                      [where, options](Context& ctx) { return run_verify(ctx, *where, *options); },
                      Needs::database});
}

}  // namespace agentdb::backup
