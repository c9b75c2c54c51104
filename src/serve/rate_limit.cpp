#include "serve/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace agentdb::serve {

TierLimit tier_limit(std::string_view tier) {
  if (tier == "free")
    return {5, 10};
  if (tier == "standard")
    return {50, 100};
  if (tier == "premium")
    return {500, 1000};
  return {};
}

std::optional<int> RateLimiter::take(const std::string& key, std::string_view tier,
                                     Clock::time_point now) {
  const auto limit = tier_limit(tier);
  if (limit.per_second <= 0)
    return std::nullopt;
  const std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{limit.burst, now});
  auto& bucket = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(limit.burst, bucket.tokens + elapsed * limit.per_second);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - bucket.tokens) / limit.per_second)));
}

}  // namespace agentdb::serve
