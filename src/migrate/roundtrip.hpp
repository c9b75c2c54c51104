// `migrate verify --roundtrip`: in a scratch database, apply each revision, revert it and apply it
// again, comparing schema dumps around every down (this finds each revision whose down does not
// undo its up, even when a later down happens to hide it); then revert everything and apply
// everything again, comparing the first and last states. A revision that fails does not end the
// check: the rest continue in a fresh scratch database brought up to it with the up files.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

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

// Whether differences PostgreSQL cannot undo (column order, enum values) and comments fail.
enum class Strictness { lenient, strict };

struct RoundtripFailure {
  std::optional<long long> version;  // nullopt for the whole-set stages
  std::string name;
  RoundtripStage stage = RoundtripStage::down_differs;
  std::string error;  // the file and the server's message, when a down or up raised one
  std::vector<ObjectDifference> objects;

  // An error or a real difference always fails; differences PostgreSQL cannot undo (column order,
  // enum values) and comments only when strict.
  [[nodiscard]] bool fails(Strictness strictness) const;
};

struct RoundtripResult {
  int revisions_checked = 0;
  std::string scratch_database;  // created and dropped for the check; later ones add _2, _3...
  Strictness strictness = Strictness::lenient;
  bool whole_set_checked = false;  // skipped when a revision already fails on its own
  std::vector<RoundtripFailure> failures;

  [[nodiscard]] bool ok() const;
};

// Hears what the check is doing ("roundtrip: 3 add_users"), for a --verbose line or a log.
using RoundtripProgress = std::function<void(const std::string&)>;

// `target` is the server the scratch databases are created on (and dropped from).
[[nodiscard]] RoundtripResult verify_roundtrip(const db::ConnectionTarget& target,
                                               const std::vector<Revision>& revisions,
                                               Strictness strictness,
                                               const RoundtripProgress& progress = {});

// Removes what differs between two dumps of the same schema for reasons other than the schema
// (pg_dump's per-run \restrict keys and version comments).
[[nodiscard]] std::string normalise_dump(const std::string& dump);

}  // namespace agentdb::migrate
