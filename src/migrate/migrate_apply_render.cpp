#include <nlohmann/json.hpp>

#include "db/session.hpp"
#include "migrate/migrate_render.hpp"
#include "util/strings.hpp"

namespace agentdb::migrate {

namespace {

using nlohmann::json;

json current_json(const std::optional<long long>& current) {
  return current ? json(version_text(*current)) : json(nullptr);
}

json runs_json(const std::vector<RevisionRun>& runs) {
  json done = json::array();
  for (const auto& run : runs) {
    done.push_back({{"version", version_text(run.version)},
                    {"name", run.name},
                    {"duration_ms", run.duration_ms}});
  }
  return done;
}

}  // namespace

void show_dry_run(const Output& out, const PlanStep& step) {
  json pending = json::array();
  for (const auto& revision : step.revisions) {
    pending.push_back({{"version", version_text(revision.version)},
                       {"name", revision.name},
                       {"file", revision.file.string()},
                       {"sql", revision.sql}});
    if (!out.json())
      out.print_always("-- " + revision.file.string() + "\n" + revision.sql);
  }
  if (out.json()) {
    out.emit({{"dry_run", true},
              {"direction", step.direction == Direction::up ? "up" : "down"},
              {"revisions", pending}});
  } else if (step.revisions.empty()) {
    out.print("nothing to do");
  }
}

void show_revision_run(const Output& out, const RevisionRun& run) {
  const bool up = run.direction == Direction::up;
  out.print(out.paint(up ? Colour::green : Colour::yellow, up ? "applied " : "reverted") + "  " +
            util::printable(run.label()) + "  (" + std::to_string(run.duration_ms) + " ms)");
}

void show_notice(const Output& out, const std::string& revision, const db::ServerNotice& notice) {
  // A notice is the server's text, which a revision's RAISE may fill with stored data.
  const auto text = "revision " + util::printable(revision + ": " + notice.message);
  if (notice.is_warning()) {
    out.warn(text);
  } else {
    out.detail(util::to_lower(notice.severity) + ": " + text);
  }
}

ApplyObserver printing_observer(const Output& out) {
  ApplyObserver observer;
  observer.linted = [&out](const std::vector<LintFinding>& findings) {
    for (const auto& finding : findings)
      out.diagnostic(finding_text(out, finding));
  };
  observer.finished = [&out](const RevisionRun& run) { show_revision_run(out, run); };
  observer.notice = [&out](const std::string& revision, const db::ServerNotice& notice) {
    show_notice(out, revision, notice);
  };
  return observer;
}

void show_applied(const Output& out, const ApplyResult& result, Direction direction) {
  const auto& done = direction == Direction::up ? result.applied : result.reverted;
  const auto key = direction == Direction::up ? "applied" : "reverted";
  if (out.json()) {
    json document = {{key, runs_json(done)}, {"current", current_json(result.current)}};
    if (direction == Direction::up)
      document["lint"] = lint_json(result.lint);
    out.emit(document);
    return;
  }
  const auto at = result.current ? version_text(*result.current) : std::string("no revision");
  if (done.empty()) {
    out.print("nothing to do; the database is at " + at);
  } else {
    out.print(std::to_string(done.size()) + " revision" + (done.size() == 1 ? "" : "s") + " " +
              key + "; the database is now at " + at);
  }
}

void show_redone(const Output& out, const ApplyResult& result) {
  if (out.json()) {
    out.emit({{"reverted", runs_json(result.reverted)},
              {"applied", runs_json(result.applied)},
              {"current", current_json(result.current)}});
  }
}

void show_baseline(const Output& out, const BaselineResult& result) {
  if (out.json()) {
    json recorded = json::array();
    for (const auto& run : result.recorded)
      recorded.push_back({{"version", version_text(run.version)}, {"name", run.name}});
    out.emit({{"baselined", recorded}, {"current", version_text(result.current)}});
  } else {
    out.print("recorded " + std::to_string(result.recorded.size()) +
              " revision(s) as applied without running them; the database is now at " +
              version_text(result.current));
  }
}

void show_repair(const Output& out, const RepairResult& result) {
  if (out.json()) {
    out.emit({{"version", version_text(result.version)},
              {"name", result.name},
              {"was", to_string(result.was)},
              {"action", result.action}});
  } else {
    out.print("revision " + version_text(result.version) + " " + util::printable(result.name) +
              " (" + to_string(result.was) + "): " + result.action);
  }
}

}  // namespace agentdb::migrate
