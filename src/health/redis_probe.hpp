// A Redis PING and INFO memory over hiredis, for the health checks. REDIS_URL is
// redis://[[user]:password@]host[:port][/db] or unix:///path/to/socket.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace agentdb::health {

struct RedisEndpoint {
  std::string host;  // empty for a Unix socket
  int port = 6379;
  std::string socket_path;
  std::string user;
  std::string password;  // sent with AUTH; never printed
  int database = 0;
  std::string display;  // redis://host:port/db, without the password
};

// Throws Error(usage) for a URL that is not redis:// or unix://.
[[nodiscard]] RedisEndpoint parse_redis_url(std::string_view url);

struct RedisStats {
  double ping_ms = 0;
  long long used_memory = 0;
  long long maxmemory = 0;  // 0: no limit set
  std::string version;
};

// Connects, authenticates, PINGs and reads INFO; every step bounded by `timeout`.
// Throws Error(cannot_connect) naming the reason (refused, timed out, auth failed).
[[nodiscard]] RedisStats probe_redis(const RedisEndpoint& endpoint,
                                     std::chrono::milliseconds timeout);

}  // namespace agentdb::health
