// `agentdb backup prune`.
#include <CLI/CLI.hpp>

#include <memory>

#include "backup/backup.hpp"
#include "backup/backup_render.hpp"
#include "backup/command_support.hpp"
#include "core/validators.hpp"

namespace agentdb::backup {

namespace {

struct PruneOptions {
  int keep_last = 0;
  int keep_daily = 0;
  int keep_weekly = 0;
  bool dry_run = false;
};

ExitCode run_prune(Context& ctx, const CatalogueOption& where, const PruneOptions& options) {
  PruneRequest request;
  request.policy = {options.keep_last, options.keep_daily, options.keep_weekly};
  request.mode = options.dry_run ? PruneMode::dry_run : PruneMode::remove;
  request.warn = warnings_to(ctx);
  request.after_each = [&](const PrunedBackup& backup) {
    if (backup.decision.keep)
      ctx.out.detail(kept_line(backup));
    else
      ctx.out.print(removed_line(backup, request.mode));
  };
  const auto result = prune_backups(configured_catalogue(ctx, where.backup_dir), request);
  if (ctx.out.json())
    ctx.out.emit(prune_json(result));
  else
    ctx.out.print(prune_summary(result));
  return ExitCode::ok;
}

}  // namespace

void add_prune(CLI::App& backup, const std::shared_ptr<CatalogueOption>& where,
               std::vector<Command>& commands) {
  auto options = std::make_shared<PruneOptions>();
  auto* prune = backup.add_subcommand("prune", "Delete backups beyond a retention policy");
  prune->add_option("--keep-last", options->keep_last, "Keep the N newest backups")
      ->required()
      ->check(whole_number(1, 100000));
  prune
      ->add_option("--keep-daily", options->keep_daily,
                   "Also keep the newest backup of each of the last D days that have one")
      ->check(whole_number(0, 100000));
  prune
      ->add_option("--keep-weekly", options->keep_weekly,
                   "Also keep the newest backup of each of the last W weeks that have one")
      ->check(whole_number(0, 100000));
  prune->add_flag("--dry-run", options->dry_run, "Print what would be removed; remove nothing");
  commands.push_back({prune,
                      [where, options](Context& ctx) { return run_prune(ctx, *where, *options); },
                      Needs::nothing});
}

}  // namespace agentdb::backup
