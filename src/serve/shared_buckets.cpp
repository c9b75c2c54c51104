#include "serve/shared_buckets.hpp"

#include <cstdio>

namespace agentdb::serve {

namespace {

// KEYS[1] the bucket; ARGV rate per second, burst. Returns 0 (go) or the seconds to wait. The
// bucket expires once it would be full again, so idle keys leave nothing behind.
constexpr const char* kTakeScript = R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait
)lua";

std::string number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6f", value);
  return text;
}

}  // namespace

SharedBuckets::SharedBuckets(db::RedisEndpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

SharedBuckets::~SharedBuckets() = default;

std::unique_ptr<SharedBuckets::Link> SharedBuckets::borrow() {
  {
    const std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto link = std::move(idle_.back());
      idle_.pop_back();
      return link;
    }
  }
  auto link = std::make_unique<Link>();
  link->connection = db::RedisConnection::open(endpoint_, timeout_);
  link->script_sha = link->connection->command({"SCRIPT", "LOAD", kTakeScript}).text;
  return link;
}

void SharedBuckets::give_back(std::unique_ptr<Link> link) {
  const std::lock_guard lock(mutex_);
  idle_.push_back(std::move(link));
}

long long SharedBuckets::run(Link& link, const std::string& key, double per_second, double burst) {
  const std::vector<std::string> call{
      "EVALSHA", link.script_sha, "1", "agentdb:rate:" + key, number(per_second), number(burst)};
  try {
    return link.connection->command(call).integer;
  } catch (const db::RedisErrorReply& error) {
    if (!error.reply().starts_with("NOSCRIPT"))
      throw;
    // Redis restarted or its scripts were flushed: load the script again, once.
    link.script_sha = link.connection->command({"SCRIPT", "LOAD", kTakeScript}).text;
    auto again = call;
    again[1] = link.script_sha;
    return link.connection->command(again).integer;
  }
}

std::optional<int> SharedBuckets::take(const std::string& key, double per_second, double burst) {
  if (down_ && std::chrono::steady_clock::now() < retry_at_.load())
    return std::nullopt;
  try {
    auto link = borrow();
    const auto wait = run(*link, key, per_second, burst);
    give_back(std::move(link));
    down_ = false;
    return static_cast<int>(wait);
  } catch (const Error&) {
    // Whatever broke one connection (Redis restarted, say) broke the idle ones too: all are
    // dropped, and new ones are opened once the second is over.
    {
      const std::lock_guard lock(mutex_);
      idle_.clear();
    }
    ++errors_;
    retry_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    down_ = true;
    return std::nullopt;
  }
}

}  // namespace agentdb::serve
