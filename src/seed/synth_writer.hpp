// Writes synthetic data with COPY in one transaction, consistent with every constraint and
// trigger of the schema (message counters are maintained by the schema's own trigger; costs are
// computed from the model prices in force at each execution's time).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "db/connection_target.hpp"
#include "seed/synth.hpp"

namespace agentdb::seed {

struct SynthSettings {
  SynthCounts counts;
  std::uint64_t random_seed = 1;
  long long end_unix = 0;  // data falls in the `days` before this instant
  int days = 90;
};

struct TableRows {
  std::string table;
  long long rows = 0;
};

struct SynthReport {
  std::vector<TableRows> tables;
  double seconds = 0;
  [[nodiscard]] long long total_rows() const;
};

// Called after each chunk: table, rows written so far, rows planned for it.
using SynthProgress = std::function<void(const std::string&, long long, long long)>;

[[nodiscard]] SynthReport write_synth(const db::ConnectionTarget& target,
                                      const SynthSettings& settings, const SynthProgress& progress);

}  // namespace agentdb::seed
