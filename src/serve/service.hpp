// The data service behind `agentdb serve`: one request in, one response out. It routes, checks the
// key (by hash, in the database), its scope and its rate, runs the handler in one transaction that
// acts as agentdb_service for the key's user (row-level security is the last line of defence),
// maps every failure to an API error, counts and logs. Thread-safe: the server's workers call
// handle() at once.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "db/connection_target.hpp"
#include "db/pool.hpp"
#include "serve/http.hpp"
#include "serve/key_usage.hpp"
#include "serve/metrics.hpp"
#include "serve/rate_limit.hpp"
#include "serve/router.hpp"

namespace agentdb::serve {

// Which requests the access log shows.
enum class LogLevel { info, warn, error, off };
// "info", "warn", "error", "off"; throws Error(usage) otherwise.
[[nodiscard]] LogLevel parse_log_level(std::string_view text);

struct ServiceSettings {
  db::ConnectionTarget database;
  db::PoolSettings pool;
  std::chrono::milliseconds statement_timeout{5'000};
  std::filesystem::path migrations_dir = "migrations";
  TierLimits rate_limits;
  LogLevel log_level = LogLevel::info;
  // --read-url: a replica that answers the read-only routes (the primary when it cannot).
  std::optional<db::ConnectionTarget> read_database;
  // --redis-url: rate limit buckets shared with every serve on that Redis.
  std::optional<db::RedisEndpoint> redis;
  // How often api_keys.last_used_at is written (and once more when the service stops).
  std::chrono::milliseconds key_usage_interval{10'000};
};

// One JSON line per request: time, request id, method, route, status, duration, key prefix.
using AccessLog = std::function<void(const std::string& line)>;

class Service {
 public:
  explicit Service(ServiceSettings settings, AccessLog access_log = {});

  [[nodiscard]] HttpResponse handle(const HttpRequest& request) noexcept;
  // For answers the server gives itself (400 malformed, 413, 431): counted like the rest.
  void record_rejection(int status);
  // What SIGHUP changes while requests run: the tiers' limits (buckets kept) and the log level.
  void reconfigure(TierLimits rate_limits, LogLevel log_level);

  [[nodiscard]] db::ConnectionPool& pool() { return pool_; }
  // The replica's pool; nullptr without --read-url.
  [[nodiscard]] db::ConnectionPool* read_pool() { return read_pool_.get(); }
  // False for a while after the replica failed a request (the primary answers meanwhile).
  [[nodiscard]] bool replica_available() const;
  [[nodiscard]] RateLimitStore rate_limits() const { return rate_limiter_.store(); }
  [[nodiscard]] const Metrics& metrics() const { return metrics_; }
  [[nodiscard]] const ServiceSettings& settings() const { return settings_; }
  [[nodiscard]] const Router& router() const { return router_; }

 private:
  HttpResponse dispatch(const HttpRequest& request, RequestContext& ctx, std::string& route_name);
  HttpResponse run_with_key(const Route& route, RequestContext& ctx);
  HttpResponse run_in_transaction(db::ConnectionPool& pool, const Route& route, RequestContext& ctx,
                                  bool take_token);
  void authenticate(const Route& route, RequestContext& ctx, bool take_token);
  [[nodiscard]] bool logs(int status) const;

  ServiceSettings settings_;
  AccessLog access_log_;
  db::ConnectionPool pool_;
  std::unique_ptr<db::ConnectionPool> read_pool_;
  std::atomic<std::chrono::steady_clock::time_point> replica_retry_at_{};
  Router router_;
  Metrics metrics_;
  RateLimiter rate_limiter_;
  std::atomic<LogLevel> log_level_;
  KeyUsage key_usage_;  // after pool_: writes its last uses through it when the service stops
};

}  // namespace agentdb::serve
