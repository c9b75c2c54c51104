#include "serve/rate_limit.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/error.hpp"
#include "serve/shared_buckets.hpp"
#include "util/strings.hpp"

namespace agentdb::serve {

namespace {

std::optional<double> positive_number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
      value <= 0 || value > 1e9)
    return std::nullopt;
  return value;
}

}  // namespace

TierLimits parse_tier_limits(std::string_view text) {
  TierLimits limits;
  for (const auto& part : util::split(text, ',')) {
    const auto item = util::trim(part);
    if (item.empty())
      continue;
    const auto equals = item.find('=');
    const auto slash = item.find('/', equals == std::string_view::npos ? 0 : equals);
    const auto name = util::trim(item.substr(0, equals));
    const auto rate =
        equals == std::string_view::npos || slash == std::string_view::npos
            ? std::nullopt
            : positive_number(util::trim(item.substr(equals + 1, slash - equals - 1)));
    const auto burst = rate ? positive_number(util::trim(item.substr(slash + 1))) : std::nullopt;
    if (name.empty() || !rate || !burst || *burst < 1)
      throw Error(ExitCode::usage,
                  "invalid rate limit '" + util::printable(excerpt(item, 60)) + "'",
                  "give TIER=PER_SECOND/BURST, comma-separated, such as free=5/10,standard=50/100");
    limits[std::string(name)] = {*rate, *burst};
  }
  return limits;
}

RateLimiter::RateLimiter(TierLimits limits, std::optional<db::RedisEndpoint> redis)
    : limits_(std::move(limits)) {
  if (redis)
    shared_ = std::make_unique<SharedBuckets>(std::move(*redis));
}

RateLimiter::~RateLimiter() = default;

RateLimitStore RateLimiter::store() const {
  if (!shared_)
    return {"process", true, 0};
  return {shared_->display(), shared_->available(), shared_->errors()};
}

void RateLimiter::set_limits(TierLimits limits) {
  const std::lock_guard lock(mutex_);
  limits_ = std::move(limits);
}

std::optional<int> RateLimiter::take(const std::string& key, std::string_view tier,
                                     Clock::time_point now) {
  TierLimit limit;
  {
    const std::lock_guard lock(mutex_);
    const auto found = limits_.find(tier);
    if (found == limits_.end())
      return std::nullopt;
    limit = found->second;
  }
  if (shared_) {
    if (const auto wait = shared_->take(key, limit.per_second, limit.burst))
      return *wait == 0 ? std::nullopt : wait;
  }
  return take_here(key, limit, now);
}

std::optional<int> RateLimiter::take_here(const std::string& key, TierLimit limit,
                                          Clock::time_point now) {
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
