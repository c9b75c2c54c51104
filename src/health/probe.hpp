// `agentdb pool probe`: drives a ConnectionPool from several threads for a while and measures what
// a service on that pool would see: acquire waits, query latency, throughput, errors, and outages
// with the time it took to recover from them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "db/pool.hpp"

namespace agentdb::health {

struct ProbeSettings {
  int threads = 4;
  std::chrono::milliseconds duration{10'000};
  std::string query = "SELECT 1";
};

struct LatencySummary {
  std::uint64_t count = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// A stretch of time in which queries failed, from the first error to the first success of a query
// started after the last error.
struct Outage {
  double start_s = 0;
  double end_s = 0;
  bool recovered = false;
  std::uint64_t errors = 0;
};

struct ProbeResult {
  double elapsed_s = 0;
  std::uint64_t queries = 0;  // succeeded
  std::uint64_t acquire_timeouts = 0;
  std::uint64_t connect_failures = 0;
  std::uint64_t broken_connections = 0;  // a query failed and its connection was dead
  std::uint64_t query_errors = 0;        // the server refused a query on a live connection
  LatencySummary acquire_wait;
  LatencySummary query_latency;
  std::vector<Outage> outages;
  std::vector<std::string> error_messages;  // the first few distinct ones
  db::PoolCounters pool;

  [[nodiscard]] std::uint64_t errors() const {
    return acquire_timeouts + connect_failures + broken_connections + query_errors;
  }
  [[nodiscard]] double throughput() const { return elapsed_s > 0 ? queries / elapsed_s : 0; }
};

// Progress once a second: seconds elapsed, queries and errors so far, and the pool's counters.
using ProbeTick = std::function<void(double elapsed_s, std::uint64_t queries, std::uint64_t errors,
                                     const db::PoolCounters& pool)>;

// Runs until the duration is over or `stop()` answers true (checked every 100 ms).
[[nodiscard]] ProbeResult run_probe(db::ConnectionPool& pool, const ProbeSettings& settings,
                                    const ProbeTick& tick, const std::function<bool()>& stop);

// Percentiles of latencies in microseconds (the vector is reordered).
[[nodiscard]] LatencySummary summarise(std::vector<float>& micros);

}  // namespace agentdb::health
