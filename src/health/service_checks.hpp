// The checks of the services beside PostgreSQL: Qdrant's readiness and collections, Redis's PING
// round trip and memory. Each is bounded by the time it is given.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "health/health.hpp"

namespace agentdb::health {

// SKIPPED without settings; CRITICAL when Qdrant is not ready or a configured collection is
// missing.
[[nodiscard]] CheckResult check_qdrant(const SelectedCheck& check,
                                       const std::optional<QdrantCheckSettings>& settings,
                                       std::chrono::milliseconds timeout);

// "redis" or "redis_memory"; SKIPPED without a URL. Throws Error(usage) for a malformed URL.
[[nodiscard]] CheckResult check_redis(const SelectedCheck& check,
                                      const std::optional<std::string>& url,
                                      std::chrono::milliseconds timeout);

}  // namespace agentdb::health
