// What the migrate command files share: the family's own options (--dir, --lock-timeout), how they
// resolve, and flags that set an enum instead of a bool.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "migrate/migrate.hpp"

namespace agentdb::migrate {

struct FamilyOptions {
  std::string dir;
  std::string lock_timeout;
};
using FamilyOptionsPtr = std::shared_ptr<const FamilyOptions>;

[[nodiscard]] std::filesystem::path migrations_dir(const Context& ctx, const FamilyOptions& family);
// Throws Error(usage) for a malformed duration.
[[nodiscard]] std::chrono::milliseconds lock_timeout(const Context& ctx,
                                                     const FamilyOptions& family);
// The folder's revisions, after checking the lock timeout: a malformed setting or a bad file is a
// usage error before any connection.
[[nodiscard]] RevisionFolder open_folder(const Context& ctx, const FamilyOptions& family);

// "-1: not given" as the options hold it, for versions and counts.
[[nodiscard]] inline std::optional<long long> given(long long value, long long absent = -1) {
  return value == absent ? std::nullopt : std::optional<long long>(value);
}

// A flag that sets `target` to `when_given`; `--flag=false` leaves it as it is, as a bool flag.
template <typename Enum>
CLI::Option* add_enum_flag(CLI::App& app, const std::string& name, Enum& target, Enum when_given,
                           const std::string& description) {
  return app.add_flag_callback(
      name, [&target, when_given] { target = when_given; }, description);
}

// A leaf under `migrate` whose action binds nothing but what it captures.
CLI::App* add_leaf(CLI::App& group, std::vector<Command>& commands, const std::string& name,
                   const std::string& description, Needs needs, Action action);

// The action of a leaf: its run function over the family's and its own options.
template <typename Options>
Action action(ExitCode (*run)(Context&, const FamilyOptions&, const Options&),
              const FamilyOptionsPtr& family, const std::shared_ptr<Options>& options) {
  return [run, family, options](Context& ctx) { return run(ctx, *family, *options); };
}

// Each subcommand adds itself, its options and its action (one options struct each).
using AddSubcommand = void (*)(CLI::App& group, std::vector<Command>& commands,
                               const FamilyOptionsPtr& family);

// migrate_apply_command.cpp and migrate_record_command.cpp
void add_up(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family);
void add_down(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family);
void add_redo(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family);
void add_baseline(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family);
void add_repair(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family);
// migrate_inspect_command.cpp
void add_status(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family);
void add_history(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family);
void add_new(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family);
void add_verify(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family);
void add_lint(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family);

}  // namespace agentdb::migrate
