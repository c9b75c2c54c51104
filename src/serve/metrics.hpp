// The service's counters in Prometheus' text format: requests by route and status, a latency
// histogram, database errors, and the pool's gauges read when scraped.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace agentdb::db {
struct PoolCounters;
}

namespace agentdb::serve {

class Metrics {
 public:
  // Route is the pattern ("/api/v1/agents/{id}"), never the raw path, so labels stay few.
  void record(std::string_view method, std::string_view route, int status,
              std::chrono::microseconds duration);
  void record_database_error() { ++database_errors_; }
  // A read-only request the replica could not answer, answered by the primary instead.
  void record_replica_fallback() { ++replica_fallbacks_; }
  // `rate_limit_redis_errors`: rate limit checks that found Redis unreachable.
  [[nodiscard]] std::string render(const db::PoolCounters& pool,
                                   std::uint64_t rate_limit_redis_errors) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    5};
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::array<std::uint64_t, kBuckets.size() + 1> latency_{};  // the last: +Inf
  double latency_sum_ = 0;
  std::uint64_t latency_count_ = 0;
  std::atomic<std::uint64_t> database_errors_{0};
  std::atomic<std::uint64_t> replica_fallbacks_{0};
};

}  // namespace agentdb::serve
