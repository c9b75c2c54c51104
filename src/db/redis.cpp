#include "db/redis.hpp"

#include <hiredis/hiredis.h>

#include <cctype>
#include <cerrno>

#include "util/strings.hpp"

namespace agentdb::db {

namespace {

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

RedisReply to_reply(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::text;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      for (std::size_t i = 0; i < reply.elements; ++i)
        out.elements.push_back(to_reply(*reply.element[i]));
      break;
    default:
      break;
  }
  return out;
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

std::unique_ptr<RedisConnection> RedisConnection::open(const RedisEndpoint& endpoint,
                                                       std::chrono::milliseconds timeout) {
  const auto tv = to_timeval(timeout);
  auto* context = endpoint.socket_path.empty()
                      ? redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv)
                      : redisConnectUnixWithTimeout(endpoint.socket_path.c_str(), tv);
  if (context == nullptr)
    throw Error(ExitCode::failure, "out of memory connecting to Redis");
  std::unique_ptr<RedisConnection> connection(new RedisConnection(endpoint, context));
  if (context->err) {
    std::string reason = context->errstr;
    if (reason.find("refused") != std::string::npos)
      reason = "connection refused";
    else if (reason.find("timed out") != std::string::npos)
      reason = "timed out";
    throw Error(ExitCode::cannot_connect,
                "cannot connect to Redis at " + endpoint.display + ": " + reason,
                "check REDIS_URL and that redis-server is running");
  }
  redisSetTimeout(context, tv);
  if (!endpoint.password.empty()) {
    if (endpoint.user.empty())
      (void)connection->command({"AUTH", endpoint.password});
    else
      (void)connection->command({"AUTH", endpoint.user, endpoint.password});
  }
  if (endpoint.database != 0)
    (void)connection->command({"SELECT", std::to_string(endpoint.database)});
  return connection;
}

RedisConnection::~RedisConnection() {
  redisFree(context_);
}

bool RedisConnection::broken() const {
  return context_->err != 0;
}

RedisReply RedisConnection::command(const std::vector<std::string>& words) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& word : words) {
    argv.push_back(word.c_str());
    lengths.push_back(word.size());
  }
  // The first word names the command in messages; AUTH's arguments are never shown.
  const std::string what = words.empty() ? "a command" : words.front();
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (raw == nullptr) {
    const std::string reason = context_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == 0)
                                   ? "no answer in time"
                                   : std::string(context_->errstr);
    throw Error(ExitCode::cannot_connect,
                "Redis at " + endpoint_.display + " failed " + what + ": " + reason,
                "check REDIS_URL and that redis-server is running");
  }
  const std::unique_ptr<redisReply, void (*)(void*)> reply(raw, freeReplyObject);
  if (reply->type == REDIS_REPLY_ERROR) {
    const std::string text(reply->str, reply->len);
    throw RedisErrorReply(
        "Redis at " + endpoint_.display + " refused " + what + ": " + util::one_line(text), text);
  }
  return to_reply(*reply);
}

}  // namespace agentdb::db
