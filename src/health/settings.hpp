// The settings `health` owns.
#pragma once

#include "core/settings.hpp"

namespace agentdb::health {

inline constexpr Setting kRedisUrl{.key = "redis.url",
                                   .env = "REDIS_URL",
                                   .fallback = "",
                                   .doc = "Redis to check (redis://[:password@]host:port/db)",
                                   .secrecy = Secrecy::secret};
inline constexpr Setting kTimeout{.key = "health.timeout",
                                  .env = nullptr,
                                  .fallback = "5s",
                                  .doc = "deadline of a whole health run",
                                  .secrecy = Secrecy::plain};
inline constexpr Setting kThresholds{.key = "health.*",
                                     .env = nullptr,
                                     .fallback = "",
                                     .doc = "thresholds: health.CHECK.warning / .critical",
                                     .secrecy = Secrecy::plain};
inline constexpr const Setting* kSettings[] = {&kRedisUrl, &kTimeout, &kThresholds};

}  // namespace agentdb::health
