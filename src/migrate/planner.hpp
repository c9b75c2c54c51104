// Pure logic: what state each revision is in, and what `up` or `down` would do. No I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "migrate/history.hpp"
#include "migrate/revision.hpp"

namespace agentdb::migrate {

enum class RevisionState { applied, pending, modified, missing, out_of_order, failed };

[[nodiscard]] std::string to_string(RevisionState state);

struct StatusEntry {
  long long version = 0;
  std::string name;
  RevisionState state = RevisionState::pending;
  const Revision* revision = nullptr;     // null when missing on disk
  const HistoryRecord* record = nullptr;  // null when never applied
};

struct Status {
  std::optional<long long> current;  // newest applied version
  std::vector<StatusEntry> entries;  // ordered by version

  [[nodiscard]] bool clean() const;  // nothing pending, modified, missing, out-of-order or failed
  [[nodiscard]] int count(RevisionState state) const;
};

[[nodiscard]] Status compute_status(const std::vector<Revision>& revisions,
                                    const std::vector<HistoryRecord>& records);

enum class OutOfOrder { refuse, allow };

// Revisions `up` applies, in order, through `target` when given. Throws Error(conflict) for a
// failed, modified or missing revision, or for out-of-order ones unless allowed.
[[nodiscard]] std::vector<const Revision*> plan_up(const Status& status,
                                                   std::optional<long long> target,
                                                   OutOfOrder out_of_order);

// Revisions `down` reverts, newest first: the last `count`, or all newer than `target`.
// Throws Error(conflict) for an irreversible, modified, missing or failed revision in the way.
[[nodiscard]] std::vector<const Revision*> plan_down(const Status& status, std::optional<int> count,
                                                     std::optional<long long> target);

}  // namespace agentdb::migrate
