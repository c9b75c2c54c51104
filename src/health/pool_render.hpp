// How `agentdb pool status` and `agentdb pool probe` show their results: one JSON document, or
// text blocks for people (each printed as one block of lines).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "health/health.hpp"

namespace agentdb::health {

[[nodiscard]] nlohmann::json pool_status_json(const PoolStatus& status);
[[nodiscard]] std::vector<std::string> render_pool_status(const PoolStatus& status);

// What a probe was asked to do, shown beside what it measured.
struct ProbeSetup {
  std::string database;  // display form
  int connections = 0;
  int threads = 0;
  std::string query;
  std::chrono::milliseconds acquire_timeout{0};
};

[[nodiscard]] nlohmann::json probe_json(const ProbeSetup& setup, const ProbeResult& result);
[[nodiscard]] std::string render_probe(const ProbeSetup& setup, const ProbeResult& result);
// The line shown once a second while a probe runs.
[[nodiscard]] std::string probe_progress_line(double elapsed_s, std::uint64_t queries,
                                              std::uint64_t errors, const db::PoolCounters& pool);

}  // namespace agentdb::health
