// Shared by the migrate subcommands: their options, and the revisions, connection and history one
// run works on.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include "core/context.hpp"
#include "db/session.hpp"

#include "migrate/history.hpp"
#include "migrate/lint.hpp"
#include "migrate/planner.hpp"
#include "migrate/revision.hpp"

namespace agentdb::migrate {

struct MigrateOptions {
  std::string dir;
  std::string lock_timeout;
  long long to_version = -1;  // -1: not given; 0: before the first revision
  int count = 0;              // 0: not given (down reverts one)
  bool dry_run = false;
  bool backup = false;  // take a backup before changing anything
  bool allow_out_of_order = false;
  bool strict = false;
  bool check = false;
  bool roundtrip = false;
  bool mark_applied = false;
  bool all = false;
  int limit = 50;
  long long version = 0;
  std::string name;
  std::vector<std::string> files;
};

// One advisory lock key for every agentdb migration runner on a database.
inline constexpr std::int64_t kMigrationLockKey = 0x61676E7464626D67;  // "agntdbmg"

[[nodiscard]] std::filesystem::path migrations_dir(const Context& ctx,
                                                   const MigrateOptions& options);
[[nodiscard]] std::chrono::milliseconds lock_timeout(const Context& ctx,
                                                     const MigrateOptions& options);

struct Workspace {
  std::filesystem::path dir;
  std::vector<Revision> revisions;
  db::Session* session = nullptr;  // opened by the dispatcher
  std::unique_ptr<History> history;
  std::vector<HistoryRecord> records;
  Status status;

  // Re-reads the history table and recomputes every revision's state.
  void refresh();
};

// Loads revisions first (bad files fail before any connection), then connects.
[[nodiscard]] Workspace open_workspace(Context& ctx, const MigrateOptions& options);

[[nodiscard]] std::string version_text(long long version);

// The subcommands, defined in migrate_apply.cpp and migrate_inspect.cpp.
ExitCode run_up(Context& ctx, const MigrateOptions& options);
ExitCode run_down(Context& ctx, const MigrateOptions& options);
ExitCode run_redo(Context& ctx, const MigrateOptions& options);
ExitCode run_baseline(Context& ctx, const MigrateOptions& options);
ExitCode run_repair(Context& ctx, const MigrateOptions& options);
ExitCode run_status(Context& ctx, const MigrateOptions& options);
ExitCode run_history(Context& ctx, const MigrateOptions& options);
ExitCode run_new(Context& ctx, const MigrateOptions& options);
ExitCode run_verify(Context& ctx, const MigrateOptions& options);
ExitCode run_lint(Context& ctx, const MigrateOptions& options);

// Lints the up files of `targets` (what this run applies, elements of `revisions`, which are read
// in version order for what earlier revisions created), prints each finding once on stderr with
// its own severity, and returns them.
std::vector<LintFinding> lint_and_report(Context& ctx, const std::vector<Revision>& revisions,
                                         const std::vector<const Revision*>& targets);
[[nodiscard]] nlohmann::json lint_json(const std::vector<LintFinding>& findings);
[[nodiscard]] int count_lint_errors(const std::vector<LintFinding>& findings);

}  // namespace agentdb::migrate
