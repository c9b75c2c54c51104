// The migrate subcommands that change the database: up, down, redo, baseline, repair.
#include <nlohmann/json.hpp>

#include "backup/backup.hpp"
#include "db/advisory_lock.hpp"
#include "db/transaction.hpp"
#include "migrate/applier.hpp"
#include "migrate/workspace.hpp"
#include "util/strings.hpp"

namespace agentdb::migrate {

namespace {

using nlohmann::json;

std::optional<long long> target_version(const MigrateOptions& options) {
  if (options.to_version < 0)
    return std::nullopt;
  return options.to_version;
}

void print_dry_run(Context& ctx, const std::vector<const Revision*>& plan, Direction direction) {
  json pending = json::array();
  for (const auto* revision : plan) {
    const auto& sql = direction == Direction::up ? revision->up_sql : revision->down_sql;
    const auto& file = direction == Direction::up ? revision->up_path : revision->down_path;
    pending.push_back({{"version", version_text(revision->version)},
                       {"name", revision->name},
                       {"file", file.string()},
                       {"sql", sql}});
    if (!ctx.out.json()) {
      ctx.out.print_always("-- " + file.string() + "\n" + sql);
    }
  }
  if (ctx.out.json()) {
    ctx.out.emit({{"dry_run", true},
                  {"direction", direction == Direction::up ? "up" : "down"},
                  {"revisions", pending}});
  } else if (plan.empty()) {
    ctx.out.print("nothing to do");
  }
}

json current_json(const Status& status) {
  return status.current ? json(version_text(*status.current)) : json(nullptr);
}

// Runs `plan` one revision at a time, reporting each as it finishes.
// WARNINGs always, NOTICEs and the rest with --verbose, each naming the revision that raised it.
RevisionNoticeListener notice_printer(const Context& ctx) {
  return [&out = ctx.out](const Revision& revision, const db::ServerNotice& notice) {
    const auto text = "revision " + revision.label() + ": " + notice.message;
    if (notice.is_warning()) {
      out.warn(text);
    } else {
      out.detail(util::to_lower(notice.severity) + ": " + text);
    }
  };
}

json execute(Context& ctx, Workspace& ws, const std::vector<const Revision*>& plan,
             Direction direction) {
  Applier applier(*ws.session, *ws.history, notice_printer(ctx));
  json done = json::array();
  for (const auto* revision : plan) {
    const auto ms = direction == Direction::up ? applier.up(*revision) : applier.down(*revision);
    const auto verb = direction == Direction::up ? "applied " : "reverted";
    ctx.out.print(ctx.out.paint(direction == Direction::up ? Colour::green : Colour::yellow, verb) +
                  "  " + revision->label() + "  (" + std::to_string(ms) + " ms)");
    done.push_back({{"version", version_text(revision->version)},
                    {"name", revision->name},
                    {"duration_ms", ms}});
  }
  return done;
}

void report_result(Context& ctx, Workspace& ws, const json& done, Direction direction,
                   const std::vector<LintFinding>& lint = {}) {
  ws.refresh();
  const auto key = direction == Direction::up ? "applied" : "reverted";
  if (ctx.out.json()) {
    json document = {{key, done}, {"current", current_json(ws.status)}};
    if (direction == Direction::up)
      document["lint"] = lint_json(lint);
    ctx.out.emit(document);
    return;
  }
  const auto at = ws.status.current ? version_text(*ws.status.current) : std::string("no revision");
  if (done.empty()) {
    ctx.out.print("nothing to do; the database is at " + at);
  } else {
    ctx.out.print(std::to_string(done.size()) + " revision" + (done.size() == 1 ? "" : "s") + " " +
                  key + "; the database is now at " + at);
  }
}

// Takes the lock, makes sure the history tables exist, and re-reads the state under the lock.
std::unique_ptr<db::AdvisoryLock> lock_and_refresh(Context& ctx, const MigrateOptions& options,
                                                   Workspace& ws) {
  auto lock = std::make_unique<db::AdvisoryLock>(*ws.session, kMigrationLockKey,
                                                 lock_timeout(ctx, options), "migration");
  ws.history->ensure_tables();
  ws.refresh();
  return lock;
}

// With --backup, a backup taken under the migration lock, so nothing changes between the backup and
// the first revision.
void backup_first(Context& ctx, const MigrateOptions& options, const Workspace& ws,
                  const std::vector<const Revision*>& plan, const std::string& label) {
  if (!options.backup || plan.empty())
    return;
  const auto* first = plan.front();
  (void)backup::backup_before(ctx, ws.session->target(),
                              label + " (" + version_text(first->version) + " " + first->name +
                                  (plan.size() > 1 ? ", ..." : "") + ")");
}

}  // namespace

ExitCode run_up(Context& ctx, const MigrateOptions& options) {
  auto ws = open_workspace(ctx, options);
  const auto out_of_order = options.allow_out_of_order ? OutOfOrder::allow : OutOfOrder::refuse;
  auto plan = plan_up(ws.status, target_version(options), out_of_order);
  if (options.dry_run) {
    print_dry_run(ctx, plan, Direction::up);
    return ExitCode::ok;
  }
  const auto lock = lock_and_refresh(ctx, options, ws);
  plan = plan_up(ws.status, target_version(options), out_of_order);
  // Linted under the lock, so only the runner that applies a revision reports on it, once.
  const auto lint = lint_and_report(ctx, ws.revisions, plan);
  if (const int errors = count_lint_errors(lint); options.strict && errors > 0) {
    throw Error(ExitCode::failure,
                "lint found " + std::to_string(errors) +
                    " error(s) in the revisions to apply; nothing applied",
                "fix them or silence a rule with -- agentdb:lint-ignore RULE_ID reason");
  }
  backup_first(ctx, options, ws, plan, "before migrate up");
  const auto done = execute(ctx, ws, plan, Direction::up);
  report_result(ctx, ws, done, Direction::up, lint);
  return ExitCode::ok;
}

ExitCode run_down(Context& ctx, const MigrateOptions& options) {
  if (options.count > 0 && options.to_version >= 0) {
    throw Error(ExitCode::usage, "give either N or --to, not both");
  }
  auto ws = open_workspace(ctx, options);
  const auto count = std::optional<int>(std::max(options.count, 1));
  auto plan = plan_down(ws.status, count, target_version(options));
  if (options.dry_run) {
    print_dry_run(ctx, plan, Direction::down);
    return ExitCode::ok;
  }
  const auto lock = lock_and_refresh(ctx, options, ws);
  plan = plan_down(ws.status, count, target_version(options));
  backup_first(ctx, options, ws, plan, "before migrate down");
  const auto done = execute(ctx, ws, plan, Direction::down);
  report_result(ctx, ws, done, Direction::down);
  return ExitCode::ok;
}

ExitCode run_redo(Context& ctx, const MigrateOptions& options) {
  auto ws = open_workspace(ctx, options);
  auto plan = plan_down(ws.status, 1, std::nullopt);
  if (plan.empty())
    throw Error(ExitCode::failure, "nothing to redo: no revision is applied");
  if (options.dry_run) {
    print_dry_run(ctx, plan, Direction::down);
    print_dry_run(ctx, plan, Direction::up);
    return ExitCode::ok;
  }
  const auto lock = lock_and_refresh(ctx, options, ws);
  plan = plan_down(ws.status, 1, std::nullopt);
  if (plan.empty())
    throw Error(ExitCode::failure, "nothing to redo: no revision is applied");
  auto reverted = execute(ctx, ws, plan, Direction::down);
  auto applied = execute(ctx, ws, plan, Direction::up);
  ws.refresh();
  if (ctx.out.json()) {
    ctx.out.emit(
        {{"reverted", reverted}, {"applied", applied}, {"current", current_json(ws.status)}});
  }
  return ExitCode::ok;
}

ExitCode run_baseline(Context& ctx, const MigrateOptions& options) {
  auto ws = open_workspace(ctx, options);
  const auto found = std::find_if(ws.revisions.begin(), ws.revisions.end(),
                                  [&](const Revision& r) { return r.version == options.version; });
  if (found == ws.revisions.end()) {
    throw Error(ExitCode::usage,
                "no revision " + version_text(options.version) + " in " + ws.dir.string(),
                "run 'agentdb migrate status' to see the versions");
  }
  const auto lock = lock_and_refresh(ctx, options, ws);
  if (!ws.records.empty()) {
    throw Error(ExitCode::conflict,
                "cannot baseline: " + std::to_string(ws.records.size()) +
                    " revision(s) are already recorded in agentdb_schema_migrations",
                "baseline is for adopting a database agentdb has never migrated");
  }
  json recorded = json::array();
  db::Transaction transaction(*ws.session);
  for (const auto& revision : ws.revisions) {
    if (revision.version > options.version)
      break;
    ws.history->record(HistoryRecord{
        revision.version, revision.name, revision.checksum, RecordStatus::applied, {}, 0, {}, {}});
    ws.history->append_log(revision.version, revision.name, "baseline", "applied", 0,
                           "recorded without running");
    recorded.push_back({{"version", version_text(revision.version)}, {"name", revision.name}});
  }
  transaction.commit();
  if (ctx.out.json()) {
    ctx.out.emit({{"baselined", recorded}, {"current", version_text(options.version)}});
  } else {
    ctx.out.print("recorded " + std::to_string(recorded.size()) +
                  " revision(s) as applied without running them; the database is now at " +
                  version_text(options.version));
  }
  return ExitCode::ok;
}

ExitCode run_repair(Context& ctx, const MigrateOptions& options) {
  auto ws = open_workspace(ctx, options);
  const auto lock = lock_and_refresh(ctx, options, ws);
  const auto entry =
      std::find_if(ws.status.entries.begin(), ws.status.entries.end(),
                   [&](const StatusEntry& e) { return e.version == options.version; });
  if (entry == ws.status.entries.end() || entry->record == nullptr) {
    throw Error(ExitCode::usage,
                "revision " + version_text(options.version) + " has no record to repair",
                "run 'agentdb migrate status' to see what needs attention");
  }
  std::string action;
  db::Transaction transaction(*ws.session);
  const bool failed_down = entry->record->error.starts_with("down failed");
  if (options.mark_applied && entry->state != RevisionState::failed) {
    throw Error(ExitCode::usage, "--mark-applied is for a failed revision; " +
                                     version_text(entry->version) + " is " +
                                     to_string(entry->state));
  }
  if (entry->state == RevisionState::failed && failed_down) {
    ws.history->set_status(entry->version, RecordStatus::applied, entry->record->duration_ms, {});
    action =
        "its revert did not finish: recorded as applied again; undo what remains by hand or fix "
        "the down file, then run 'agentdb migrate down' again";
  } else if (entry->state == RevisionState::failed && options.mark_applied) {
    if (entry->revision != nullptr)
      ws.history->set_checksum(entry->version, entry->revision->checksum);
    ws.history->set_status(entry->version, RecordStatus::applied, entry->record->duration_ms, {});
    action = "marked as applied (completed by hand)";
  } else if (entry->state == RevisionState::failed) {
    ws.history->remove(entry->version);
    action = "record removed; 'agentdb migrate up' will run it again";
  } else if (entry->state == RevisionState::modified) {
    ws.history->set_checksum(entry->version, entry->revision->checksum);
    action = "accepted the file's current checksum";
  } else if (entry->state == RevisionState::missing) {
    ws.history->remove(entry->version);
    action = "record of the missing file removed";
  } else {
    action = "nothing to repair";
  }
  if (action != "nothing to repair") {
    ws.history->append_log(entry->version, entry->name, "repair", "repaired", 0, action);
  }
  transaction.commit();
  if (ctx.out.json()) {
    ctx.out.emit({{"version", version_text(entry->version)},
                  {"name", entry->name},
                  {"was", to_string(entry->state)},
                  {"action", action}});
  } else {
    ctx.out.print("revision " + version_text(entry->version) + " " + entry->name + " (" +
                  to_string(entry->state) + "): " + action);
  }
  return ExitCode::ok;
}

}  // namespace agentdb::migrate
