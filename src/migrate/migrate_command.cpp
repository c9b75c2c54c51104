#include "migrate/migrate_command.hpp"

#include "migrate/migrate_options.hpp"
#include "migrate/settings.hpp"
#include "util/time.hpp"

namespace agentdb::migrate {

std::filesystem::path migrations_dir(const Context& ctx, const FamilyOptions& family) {
  return ctx.config.value(kMigrationsDir, family.dir);
}

std::chrono::milliseconds lock_timeout(const Context& ctx, const FamilyOptions& family) {
  const auto text = ctx.config.value(kLockTimeout, family.lock_timeout);
  const auto parsed = util::parse_duration(text);
  if (!parsed) {
    throw Error(ExitCode::usage, "invalid lock timeout '" + text + "'",
                "use a duration such as 500ms, 60s, 5m or 1h");
  }
  return *parsed;
}

RevisionFolder open_folder(const Context& ctx, const FamilyOptions& family) {
  (void)lock_timeout(ctx, family);
  return read_folder(migrations_dir(ctx, family));
}

CLI::App* add_leaf(CLI::App& group, std::vector<Command>& commands, const std::string& name,
                   const std::string& description, Needs needs, Action action) {
  auto* app = group.add_subcommand(name, description);
  commands.push_back(Command{app, std::move(action), needs});
  return app;
}

namespace {

// In the order --help lists them.
constexpr AddSubcommand kSubcommands[] = {add_up,     add_down,   add_status, add_history,
                                          add_new,    add_verify, add_redo,   add_baseline,
                                          add_repair, add_lint};

}  // namespace

void register_commands(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<FamilyOptions>();
  family.require_subcommand(1);
  family.add_option("--dir", options->dir,
                    "Migrations directory (env AGENTDB_MIGRATIONS_DIR; default ./migrations)");
  family.add_option("--lock-timeout", options->lock_timeout,
                    "How long to wait for another runner's lock, e.g. 60s (default 60s)");
  for (const auto add : kSubcommands)
    add(family, commands, options);
}

}  // namespace agentdb::migrate
