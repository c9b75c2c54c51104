#include "migrate/history.hpp"
#include "migrate/migrate.hpp"
#include "migrate/planner.hpp"
#include "migrate/revision.hpp"

namespace agentdb::migrate {

int MigrationSummary::count(std::string_view state) const {
  for (const auto& entry : states) {
    if (entry.state == state)
      return entry.count;
  }
  return 0;
}

int MigrationSummary::drift() const {
  int total = 0;
  for (const auto& entry : states)
    total += entry.is_drift ? entry.count : 0;
  return total;
}

MigrationSummary summarize(db::Session& session, const std::filesystem::path& dir) {
  const auto revisions = load_revisions(dir);
  History history(session);
  const auto records = history.exists() ? history.load() : std::vector<HistoryRecord>{};
  const auto status = compute_status(revisions, records);
  MigrationSummary summary;
  summary.current = status.current;
  for (const auto state :
       {RevisionState::applied, RevisionState::pending, RevisionState::modified,
        RevisionState::missing, RevisionState::out_of_order, RevisionState::failed}) {
    const bool drift = state != RevisionState::applied && state != RevisionState::pending;
    summary.states.push_back({to_string(state), status.count(state), drift});
  }
  return summary;
}

}  // namespace agentdb::migrate
