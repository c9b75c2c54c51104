#include "migrate/migrate_command.hpp"
#include "migrate/settings.hpp"

#include "core/validators.hpp"

#include <CLI/CLI.hpp>
#include <memory>

#include "migrate/workspace.hpp"
#include "util/time.hpp"

namespace agentdb::migrate {

std::filesystem::path migrations_dir(const Context& ctx, const MigrateOptions& options) {
  return ctx.config.value(kMigrationsDir, options.dir);
}

std::chrono::milliseconds lock_timeout(const Context& ctx, const MigrateOptions& options) {
  const auto text = ctx.config.value(kLockTimeout, options.lock_timeout);
  const auto parsed = util::parse_duration(text);
  if (!parsed) {
    throw Error(ExitCode::usage, "invalid lock timeout '" + text + "'",
                "use a duration such as 500ms, 60s, 5m or 1h");
  }
  return *parsed;
}

void Workspace::refresh() {
  records = history->load();
  status = compute_status(revisions, records);
}

Workspace open_workspace(Context& ctx, const MigrateOptions& options) {
  (void)lock_timeout(ctx, options);  // a malformed setting is a usage error before any connection
  Workspace ws;
  ws.dir = migrations_dir(ctx, options);
  ws.revisions = load_revisions(ws.dir);
  ws.session = &ctx.session();
  ws.history = std::make_unique<History>(*ws.session);
  ws.refresh();
  return ws;
}

std::string version_text(long long version) {
  return std::to_string(version);
}

namespace {

// Adds a leaf command whose action receives the family's shared options.
CLI::App* leaf(CLI::App& group, std::vector<Command>& commands, const std::string& name,
               const std::string& description, const std::shared_ptr<MigrateOptions>& options,
               ExitCode (*run)(Context&, const MigrateOptions&)) {
  auto* app = group.add_subcommand(name, description);
  commands.push_back(
      Command{app, [options, run](Context& ctx) { return run(ctx, *options); }, Needs::session});
  return app;
}

}  // namespace

void register_commands(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<MigrateOptions>();
  auto* group = &family;
  group->require_subcommand(1);
  group->add_option("--dir", options->dir,
                    "Migrations directory (env AGENTDB_MIGRATIONS_DIR; default ./migrations)");
  group->add_option("--lock-timeout", options->lock_timeout,
                    "How long to wait for another runner's lock, e.g. 60s (default 60s)");

  auto* up = leaf(*group, commands, "up", "Apply pending revisions in order", options, run_up);
  up->add_option("--to", options->to_version, "Stop after this version")->check(whole_number(1));
  up->add_flag("--dry-run", options->dry_run, "Print the SQL that would run; change nothing");
  up->add_flag("--allow-out-of-order", options->allow_out_of_order,
               "Also apply pending revisions older than the newest applied one");
  up->add_flag("--strict", options->strict, "Refuse to run when lint finds errors");
  up->add_flag("--backup", options->backup,
               "Take a backup first (agentdb backup create) and print its id");

  auto* down = leaf(*group, commands, "down", "Revert the last N applied revisions (default 1)",
                    options, run_down);
  down->add_option("N", options->count, "How many revisions to revert")->check(whole_number(1));
  down->add_option("--to", options->to_version,
                   "Revert every revision newer than this version (0: all of them)")
      ->check(whole_number(0));
  down->add_flag("--dry-run", options->dry_run, "Print the SQL that would run; change nothing");
  down->add_flag("--backup", options->backup,
                 "Take a backup first (agentdb backup create) and print its id");

  auto* status =
      leaf(*group, commands, "status", "Show every revision's state", options, run_status);
  status->add_flag("--check", options->check,
                   "Exit 4 if anything is pending, modified, missing, out-of-order or failed");

  auto* history = leaf(*group, commands, "history",
                       "Show what was applied, when, by whom, how long", options, run_history);
  history->add_option("--limit", options->limit, "Show at most this many entries (default 50)")
      ->check(whole_number(1));

  auto* create = leaf(*group, commands, "new", "Create the up and down files of a new revision",
                      options, run_new);
  create->add_option("NAME", options->name, "Revision name: lower-case letters, digits and _")
      ->required();

  auto* verify =
      leaf(*group, commands, "verify",
           "Check applied revisions' checksums against the files on disk", options, run_verify);
  verify->add_flag("--roundtrip", options->roundtrip,
                   "Also apply, revert and re-apply everything in a scratch database");
  verify->add_flag("--strict", options->strict,
                   "With --roundtrip: also fail on column order, enum values and comments");

  auto* redo = leaf(*group, commands, "redo", "Revert the last applied revision and apply it again",
                    options, run_redo);
  redo->add_flag("--dry-run", options->dry_run, "Print the SQL that would run; change nothing");

  auto* baseline =
      leaf(*group, commands, "baseline",
           "Record revisions up to VERSION as applied without running them", options, run_baseline);
  baseline->add_option("VERSION", options->version, "Last version the database already has")
      ->required()
      ->check(whole_number(1));

  auto* repair = leaf(*group, commands, "repair",
                      "Reconcile one revision's record with the disk after a failure or edit",
                      options, run_repair);
  repair->add_option("VERSION", options->version, "The revision to repair")
      ->required()
      ->check(whole_number(1));
  repair->add_flag("--mark-applied", options->mark_applied,
                   "For a failed revision completed by hand: record it as applied");

  auto* lint = leaf(*group, commands, "lint",
                    "Flag statements that lock or rewrite busy tables or break running code",
                    options, run_lint);
  lint->add_option("FILE", options->files, "Up files to check (default: pending revisions)");
  lint->add_flag("--all", options->all, "Check every revision's up file, without a database");
}

}  // namespace agentdb::migrate
