// Applies seed sets: every file of a set is an upsert keyed on its key columns, the whole set in
// one transaction. Seeds insert and update; they never delete.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "db/session.hpp"
#include "seed/seed_set.hpp"

namespace agentdb::seed {

struct FileOutcome {
  std::filesystem::path path;
  std::string table;
  std::size_t inserted = 0;
  std::size_t updated = 0;
  std::size_t unchanged = 0;
};

struct SetOutcome {
  std::string name;
  std::vector<FileOutcome> files;
  [[nodiscard]] std::size_t inserted() const;
  [[nodiscard]] std::size_t updated() const;
  [[nodiscard]] std::size_t unchanged() const;
};

enum class Commit { yes, no };  // no: a dry run, rolled back after counting

// Throws Error naming the file when the server rejects a row (constraint, RLS, missing table).
[[nodiscard]] SetOutcome apply_set(db::Session& session, const SeedSet& set, Commit commit);

enum class Updates { allowed, not_allowed };

// INSERT ... SELECT FROM jsonb_populate_recordset($1) ON CONFLICT (key) DO UPDATE ... WHERE the
// row differs (DO NOTHING when updates are not allowed), returning one row: (inserted, written).
// Pure: exposed for tests.
[[nodiscard]] std::string upsert_sql(const SeedFile& file, Updates updates = Updates::allowed);

}  // namespace agentdb::seed
