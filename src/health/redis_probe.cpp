#include "health/redis_probe.hpp"

#include "util/strings.hpp"

namespace agentdb::health {

namespace {

std::string info_text(const std::string& info, std::string_view key) {
  for (const auto& line : util::split_lines(info)) {
    if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ':')
      return std::string(util::trim(line.substr(key.size() + 1)));
  }
  return {};
}

long long info_field(const std::string& info, std::string_view key) {
  return util::parse_int64(info_text(info, key)).value_or(0);
}

}  // namespace

RedisStats probe_redis(const db::RedisEndpoint& endpoint, std::chrono::milliseconds timeout) {
  auto connection = db::RedisConnection::open(endpoint, timeout);
  RedisStats stats;
  const auto started = std::chrono::steady_clock::now();
  (void)connection->command({"PING"});
  stats.ping_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  const auto info = connection->command({"INFO"}).text;
  stats.used_memory = info_field(info, "used_memory");
  stats.maxmemory = info_field(info, "maxmemory");
  stats.version = info_text(info, "redis_version");
  return stats;
}

}  // namespace agentdb::health
