// `migrate verify --roundtrip`: in a scratch database, apply each revision, revert it and apply it
// again, comparing schema dumps around every down (this finds the first revision whose down does
// not undo its up, even when a later down happens to hide it); then revert everything and apply
// everything again, comparing the first and last states.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/output.hpp"
#include "db/connection_target.hpp"
#include "migrate/revision.hpp"

namespace agentdb::migrate {

struct RoundtripResult {
  int revisions_checked = 0;
  std::string scratch_database;        // created and dropped for the check
  std::optional<std::string> culprit;  // "<version> <name>" of the first revision that fails
  std::string difference;              // first differing dump line, before vs after
  [[nodiscard]] bool ok() const { return !culprit && difference.empty(); }
};

[[nodiscard]] RoundtripResult verify_roundtrip(const db::ConnectionTarget& target,
                                               const std::vector<Revision>& revisions,
                                               const Output& out);

// Removes what differs between two dumps of the same schema for reasons other than the schema
// (pg_dump's per-run \restrict keys and version comments).
[[nodiscard]] std::string normalise_dump(const std::string& dump);

// "line N: '<a>' became '<b>'" for the first differing line, or empty when equal.
[[nodiscard]] std::string first_difference(const std::string& before, const std::string& after);

}  // namespace agentdb::migrate
