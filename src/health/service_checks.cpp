#include "health/service_checks.hpp"

#include "health/redis_probe.hpp"
#include "util/strings.hpp"

namespace agentdb::health {

namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point started) {
  return std::chrono::duration<double, std::milli>(Clock::now() - started).count();
}

// Every configured collection that Qdrant does not have, by name.
std::vector<std::string> missing_collections(qdrant::Client& client,
                                             const qdrant::CollectionsFile& collections) {
  std::vector<std::string> missing;
  for (const auto& collection : collections.collections) {
    if (!client.get_if_exists(qdrant::collection_path(collection.name)))
      missing.push_back(collection.name);
  }
  return missing;
}

CheckResult redis_memory(const SelectedCheck& check, const RedisStats& stats) {
  const auto used = static_cast<double>(stats.used_memory);
  if (stats.maxmemory <= 0) {
    auto result = result_of(check, Status::ok,
                            format_value(used, Unit::bytes) + " used, no maxmemory limit set");
    result.detail = {{"used_memory", stats.used_memory}, {"maxmemory", 0}};
    result.perfdata.push_back(
        Perfdata{"redis_used_memory", used, "B", {}, Direction::higher_is_worse, 0, std::nullopt});
    return result;
  }
  const double percent = 100.0 * used / static_cast<double>(stats.maxmemory);
  auto result =
      result_of(check, judge(percent, check.thresholds, check.spec->direction),
                format_value(used, Unit::bytes) + " of " +
                    format_value(static_cast<double>(stats.maxmemory), Unit::bytes) + " maxmemory");
  result.value = percent;
  result.detail = {{"used_memory", stats.used_memory}, {"maxmemory", stats.maxmemory}};
  result.perfdata.push_back(Perfdata{"redis_memory_pct", percent, "%", check.thresholds,
                                     Direction::higher_is_worse, 0, 100});
  return result;
}

}  // namespace

CheckResult check_qdrant(const SelectedCheck& check,
                         const std::optional<QdrantCheckSettings>& settings,
                         std::chrono::milliseconds timeout) {
  if (!settings)
    return result_of(check, Status::skipped, "not configured (set QDRANT_URL)");
  if (settings->collections_error)
    return result_of(check, Status::unknown, *settings->collections_error);
  auto client_settings = settings->client;
  client_settings.timeout = timeout;
  client_settings.attempts = 1;
  const auto& url = client_settings.url;
  try {
    qdrant::Client client(client_settings);
    const auto started = Clock::now();
    const auto [status, body] = client.get_text("/readyz");
    const double ms = milliseconds_since(started);
    auto result =
        result_of(check, judge(ms, check.thresholds, check.spec->direction), "ready at " + url);
    result.value = ms;
    result.perfdata.push_back(Perfdata{"qdrant_ready_time", ms, "ms", check.thresholds,
                                       Direction::higher_is_worse, 0, std::nullopt});
    if (status != 200) {
      result.status = Status::critical;
      result.summary =
          "not ready (HTTP " + std::to_string(status) + "): " + util::one_line(body.substr(0, 120));
      return result;
    }
    if (!settings->collections)
      return result;
    const auto& collections = settings->collections->collections;
    const auto missing = missing_collections(client, *settings->collections);
    result.detail = {{"collections", collections.size()}, {"missing", missing}};
    if (!missing.empty()) {
      result.status = Status::critical;
      result.summary =
          "missing collection(s): " + util::join(missing, ", ") + " (run 'agentdb qdrant apply')";
    } else {
      result.summary +=
          ", all " + std::to_string(collections.size()) + " configured collections exist";
    }
    return result;
  } catch (const Error& e) {
    return result_of(check, Status::critical, e.what());
  }
}

CheckResult check_redis(const SelectedCheck& check, const std::optional<std::string>& url,
                        std::chrono::milliseconds timeout) {
  if (!url)
    return result_of(check, Status::skipped, "not configured (set REDIS_URL)");
  RedisStats stats;
  try {
    stats = probe_redis(db::parse_redis_url(*url), timeout);
  } catch (const Error& e) {
    if (e.code() == ExitCode::usage)
      throw;
    return result_of(check, Status::critical, e.what());
  }
  if (check.spec->name != "redis")
    return redis_memory(check, stats);
  auto result = result_of(check, judge(stats.ping_ms, check.thresholds, check.spec->direction),
                          "PING answered (Redis " + stats.version + ")");
  result.value = stats.ping_ms;
  result.perfdata.push_back(Perfdata{"redis_ping", stats.ping_ms, "ms", check.thresholds,
                                     Direction::higher_is_worse, 0, std::nullopt});
  return result;
}

}  // namespace agentdb::health
