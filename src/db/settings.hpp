// Settings of the base layer that more than one feature reads.
#pragma once

#include "core/settings.hpp"

namespace agentdb::db {

inline constexpr Setting kRedisUrl{
    .key = "redis.url",
    .env = "REDIS_URL",
    .fallback = "",
    .doc =
        "Redis: checked by health; serve's shared rate limits (redis://[:password@]host:port/db)",
    .secrecy = Secrecy::secret};

}  // namespace agentdb::db
