#include "serve/metrics.hpp"

#include <cstdio>
#include <tuple>

#include "db/pool.hpp"

namespace agentdb::serve {

namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// Label values escape backslash, quote and newline (the text format's rule).
std::string label(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::record(std::string_view method, std::string_view route, int status,
                     std::chrono::microseconds duration) {
  const double seconds = static_cast<double>(duration.count()) / 1e6;
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket])
    ++bucket;
  const std::lock_guard lock(mutex_);
  ++requests_[{std::string(method), std::string(route), status}];
  ++latency_[bucket];
  latency_sum_ += seconds;
  ++latency_count_;
}

std::string Metrics::render(const db::PoolCounters& pool,
                            std::uint64_t rate_limit_redis_errors) const {
  std::string out;
  out += "# HELP agentdb_http_requests_total Requests answered, by method, route and status.\n";
  out += "# TYPE agentdb_http_requests_total counter\n";
  const std::lock_guard lock(mutex_);
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, status] = key;
    out += "agentdb_http_requests_total{method=\"" + label(method) + "\",route=\"" + label(route) +
           "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(count) + "\n";
  }
  out += "# HELP agentdb_http_request_duration_seconds Time from request read to response ready.\n";
  out += "# TYPE agentdb_http_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < latency_.size(); ++i) {
    cumulative += latency_[i];
    const auto le = i < kBuckets.size() ? number(kBuckets[i]) : std::string("+Inf");
    out += "agentdb_http_request_duration_seconds_bucket{le=\"" + le + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  out += "agentdb_http_request_duration_seconds_sum " + number(latency_sum_) + "\n";
  out += "agentdb_http_request_duration_seconds_count " + std::to_string(latency_count_) + "\n";
  out += "# HELP agentdb_database_errors_total Requests that failed on a database error.\n";
  out += "# TYPE agentdb_database_errors_total counter\n";
  out += "agentdb_database_errors_total " + std::to_string(database_errors_.load()) + "\n";
  out +=
      "# HELP agentdb_replica_fallbacks_total Read-only requests the replica (--read-url) "
      "could not answer, answered by the primary.\n";
  out += "# TYPE agentdb_replica_fallbacks_total counter\n";
  out += "agentdb_replica_fallbacks_total " + std::to_string(replica_fallbacks_.load()) + "\n";
  out +=
      "# HELP agentdb_rate_limit_redis_errors_total Rate limit checks that found Redis "
      "(--redis-url) unreachable and used this process's buckets.\n";
  out += "# TYPE agentdb_rate_limit_redis_errors_total counter\n";
  out += "agentdb_rate_limit_redis_errors_total " + std::to_string(rate_limit_redis_errors) + "\n";
  const std::pair<const char*, long long> gauges[] = {
      {"agentdb_pool_connections", pool.size},
      {"agentdb_pool_idle", pool.idle},
      {"agentdb_pool_in_use", pool.in_use},
      {"agentdb_pool_waiting", pool.waiting},
  };
  for (const auto& [name, value] : gauges) {
    out += std::string("# TYPE ") + name + " gauge\n";
    out += std::string(name) + " " + std::to_string(value) + "\n";
  }
  out += "# TYPE agentdb_pool_acquire_timeouts_total counter\n";
  out += "agentdb_pool_acquire_timeouts_total " + std::to_string(pool.timeouts) + "\n";
  return out;
}

}  // namespace agentdb::serve
