// plan() and apply(): what up, down and redo would run, and running it under the migration lock.
#include "migrate/applier.hpp"
#include "migrate/migrate.hpp"
#include "migrate/workspace.hpp"

namespace agentdb::migrate {

namespace {

using Plan = std::vector<const Revision*>;

// The revisions the operation's first (or only) step runs: up's, or down's newest first.
Plan plan_of(const Status& status, Operation operation, std::optional<long long> to,
             std::optional<int> count, OutOfOrder out_of_order) {
  if (operation == Operation::up)
    return plan_up(status, to, out_of_order);
  if (operation == Operation::down)
    return plan_down(status, count.value_or(1), to);
  auto plan = plan_down(status, 1, std::nullopt);
  if (plan.empty())
    throw Error(ExitCode::failure, "nothing to redo: no revision is applied");
  return plan;
}

Plan plan_of(const Status& status, const ApplyRequest& request) {
  return plan_of(status, request.operation, request.to, request.count, request.out_of_order);
}

std::vector<PlannedRevision> planned(const Plan& plan, Direction direction) {
  std::vector<PlannedRevision> revisions;
  for (const auto* revision : plan) {
    const bool up = direction == Direction::up;
    revisions.push_back({revision->version, revision->name,
                         up ? revision->up_path : revision->down_path,
                         up ? revision->up_sql : revision->down_sql});
  }
  return revisions;
}

RevisionNoticeListener notice_listener(const ApplyObserver& observer) {
  if (!observer.notice)
    return {};
  return [&notice = observer.notice](const Revision& revision, const db::ServerNotice& heard) {
    notice(revision.label(), heard);
  };
}

std::vector<RevisionRun> run_each(Workspace& ws, const Plan& plan, Direction direction,
                                  const ApplyObserver& observer) {
  Applier applier(ws.session, ws.history, notice_listener(observer));
  std::vector<RevisionRun> done;
  for (const auto* revision : plan) {
    const auto ms = direction == Direction::up ? applier.up(*revision) : applier.down(*revision);
    done.push_back({direction, revision->version, revision->name, ms});
    if (observer.finished)
      observer.finished(done.back());
  }
  return done;
}

// Linted under the lock, so only the runner that applies a revision reports on it, once.
std::vector<LintFinding> lint_gate(const Workspace& ws, const Plan& plan,
                                   const ApplyRequest& request) {
  auto findings = lint_revisions(ws.folder.revisions, plan);
  if (request.observer.linted)
    request.observer.linted(findings);
  const LintResult counted{plan.size(), findings};
  if (const int errors = counted.errors();
      request.on_lint_errors == OnLintErrors::refuse && errors > 0) {
    throw Error(ExitCode::failure,
                "lint found " + std::to_string(errors) +
                    " error(s) in the revisions to apply; nothing applied",
                "fix them or silence a rule with -- agentdb:lint-ignore RULE_ID reason");
  }
  return findings;
}

}  // namespace

std::vector<PlanStep> plan(db::Session& session, const PlanRequest& request) {
  const Workspace ws(session, request.folder);
  const auto first =
      plan_of(ws.status, request.operation, request.to, request.count, request.out_of_order);
  switch (request.operation) {
    case Operation::up:
      return {{Direction::up, planned(first, Direction::up)}};
    case Operation::down:
      return {{Direction::down, planned(first, Direction::down)}};
    case Operation::redo:
      break;
  }
  return {{Direction::down, planned(first, Direction::down)},
          {Direction::up, planned(first, Direction::up)}};
}

ApplyResult apply(db::Session& session, const ApplyRequest& request) {
  Workspace ws(session, request.folder);
  (void)plan_of(ws.status, request);  // drift fails before waiting for the lock
  const auto lock = ws.lock(request.lock_timeout);
  const auto plan = plan_of(ws.status, request);
  ApplyResult result;
  if (request.operation == Operation::up)
    result.lint = lint_gate(ws, plan, request);
  if (request.observer.before_changes && !plan.empty() && request.operation != Operation::redo)
    request.observer.before_changes(
        planned(plan, request.operation == Operation::up ? Direction::up : Direction::down));
  if (request.operation != Operation::up)
    result.reverted = run_each(ws, plan, Direction::down, request.observer);
  if (request.operation != Operation::down)
    result.applied = run_each(ws, plan, Direction::up, request.observer);
  ws.refresh();
  result.current = ws.status.current;
  return result;
}

}  // namespace agentdb::migrate
