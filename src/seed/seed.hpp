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

// Bounds of a synth request, so that a typo (--messages 9223372036854775807) is refused instead
// of running for weeks. The generator keeps every user's and conversation's id in memory (about
// 100 bytes each), so each stays at 10 million (--scale at most 1000 is that many conversations);
// all rows together stay at 2 billion, some terabyte with indexes, beyond the disk of any load
// test and within a 32-bit row number per table.
inline constexpr long long kMaxSynthScale = 1000;
inline constexpr long long kMaxSynthHeld = 10'000'000;     // users, and conversations
inline constexpr long long kMaxSynthRows = 2'000'000'000;  // users + conversations + messages
                                                           // + executions and their costs
inline constexpr int kMaxSynthDays = 3650;

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

// The counts and window of a request, before connecting. Throws Error(usage) naming the option
// for counts outside the bounds above or without a user or a conversation, an end date that is
// not a YYYY-MM-DD day, or a window that would start before 1970 or end after 9999.
[[nodiscard]] SynthSettings synth_settings(const SynthRequest& request);

// Then write_synth (synth_writer.hpp) writes them, in one transaction with COPY on connections of
// its own, reporting progress to its callback.

}  // namespace agentdb::seed
