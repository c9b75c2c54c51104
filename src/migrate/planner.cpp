#include "migrate/planner.hpp"

#include <algorithm>
#include <map>

#include "core/error.hpp"

namespace agentdb::migrate {

namespace {

[[noreturn]] void conflict(const std::string& message, const std::string& hint) {
  throw Error(ExitCode::conflict, message, hint);
}

void refuse_failed(const Status& status) {
  for (const auto& entry : status.entries) {
    if (entry.state == RevisionState::failed) {
      conflict("revision " + std::to_string(entry.version) + " " + entry.name + " is recorded as " +
                   to_string(entry.record->status) +
                   " (a no-transaction revision that did not finish)",
               "inspect the database, then run 'agentdb migrate repair " +
                   std::to_string(entry.version) + "'");
    }
  }
}

void refuse_drift(const StatusEntry& entry) {
  if (entry.state == RevisionState::modified) {
    conflict("revision " + std::to_string(entry.version) + " " + entry.name +
                 " was changed on disk after it was applied (checksum differs)",
             "restore the file, or accept it with 'agentdb migrate repair " +
                 std::to_string(entry.version) + "'");
  }
  if (entry.state == RevisionState::missing) {
    conflict("revision " + std::to_string(entry.version) + " " + entry.name +
                 " is applied but its file is missing",
             "restore the file, or forget it with 'agentdb migrate repair " +
                 std::to_string(entry.version) + "'");
  }
}

}  // namespace

std::string to_string(RevisionState state) {
  switch (state) {
    case RevisionState::applied:
      return "applied";
    case RevisionState::pending:
      return "pending";
    case RevisionState::modified:
      return "modified";
    case RevisionState::missing:
      return "missing";
    case RevisionState::out_of_order:
      return "out-of-order";
    case RevisionState::failed:
      return "failed";
  }
  return "pending";
}

bool Status::clean() const {
  return std::all_of(entries.begin(), entries.end(),
                     [](const StatusEntry& e) { return e.state == RevisionState::applied; });
}

int Status::count(RevisionState state) const {
  return static_cast<int>(std::count_if(
      entries.begin(), entries.end(), [state](const StatusEntry& e) { return e.state == state; }));
}

Status compute_status(const std::vector<Revision>& revisions,
                      const std::vector<HistoryRecord>& records) {
  Status status;
  std::map<long long, StatusEntry> by_version;
  for (const auto& record : records) {
    if (record.status == RecordStatus::applied) {
      status.current = std::max(status.current.value_or(record.version), record.version);
    }
    by_version[record.version] =
        StatusEntry{record.version, record.name, RevisionState::missing, nullptr, &record};
  }
  for (const auto& revision : revisions) {
    auto& entry = by_version[revision.version];
    entry.version = revision.version;
    entry.name = revision.name;
    entry.revision = &revision;
    if (entry.record == nullptr) {
      const bool older = status.current && revision.version < *status.current;
      entry.state = older ? RevisionState::out_of_order : RevisionState::pending;
    } else if (entry.record->status != RecordStatus::applied) {
      entry.state = RevisionState::failed;
    } else if (entry.record->checksum != revision.checksum) {
      entry.state = RevisionState::modified;
    } else {
      entry.state = RevisionState::applied;
    }
  }
  for (const auto& [version, entry] : by_version) {
    // A failed record whose file is gone is still a failure to repair, not a missing revision.
    auto copy = entry;
    if (copy.revision == nullptr && copy.record->status != RecordStatus::applied) {
      copy.state = RevisionState::failed;
    }
    status.entries.push_back(copy);
  }
  return status;
}

std::vector<const Revision*> plan_up(const Status& status, std::optional<long long> target,
                                     OutOfOrder out_of_order) {
  refuse_failed(status);
  std::vector<const Revision*> plan;
  for (const auto& entry : status.entries) {
    refuse_drift(entry);
    if (target && entry.version > *target)
      continue;
    if (entry.state == RevisionState::out_of_order) {
      if (out_of_order == OutOfOrder::refuse) {
        conflict("revision " + std::to_string(entry.version) + " " + entry.name +
                     " is pending but older than the newest applied one (" +
                     std::to_string(*status.current) + ")",
                 "this happens when branches merge; check it is independent, then run "
                 "'agentdb migrate up --allow-out-of-order'");
      }
      plan.push_back(entry.revision);
    }
    if (entry.state == RevisionState::pending)
      plan.push_back(entry.revision);
  }
  return plan;
}

std::vector<const Revision*> plan_down(const Status& status, std::optional<int> count,
                                       std::optional<long long> target) {
  refuse_failed(status);
  std::vector<const StatusEntry*> applied;
  for (const auto& entry : status.entries) {
    // Anywhere in the history, not only among the revisions reverted: the files no longer say
    // what the database holds, so no revert is safe until a human has looked (see STATES).
    refuse_drift(entry);
    if (entry.record != nullptr)
      applied.push_back(&entry);
  }
  std::reverse(applied.begin(), applied.end());
  std::vector<const Revision*> plan;
  for (const auto* entry : applied) {
    if (target && entry->version <= *target)
      break;
    if (!target && static_cast<int>(plan.size()) >= count.value_or(1))
      break;
    if (entry->revision->irreversible()) {
      conflict("revision " + std::to_string(entry->version) + " " + entry->name +
                   " is irreversible and cannot be reverted; nothing was changed",
               "restore a backup taken before it instead");
    }
    plan.push_back(entry->revision);
  }
  return plan;
}

}  // namespace agentdb::migrate
