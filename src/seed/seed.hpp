// seed's public interface for front ends (the command line, serve): each operation takes a
// request and what it works on and returns a result. Nothing here prints; progress goes to the
// callbacks in the request.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/connection_target.hpp"
#include "db/session.hpp"
#include "seed/seed_set.hpp"
#include "seed/seeder.hpp"
#include "seed/synth_writer.hpp"

namespace agentdb::seed {

// What `seed --list` shows of one set.
struct SetSummary {
  std::string name;
  std::size_t files = 0;
  std::size_t rows = 0;
  std::vector<std::string> tables;  // in file order
};

// Every set under `dir`, loaded and checked. Throws Error(usage) like load_set.
[[nodiscard]] std::vector<SetSummary> list_seed_sets(const std::filesystem::path& dir);

struct SeedRequest {
  std::filesystem::path dir;
  std::vector<std::string> sets;  // applied in this order; empty: the reference set
  Commit commit = Commit::yes;    // no: a dry run, each set rolled back after counting
  std::function<void(const SetOutcome&)> after_each;  // once a set is applied (or rolled back)
};

struct SeedResult {
  Commit commit = Commit::yes;
  std::vector<SetOutcome> sets;
};

// Loads every set of the request, connecting to nothing: a malformed file fails before anything
// is written. Throws Error(usage) naming the file.
[[nodiscard]] std::vector<SeedSet> load_seed_sets(const SeedRequest& request);

// Applies the loaded sets in order, each in one transaction; the counts per file and table.
[[nodiscard]] SeedResult apply_seed_sets(db::Session& session, const std::vector<SeedSet>& sets,
                                         const SeedRequest& request);

struct SynthRequest {
  long long scale = 1;  // the preset (counts_for_scale) that the counts below override
  std::optional<long long> users;
  std::optional<long long> conversations;
  std::optional<long long> messages;
  std::optional<long long> executions;
  std::uint64_t random_seed = 1;
  int days = 90;
  std::string end_date;  // YYYY-MM-DD; empty: today (UTC)
};

// The counts and window of a request, before connecting. Throws Error(usage) for counts without
// a user or a conversation, or an end date that is not one.
[[nodiscard]] SynthSettings synth_settings(const SynthRequest& request);

// Then write_synth (synth_writer.hpp) writes them, in one transaction with COPY on connections of
// its own, reporting progress to its callback.

}  // namespace agentdb::seed
