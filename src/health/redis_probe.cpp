#include "health/redis_probe.hpp"

#include <hiredis/hiredis.h>

#include <cctype>
#include <cerrno>
#include <memory>
#include <vector>

#include "core/error.hpp"
#include "util/strings.hpp"

namespace agentdb::health {

namespace {

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

timeval to_timeval(std::chrono::milliseconds timeout) {
  return timeval{static_cast<time_t>(timeout.count() / 1000),
                 static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

[[noreturn]] void bad_url(std::string_view why) {
  throw Error(ExitCode::usage, "invalid REDIS_URL: " + std::string(why),
              "use redis://[:password@]host[:port][/db] or unix:///path/to/redis.sock");
}

ReplyPtr command(redisContext* context, const RedisEndpoint& endpoint, const char* what,
                 const std::vector<std::string>& words) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& word : words) {
    argv.push_back(word.c_str());
    lengths.push_back(word.size());
  }
  ReplyPtr reply(static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (!reply) {
    const std::string reason = context->err == REDIS_ERR_IO && (errno == EAGAIN || errno == 0)
                                   ? "no answer in time"
                                   : std::string(context->errstr);
    throw Error(ExitCode::cannot_connect,
                "Redis at " + endpoint.display + " failed " + what + ": " + reason,
                "check REDIS_URL and that redis-server is running");
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    throw Error(ExitCode::cannot_connect,
                "Redis at " + endpoint.display + " refused " + what + ": " +
                    util::one_line(std::string(reply->str, reply->len)),
                "check the password in REDIS_URL (it is not printed)");
  }
  return reply;
}

long long info_field(const std::string& info, std::string_view key) {
  for (const auto& line : util::split_lines(info)) {
    if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ':') {
      if (const auto value = util::parse_int64(util::trim(line.substr(key.size() + 1))))
        return *value;
    }
  }
  return 0;
}

std::string info_text(const std::string& info, std::string_view key) {
  for (const auto& line : util::split_lines(info)) {
    if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ':')
      return std::string(util::trim(line.substr(key.size() + 1)));
  }
  return {};
}

}  // namespace

RedisEndpoint parse_redis_url(std::string_view url) {
  RedisEndpoint endpoint;
  if (url.starts_with("unix://")) {
    endpoint.socket_path = std::string(url.substr(7));
    if (endpoint.socket_path.empty())
      bad_url("no socket path");
    endpoint.display = "unix://" + endpoint.socket_path;
    return endpoint;
  }
  if (url.starts_with("rediss://"))
    bad_url("TLS (rediss://) is not supported by Debian's hiredis 0.14");
  if (!url.starts_with("redis://"))
    bad_url("it must start with redis:// or unix://");
  auto rest = url.substr(8);
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const auto credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = credentials.find(':');
    if (colon == std::string_view::npos) {
      endpoint.password = percent_decode(credentials);
    } else {
      endpoint.user = percent_decode(credentials.substr(0, colon));
      endpoint.password = percent_decode(credentials.substr(colon + 1));
    }
  }
  std::string_view hostport = rest;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    const auto db_text = rest.substr(slash + 1);
    if (!db_text.empty()) {
      const auto db = util::parse_int64(db_text);
      if (!db || *db < 0 || *db > 1'000'000)
        bad_url("the database number must be a whole number");
      endpoint.database = static_cast<int>(*db);
    }
  }
  std::string_view port_text;
  if (hostport.starts_with('[')) {  // [IPv6]:port
    const auto close = hostport.find(']');
    if (close == std::string_view::npos)
      bad_url("unclosed [ in the host");
    const auto after = hostport.substr(close + 1);
    if (!after.empty() && !after.starts_with(':'))
      bad_url("expected :port after ]");
    port_text = after.empty() ? after : after.substr(1);
    hostport = hostport.substr(1, close - 1);
  } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    port_text = hostport.substr(colon + 1);
    hostport = hostport.substr(0, colon);
  }
  if (!port_text.empty()) {
    const auto port = util::parse_int64(port_text);
    if (!port || *port < 1 || *port > 65535)
      bad_url("the port must be a number from 1 to 65535");
    endpoint.port = static_cast<int>(*port);
  }
  endpoint.host = hostport.empty() ? "localhost" : std::string(hostport);
  endpoint.display = "redis://" + endpoint.host + ":" + std::to_string(endpoint.port) + "/" +
                     std::to_string(endpoint.database);
  return endpoint;
}

RedisStats probe_redis(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout) {
  const auto tv = to_timeval(timeout);
  ContextPtr context(endpoint.socket_path.empty()
                         ? redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv)
                         : redisConnectUnixWithTimeout(endpoint.socket_path.c_str(), tv));
  if (!context)
    throw Error(ExitCode::failure, "out of memory connecting to Redis");
  if (context->err) {
    std::string reason = context->errstr;
    if (reason.find("refused") != std::string::npos || reason.find("Connection refused") == 0)
      reason = "connection refused";
    else if (reason.find("timed out") != std::string::npos)
      reason = "timed out";
    throw Error(ExitCode::cannot_connect,
                "cannot connect to Redis at " + endpoint.display + ": " + reason,
                "check REDIS_URL and that redis-server is running");
  }
  redisSetTimeout(context.get(), tv);
  if (!endpoint.password.empty()) {
    if (endpoint.user.empty())
      (void)command(context.get(), endpoint, "AUTH", {"AUTH", endpoint.password});
    else
      (void)command(context.get(), endpoint, "AUTH", {"AUTH", endpoint.user, endpoint.password});
  }
  if (endpoint.database != 0)
    (void)command(context.get(), endpoint, "SELECT", {"SELECT", std::to_string(endpoint.database)});
  RedisStats stats;
  const auto started = std::chrono::steady_clock::now();
  (void)command(context.get(), endpoint, "PING", {"PING"});
  stats.ping_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  const auto info = command(context.get(), endpoint, "INFO", {"INFO"});
  const std::string text(info->str != nullptr ? info->str : "", info->len);
  stats.used_memory = info_field(text, "used_memory");
  stats.maxmemory = info_field(text, "maxmemory");
  stats.version = info_text(text, "redis_version");
  return stats;
}

}  // namespace agentdb::health
