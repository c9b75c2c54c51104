#include "migrate/workspace.hpp"

namespace agentdb::migrate {

Workspace::Workspace(db::Session& session_in, const RevisionFolder& folder_in)
    : folder(folder_in), session(session_in), history(session_in) {
  refresh();
}

void Workspace::refresh() {
  records = history.load();
  status = compute_status(folder.revisions, records);
}

std::unique_ptr<db::AdvisoryLock> Workspace::lock(std::chrono::milliseconds timeout) {
  auto held = std::make_unique<db::AdvisoryLock>(session, kMigrationLockKey, timeout, "migration");
  history.ensure_tables();
  refresh();
  return held;
}

RevisionFolder read_folder(const std::filesystem::path& dir) {
  return RevisionFolder{dir, load_revisions(dir)};
}

}  // namespace agentdb::migrate
