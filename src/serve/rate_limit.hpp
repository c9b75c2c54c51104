// Requests per key by its tier, as token buckets: in Redis when one is given (shared by every serve
// process on it; see shared_buckets.hpp), else, and while that Redis does not answer, in this
// process. The limits of each tier come from the settings and change on SIGHUP without losing the
// buckets.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "db/redis.hpp"

namespace agentdb::serve {

struct TierLimit {
  double per_second = 0;  // 0: unlimited
  double burst = 0;
};

// Tier name -> limit; a tier not named is unlimited.
using TierLimits = std::map<std::string, TierLimit, std::less<>>;

// "free=5/10,standard=50/100" (requests per second / burst); throws Error(usage) naming the part
// that is wrong.
[[nodiscard]] TierLimits parse_tier_limits(std::string_view text);

class SharedBuckets;

// Where the buckets are, for /health/detailed and the metrics.
struct RateLimitStore {
  std::string where;  // "process", or the Redis URL without its password
  bool available = true;
  std::uint64_t redis_errors = 0;  // takes that fell back to this process's buckets
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(TierLimits limits = {}, std::optional<db::RedisEndpoint> redis = {});
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;
  void set_limits(TierLimits limits);
  [[nodiscard]] RateLimitStore store() const;
  // nullopt when the request may go; otherwise the seconds to wait before a token is back.
  [[nodiscard]] std::optional<int> take(const std::string& key, std::string_view tier,
                                        Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  [[nodiscard]] std::optional<int> take_here(const std::string& key, TierLimit limit,
                                             Clock::time_point now);

  std::unique_ptr<SharedBuckets> shared_;
  mutable std::mutex mutex_;
  TierLimits limits_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace agentdb::serve
