// Requests per key by its tier, as token buckets kept in this process (shared buckets in Redis for
// several serve processes are still to come: see issue 16's note). The limits of each tier come
// from the settings and change on SIGHUP without losing the buckets.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

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

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(TierLimits limits = {}) : limits_(std::move(limits)) {}
  void set_limits(TierLimits limits);
  // nullopt when the request may go; otherwise the seconds to wait before a token is back.
  [[nodiscard]] std::optional<int> take(const std::string& key, std::string_view tier,
                                        Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  std::mutex mutex_;
  TierLimits limits_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace agentdb::serve
