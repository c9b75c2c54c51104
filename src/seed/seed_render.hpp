// `agentdb seed`'s output: pure functions from seed's results to text and JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "seed/seed.hpp"

namespace agentdb::seed {

// seed --list
[[nodiscard]] std::string sets_table(const std::vector<SetSummary>& sets);
[[nodiscard]] nlohmann::json sets_json(const std::filesystem::path& dir,
                                       const std::vector<SetSummary>& sets);

// seed SET...: a table of files and the set's summary line; the JSON of a set and of the run.
[[nodiscard]] std::vector<std::string> outcome_lines(const SetOutcome& outcome, Commit commit);
[[nodiscard]] nlohmann::json outcome_json(const SetOutcome& outcome);
[[nodiscard]] nlohmann::json seed_json(const SeedResult& result);

// seed synth
[[nodiscard]] std::vector<std::string> synth_lines(const SynthReport& report,
                                                   std::uint64_t random_seed);
[[nodiscard]] nlohmann::json synth_json(const SynthReport& report, std::uint64_t random_seed);

// The text of `seed synth`'s progress line: the table and its rows written so far of those planned.
[[nodiscard]] std::string synth_progress_line(const std::string& table, long long done,
                                              long long planned);

}  // namespace agentdb::seed
