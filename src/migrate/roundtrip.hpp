// `migrate verify --roundtrip`: in a scratch database, apply each revision, revert it and apply it
// again, comparing schema dumps around every down (this finds each revision whose down does not
// undo its up, even when a later down happens to hide it); then revert everything and apply
// everything again, comparing the first and last states. A revision that fails does not end the
// check: the rest continue in a fresh scratch database brought up to it with the up files.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/output.hpp"
#include "db/connection_target.hpp"
#include "migrate/revision.hpp"
#include "migrate/schema_diff.hpp"

namespace agentdb::migrate {

enum class RoundtripStage {
  down_differs,  // the down ran, but the schema is not the one before the up
  down_failed,   // the down raised an error
  up_failed,     // applying (or re-applying after its down) raised an error
  full_revert,   // reverting every reversible revision did not give the schema before them
  full_reapply,  // re-applying them all did not give the schema they gave the first time
};
[[nodiscard]] std::string_view to_string(RoundtripStage stage);

struct RoundtripFailure {
  std::optional<long long> version;  // nullopt for the whole-set stages
  std::string name;
  RoundtripStage stage = RoundtripStage::down_differs;
  std::string error;  // the file and the server's message, when a down or up raised one
  std::vector<ObjectDifference> objects;

  // An error or a real difference always fails; differences PostgreSQL cannot undo (column order,
  // enum values) and comments only under --strict.
  [[nodiscard]] bool fails(bool strict) const;
};

struct RoundtripResult {
  int revisions_checked = 0;
  std::string scratch_database;  // created and dropped for the check; later ones add _2, _3...
  bool strict = false;
  bool whole_set_checked = false;  // skipped when a revision already fails on its own
  std::vector<RoundtripFailure> failures;

  [[nodiscard]] bool ok() const;
};

[[nodiscard]] RoundtripResult verify_roundtrip(const db::ConnectionTarget& target,
                                               const std::vector<Revision>& revisions, bool strict,
                                               const Output& out);

// The "roundtrip" member of `migrate verify --json`.
[[nodiscard]] nlohmann::json roundtrip_json(const RoundtripResult& result);

// Each failure's heading and object diffs, then the summary line when the check passes.
void print_roundtrip(const Output& out, const RoundtripResult& result);

// The one error line of a failed check: how many revisions fail and the first; nullopt when ok.
[[nodiscard]] std::optional<Error> roundtrip_error(const RoundtripResult& result, bool json);

// Removes what differs between two dumps of the same schema for reasons other than the schema
// (pg_dump's per-run \restrict keys and version comments).
[[nodiscard]] std::string normalise_dump(const std::string& dump);

}  // namespace agentdb::migrate
