// Requests per key by its tier, as token buckets kept in this process (shared buckets in Redis for
// several serve processes are still to come: see issue 16's note).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace agentdb::serve {

struct TierLimit {
  double per_second = 0;  // 0: unlimited
  double burst = 0;
};

// free 5/s (burst 10), standard 50/s (100), premium 500/s (1000), unlimited.
[[nodiscard]] TierLimit tier_limit(std::string_view tier);

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // nullopt when the request may go; otherwise the seconds to wait before a token is back.
  [[nodiscard]] std::optional<int> take(const std::string& key, std::string_view tier,
                                        Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  std::mutex mutex_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace agentdb::serve
