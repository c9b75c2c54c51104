// What one migrate operation works on: a folder's revisions, the session and its history, and
// every revision's state; and the migration lock that operations which change anything hold.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "db/advisory_lock.hpp"
#include "db/session.hpp"
#include "migrate/history.hpp"
#include "migrate/migrate.hpp"
#include "migrate/planner.hpp"

namespace agentdb::migrate {

// One advisory lock key for every agentdb migration runner on a database.
inline constexpr std::int64_t kMigrationLockKey = 0x61676E7464626D67;  // "agntdbmg"

class Workspace {
 public:
  // Reads the history (creating nothing) and computes every revision's state.
  Workspace(db::Session& session, const RevisionFolder& folder);
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  // Re-reads the history table and recomputes every revision's state.
  void refresh();

  // Takes the migration lock, makes sure the history tables exist, and re-reads the state under
  // the lock.
  [[nodiscard]] std::unique_ptr<db::AdvisoryLock> lock(std::chrono::milliseconds timeout);

  const RevisionFolder& folder;
  db::Session& session;
  History history;
  std::vector<HistoryRecord> records;
  Status status;
};

// Lints `targets` (elements of `revisions`) knowing what every earlier revision created.
[[nodiscard]] std::vector<LintFinding> lint_revisions(const std::vector<Revision>& revisions,
                                                      const std::vector<const Revision*>& targets);

}  // namespace agentdb::migrate
