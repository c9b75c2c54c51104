// The settings `health` owns.
#pragma once

#include "core/settings.hpp"
#include "db/settings.hpp"

namespace agentdb::health {

using db::kRedisUrl;  // declared once for every command, read here and by serve
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
inline constexpr const Setting* kSettings[] = {&kTimeout, &kThresholds};

}  // namespace agentdb::health
