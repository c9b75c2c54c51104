// Redis over hiredis: the URL, one connection with bounded waits, and commands as argument
// vectors. Used by the health checks (PING, INFO) and by serve's shared rate limits. REDIS_URL is
// redis://[[user]:password@]host[:port][/db] or unix:///path/to/socket.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

struct redisContext;

namespace agentdb::db {

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

struct RedisReply {
  enum class Type { text, integer, nil, array };
  Type type = Type::nil;
  std::string text;  // a bulk or status string
  long long integer = 0;
  std::vector<RedisReply> elements;
};

// Redis answered a command with an error ("NOSCRIPT ...", "NOAUTH ...", "WRONGPASS ...").
class RedisErrorReply : public Error {
 public:
  RedisErrorReply(const std::string& message, std::string reply)
      : Error(ExitCode::cannot_connect, message,
              "check the password in REDIS_URL (it is not printed)"),
        reply_(std::move(reply)) {}
  [[nodiscard]] const std::string& reply() const { return reply_; }

 private:
  std::string reply_;
};

// One connection, used by one thread at a time.
class RedisConnection {
 public:
  // Connects, authenticates and selects the database, every step bounded by `timeout` (as is
  // every command after). Throws Error(cannot_connect) naming the reason.
  static std::unique_ptr<RedisConnection> open(const RedisEndpoint& endpoint,
                                               std::chrono::milliseconds timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Throws Error(cannot_connect) when no answer came (the connection is then broken()), and
  // RedisErrorReply when Redis answered with an error.
  RedisReply command(const std::vector<std::string>& words);
  // An I/O error happened: the connection cannot be used again.
  [[nodiscard]] bool broken() const;
  [[nodiscard]] const RedisEndpoint& endpoint() const { return endpoint_; }

 private:
  RedisConnection(RedisEndpoint endpoint, redisContext* context)
      : endpoint_(std::move(endpoint)), context_(context) {}
  RedisEndpoint endpoint_;
  redisContext* context_;
};

}  // namespace agentdb::db
