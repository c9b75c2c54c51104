// baseline() and repair(): changes to the history tables alone, under the migration lock.
#include <algorithm>

#include "db/transaction.hpp"
#include "migrate/migrate.hpp"
#include "migrate/workspace.hpp"

namespace agentdb::migrate {

namespace {

constexpr std::string_view kNothingToRepair = "nothing to repair";

// Brings `entry`'s record in line with the disk and says what it did.
std::string reconcile(History& history, const StatusEntry& entry, FailedRevision failed) {
  const bool failed_down = entry.record->error.starts_with("down failed");
  if (entry.state == RevisionState::failed && failed_down) {
    history.set_status(entry.version, RecordStatus::applied, entry.record->duration_ms, {});
    return "its revert did not finish: recorded as applied again; undo what remains by hand or "
           "fix the down file, then run 'agentdb migrate down' again";
  }
  if (entry.state == RevisionState::failed && failed == FailedRevision::mark_applied) {
    if (entry.revision != nullptr)
      history.set_checksum(entry.version, entry.revision->checksum);
    history.set_status(entry.version, RecordStatus::applied, entry.record->duration_ms, {});
    return "marked as applied (completed by hand)";
  }
  if (entry.state == RevisionState::failed) {
    history.remove(entry.version);
    return "record removed; 'agentdb migrate up' will run it again";
  }
  if (entry.state == RevisionState::modified) {
    history.set_checksum(entry.version, entry.revision->checksum);
    return "accepted the file's current checksum";
  }
  if (entry.state == RevisionState::missing) {
    history.remove(entry.version);
    return "record of the missing file removed";
  }
  return std::string(kNothingToRepair);
}

}  // namespace

BaselineResult baseline(db::Session& session, const BaselineRequest& request) {
  Workspace ws(session, request.folder);
  const auto& revisions = request.folder.revisions;
  const auto found = std::find_if(revisions.begin(), revisions.end(),
                                  [&](const Revision& r) { return r.version == request.version; });
  if (found == revisions.end()) {
    throw Error(
        ExitCode::usage,
        "no revision " + version_text(request.version) + " in " + request.folder.dir.string(),
        "run 'agentdb migrate status' to see the versions");
  }
  const auto lock = ws.lock(request.lock_timeout);
  if (!ws.records.empty()) {
    throw Error(ExitCode::conflict,
                "cannot baseline: " + std::to_string(ws.records.size()) +
                    " revision(s) are already recorded in agentdb_schema_migrations",
                "baseline is for adopting a database agentdb has never migrated");
  }
  BaselineResult result;
  result.current = request.version;
  db::Transaction transaction(session);
  for (const auto& revision : revisions) {
    if (revision.version > request.version)
      break;
    ws.history.record(HistoryRecord{
        revision.version, revision.name, revision.checksum, RecordStatus::applied, {}, 0, {}, {}});
    ws.history.append_log(revision.version, revision.name, "baseline", "applied", 0,
                          "recorded without running");
    result.recorded.push_back({Direction::up, revision.version, revision.name, 0});
  }
  transaction.commit();
  return result;
}

RepairResult repair(db::Session& session, const RepairRequest& request) {
  Workspace ws(session, request.folder);
  const auto lock = ws.lock(request.lock_timeout);
  const auto& entries = ws.status.entries;
  const auto entry = std::find_if(entries.begin(), entries.end(), [&](const StatusEntry& e) {
    return e.version == request.version;
  });
  if (entry == entries.end() || entry->record == nullptr) {
    throw Error(ExitCode::usage,
                "revision " + version_text(request.version) + " has no record to repair",
                "run 'agentdb migrate status' to see what needs attention");
  }
  db::Transaction transaction(session);
  if (request.failed == FailedRevision::mark_applied && entry->state != RevisionState::failed) {
    throw Error(ExitCode::usage, "--mark-applied is for a failed revision; " +
                                     version_text(entry->version) + " is " +
                                     to_string(entry->state));
  }
  auto action = reconcile(ws.history, *entry, request.failed);
  if (action != kNothingToRepair)
    ws.history.append_log(entry->version, entry->name, "repair", "repaired", 0, action);
  transaction.commit();
  return {entry->version, entry->name, entry->state, std::move(action)};
}

}  // namespace agentdb::migrate
