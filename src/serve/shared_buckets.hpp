// Token buckets kept in Redis, so that every serve process on the same Redis counts one key's
// requests together. One Lua script per request takes a token atomically on Redis's own clock (no
// clock of a serve host matters). When Redis does not answer, take() says so and the caller uses
// its own buckets; Redis is tried again after a second.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "db/redis.hpp"

namespace agentdb::serve {

class SharedBuckets {
 public:
  explicit SharedBuckets(db::RedisEndpoint endpoint,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(250));
  ~SharedBuckets();
  SharedBuckets(const SharedBuckets&) = delete;
  SharedBuckets& operator=(const SharedBuckets&) = delete;

  // Takes a token of `key`'s bucket (refilled at `per_second`, holding at most `burst`): 0 when
  // the request may go, else the seconds until a token is back; nullopt when Redis is unreachable.
  [[nodiscard]] std::optional<int> take(const std::string& key, double per_second, double burst);

  [[nodiscard]] const std::string& display() const { return endpoint_.display; }
  [[nodiscard]] bool available() const { return !down_.load(); }
  [[nodiscard]] std::uint64_t errors() const { return errors_.load(); }

 private:
  struct Link {
    std::unique_ptr<db::RedisConnection> connection;
    std::string script_sha;
  };
  [[nodiscard]] std::unique_ptr<Link> borrow();
  void give_back(std::unique_ptr<Link> link);
  [[nodiscard]] static long long run(Link& link, const std::string& key, double per_second,
                                     double burst);

  const db::RedisEndpoint endpoint_;
  const std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Link>> idle_;
  std::atomic<bool> down_{false};
  std::atomic<std::chrono::steady_clock::time_point> retry_at_{};
  std::atomic<std::uint64_t> errors_{0};
};

}  // namespace agentdb::serve
