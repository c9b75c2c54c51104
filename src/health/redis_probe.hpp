// A Redis PING and INFO memory, for the health checks.
#pragma once

#include <chrono>
#include <string>

#include "db/redis.hpp"

namespace agentdb::health {

struct RedisStats {
  double ping_ms = 0;
  long long used_memory = 0;
  long long maxmemory = 0;  // 0: no limit set
  std::string version;
};

// Connects, authenticates, PINGs and reads INFO; every step bounded by `timeout`.
// Throws Error(cannot_connect) naming the reason (refused, timed out, auth failed).
[[nodiscard]] RedisStats probe_redis(const db::RedisEndpoint& endpoint,
                                     std::chrono::milliseconds timeout);

}  // namespace agentdb::health
