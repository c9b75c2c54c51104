// `migrate up`, `down` and `redo`: bind the options, call migrate.hpp and
// show the result.
#include <chrono>
#include <thread>

#include "backup/backup.hpp"
#include "core/validators.hpp"
#include "db/session.hpp"
#include "migrate/migrate_options.hpp"
#include "migrate/migrate_render.hpp"
#include "util/time.hpp"

namespace agentdb::migrate {

namespace {

enum class DryRun { no, yes };
enum class BackupFirst { no, yes };

struct UpOptions {
  long long to = -1;
  DryRun dry_run = DryRun::no;
  OutOfOrder out_of_order = OutOfOrder::refuse;
  OnLintErrors on_lint_errors = OnLintErrors::apply_anyway;
  BackupFirst backup = BackupFirst::no;
  std::string retry_failover;  // empty: a lost primary ends the run (exit 3)
};

struct DownOptions {
  int count = 0;      // 0: not given (down reverts one)
  long long to = -1;  // -1: not given; 0: before the first revision
  DryRun dry_run = DryRun::no;
  BackupFirst backup = BackupFirst::no;
};

struct RedoOptions {
  DryRun dry_run = DryRun::no;
};

// Printing as it goes; with --backup, a backup taken under the migration lock, so nothing changes
// between the backup and the first revision.
ApplyObserver observer(Context& ctx, BackupFirst backup, const std::string& label) {
  auto observer = printing_observer(ctx.out);
  if (backup == BackupFirst::yes) {
    observer.before_changes = [&ctx, label](const std::vector<PlannedRevision>& plan) {
      const auto& first = plan.front();
      (void)backup::backup_before(ctx, ctx.session().target(),
                                  label + " (" + version_text(first.version) + " " + first.name +
                                      (plan.size() > 1 ? ", ..." : "") + ")");
    };
  }
  return observer;
}

ApplyRequest request_for(Context& ctx, const FamilyOptions& family, Operation operation) {
  ApplyRequest request;
  request.folder = open_folder(ctx, family);
  request.operation = operation;
  request.lock_timeout = lock_timeout(ctx, family);
  return request;
}

// A dry run shows the plan; otherwise the plan runs and `show` reports the result.
template <typename Show>
ExitCode plan_or_apply(Context& ctx, ApplyRequest request, DryRun dry_run, const Show& show) {
  if (dry_run == DryRun::yes) {
    const auto steps = plan(ctx.session(), {std::move(request.folder), request.operation,
                                            request.to, request.count, request.out_of_order});
    for (const auto& step : steps)
      show_dry_run(ctx.out, step);
    return ExitCode::ok;
  }
  show(apply(ctx.session(), request));
  return ExitCode::ok;
}

// A failover took the primary away: the connection is gone (the server rolled the revision in
// flight back, and the advisory lock went with the session), or the server ended it (57P01 when
// Patroni demotes it).
bool lost_the_primary(const Error& error, Context& ctx) {
  return error.code() == ExitCode::cannot_connect || !ctx.session().is_open();
}

// Until a primary accepts the session again (a standby is refused, so this waits out the
// promotion), or the deadline.
void wait_for_primary(Context& ctx, std::chrono::steady_clock::time_point deadline,
                      const std::string& patience) {
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      (void)ctx.resources->reopen_session();
      return;
    } catch (const Error& e) {
      if (e.code() != ExitCode::cannot_connect)
        throw;
      last = e.what();
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  throw Error(ExitCode::cannot_connect,
              "no primary within --retry-failover " + patience +
                  (last.empty() ? std::string() : ": " + last),
              "check the cluster (agentdb cluster status), then run agentdb migrate up again");
}

ExitCode run_up(Context& ctx, const FamilyOptions& family, const UpOptions& o) {
  auto request = request_for(ctx, family, Operation::up);
  request.to = given(o.to);
  request.out_of_order = o.out_of_order;
  request.on_lint_errors = o.on_lint_errors;
  request.observer = observer(ctx, o.backup, "before migrate up");
  const auto show = [&](const auto& result) { show_applied(ctx.out, result, Direction::up); };
  if (o.retry_failover.empty())
    return plan_or_apply(ctx, std::move(request), o.dry_run, show);
  const auto patience = util::parse_duration(o.retry_failover);
  if (!patience || patience->count() < 1)
    throw Error(ExitCode::usage, "invalid --retry-failover '" + o.retry_failover + "'",
                "use a duration such as 30s or 2m");
  const auto deadline = std::chrono::steady_clock::now() + *patience;
  for (;;) {
    try {
      return plan_or_apply(ctx, request, o.dry_run, show);
    } catch (const Error& e) {
      if (!lost_the_primary(e, ctx) || std::chrono::steady_clock::now() >= deadline)
        throw;
      ctx.out.warn(std::string("lost the primary (") + e.what() +
                   "); the revision in flight was rolled back; waiting for a new primary");
    }
    wait_for_primary(ctx, deadline, o.retry_failover);
  }
}

ExitCode run_down(Context& ctx, const FamilyOptions& family, const DownOptions& o) {
  if (o.count > 0 && o.to >= 0)
    throw Error(ExitCode::usage, "give either N or --to, not both");
  auto request = request_for(ctx, family, Operation::down);
  request.to = given(o.to);
  if (o.count > 0)
    request.count = o.count;
  request.observer = observer(ctx, o.backup, "before migrate down");
  return plan_or_apply(ctx, std::move(request), o.dry_run,
                       [&](const auto& result) { show_applied(ctx.out, result, Direction::down); });
}

ExitCode run_redo(Context& ctx, const FamilyOptions& family, const RedoOptions& o) {
  auto request = request_for(ctx, family, Operation::redo);
  request.observer = printing_observer(ctx.out);
  return plan_or_apply(ctx, std::move(request), o.dry_run,
                       [&](const auto& result) { show_redone(ctx.out, result); });
}

}  // namespace

void add_up(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family) {
  auto o = std::make_shared<UpOptions>();
  auto* up = add_leaf(group, commands, "up", "Apply pending revisions in order", Needs::primary,
                      action(run_up, family, o));
  up->add_option("--to", o->to, "Stop after this version")->check(whole_number(1));
  add_enum_flag(*up, "--dry-run", o->dry_run, DryRun::yes,
                "Print the SQL that would run; change nothing");
  add_enum_flag(*up, "--allow-out-of-order", o->out_of_order, OutOfOrder::allow,
                "Also apply pending revisions older than the newest applied one");
  add_enum_flag(*up, "--strict", o->on_lint_errors, OnLintErrors::refuse,
                "Refuse to run when lint finds errors");
  add_enum_flag(*up, "--backup", o->backup, BackupFirst::yes,
                "Take a backup first (agentdb backup create) and print its id");
  up->add_option("--retry-failover", o->retry_failover,
                 "When the primary is lost, wait this long for a new one and go on (e.g. 60s)");
}

void add_down(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family) {
  auto o = std::make_shared<DownOptions>();
  auto* down = add_leaf(group, commands, "down", "Revert the last N applied revisions (default 1)",
                        Needs::primary, action(run_down, family, o));
  down->add_option("N", o->count, "How many revisions to revert")->check(whole_number(1));
  down->add_option("--to", o->to, "Revert every revision newer than this version (0: all of them)")
      ->check(whole_number(0));
  add_enum_flag(*down, "--dry-run", o->dry_run, DryRun::yes,
                "Print the SQL that would run; change nothing");
  add_enum_flag(*down, "--backup", o->backup, BackupFirst::yes,
                "Take a backup first (agentdb backup create) and print its id");
}

void add_redo(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family) {
  auto o = std::make_shared<RedoOptions>();
  auto* redo =
      add_leaf(group, commands, "redo", "Revert the last applied revision and apply it again",
               Needs::primary, action(run_redo, family, o));
  add_enum_flag(*redo, "--dry-run", o->dry_run, DryRun::yes,
                "Print the SQL that would run; change nothing");
}

}  // namespace agentdb::migrate
