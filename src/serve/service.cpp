#include "serve/service.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "db/session.hpp"
#include "db/transaction.hpp"
#include "serve/api_error.hpp"
#include "serve/keys.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::serve {

namespace {

// The client's X-Request-Id when it is short and plain, else a new one.
std::string request_id_of(const HttpRequest& request) {
  const auto& given = request.header("x-request-id");
  const bool plain = !given.empty() && given.size() <= 64 &&
                     std::all_of(given.begin(), given.end(), [](unsigned char c) {
                       return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.';
                     });
  return plain ? given : util::random_hex(8);
}

// The raw key from "Authorization: Bearer KEY" or "X-API-Key: KEY"; "" when neither is there.
std::string presented_key(const HttpRequest& request) {
  const auto& authorization = request.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() &&
      util::to_lower(authorization.substr(0, kBearer.size())) == "bearer ")
    return std::string(util::trim(std::string_view(authorization).substr(kBearer.size())));
  return request.header("x-api-key");
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

constexpr auto kReplicaPause = std::chrono::seconds(2);

}  // namespace

LogLevel parse_log_level(std::string_view text) {
  if (text == "info")
    return LogLevel::info;
  if (text == "warn")
    return LogLevel::warn;
  if (text == "error")
    return LogLevel::error;
  if (text == "off")
    return LogLevel::off;
  throw Error(ExitCode::usage, "invalid log level '" + util::printable(excerpt(text)) + "'",
              "give info, warn, error or off");
}

Service::Service(ServiceSettings settings, AccessLog access_log)
    : settings_(std::move(settings)),
      access_log_(std::move(access_log)),
      pool_(settings_.database, settings_.pool),
      router_(all_routes()),
      rate_limiter_(settings_.rate_limits, settings_.redis),
      log_level_(settings_.log_level),
      key_usage_(pool_, settings_.key_usage_interval) {
  if (settings_.read_database) {
    auto replica = settings_.pool;
    replica.primary_only = false;
    replica.session.connect_timeout = std::chrono::seconds(2);  // libpq's least
    read_pool_ = std::make_unique<db::ConnectionPool>(*settings_.read_database, replica);
  }
}

bool Service::replica_available() const {
  return read_pool_ != nullptr && std::chrono::steady_clock::now() >= replica_retry_at_.load();
}

void Service::reconfigure(TierLimits rate_limits, LogLevel log_level) {
  rate_limiter_.set_limits(std::move(rate_limits));
  log_level_ = log_level;
}

bool Service::logs(int status) const {
  switch (log_level_.load()) {
    case LogLevel::info:
      return true;
    case LogLevel::warn:
      return status >= 400;
    case LogLevel::error:
      return status >= 500;
    case LogLevel::off:
      return false;
  }
  return true;
}

HttpResponse Service::handle(const HttpRequest& request) noexcept {
  const auto started = std::chrono::steady_clock::now();
  std::string route_name = "unmatched";
  std::string key_prefix;
  std::string request_id;
  HttpResponse response;
  try {
    request_id = request_id_of(request);
    RequestContext ctx(request, request_id);
    response = dispatch(request, ctx, route_name);
    key_prefix = ctx.principal_.key_prefix;
  } catch (const ApiError& error) {
    response = error_response(error);
  } catch (const std::exception&) {
    response = error_response(ApiError(500, "internal", "the request failed inside the service"));
  }
  response.headers.emplace_back("X-Request-Id", request_id);
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  metrics_.record(request.method, route_name, response.status, took);
  if (access_log_ && logs(response.status)) {
    try {
      access_log_(nlohmann::json{{"time", util::iso_utc(std::chrono::system_clock::now())},
                                 {"request_id", request_id},
                                 {"method", request.method},
                                 {"route", route_name},
                                 {"status", response.status},
                                 {"duration_ms", static_cast<double>(took.count()) / 1000.0},
                                 {"key_prefix", key_prefix},
                                 {"peer", request.peer}}
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } catch (const std::exception&) {
      // A log line that cannot be written must not turn an answered request into a failure.
    }
  }
  return response;
}

void Service::record_rejection(int status) {
  metrics_.record("-", "rejected", status, std::chrono::microseconds(0));
}

HttpResponse Service::dispatch(const HttpRequest& request, RequestContext& ctx,
                               std::string& route_name) {
  const auto match = router_.match(request.method, path_of(request.target), ctx);
  if (match.route == nullptr && match.path_known) {
    auto response = error_response(
        ApiError(405, "method_not_allowed",
                 "this path does not accept " + util::printable(excerpt(request.method, 20))));
    response.headers.emplace_back(
        "Allow",
        util::join(std::vector<std::string>(match.allowed.begin(), match.allowed.end()), ", "));
    return response;
  }
  if (match.route == nullptr)
    throw ApiError(404, "not_found", "no such route; see /openapi.json");
  route_name = std::string(match.route->pattern);
  if (match.route->auth == Auth::none)
    return match.route->handler(ctx, *this);
  return run_with_key(*match.route, ctx);
}

HttpResponse Service::run_with_key(const Route& route, RequestContext& ctx) {
  const auto raw = presented_key(ctx.http());
  if (raw.empty())
    throw ApiError(401, "unauthorized",
                   "no API key: send Authorization: Bearer <key> or X-API-Key: <key>");
  if (!looks_like_key(raw))
    throw ApiError(401, "unauthorized", "the API key is not valid");
  bool take_token = true;
  if (route.access == Access::read_only && replica_available()) {
    // Read-only, so asking again changes nothing; the key pays its token once. A second try on
    // the replicas first: a lost connection may only mean that replica went (or was promoted and
    // then failed), and a new one reaches another; the primary comes after.
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        return run_in_transaction(*read_pool_, route, ctx, ctx.principal_.key_id.empty());
      } catch (const db::QueryError& error) {
        if (!database_unavailable(error))
          throw;
      } catch (const db::PoolTimeout&) {
        break;  // replicas too busy to hand out a connection: the primary may not be
      } catch (const Error& error) {
        if (error.code() != ExitCode::cannot_connect)
          throw;
      }
    }
    replica_retry_at_ = std::chrono::steady_clock::now() + kReplicaPause;
    metrics_.record_replica_fallback();
    take_token = ctx.principal_.key_id.empty();
  }
  try {
    return run_in_transaction(pool_, route, ctx, take_token);
  } catch (const db::QueryError& error) {
    metrics_.record_database_error();
    throw from_query_error(error);
  } catch (const Error& error) {
    if (error.code() == ExitCode::cannot_connect)
      metrics_.record_database_error();
    throw from_error(error);
  }
}

HttpResponse Service::run_in_transaction(db::ConnectionPool& pool, const Route& route,
                                         RequestContext& ctx, bool take_token) {
  auto lease = pool.acquire();
  try {
    // BEGIN, the role and the timeout in one round trip: a request is a few round trips in all.
    db::Transaction tx(
        *lease, db::Isolation::read_committed,
        route.access == Access::read_only ? db::Access::read_only : db::Access::read_write,
        "SET LOCAL ROLE agentdb_service; SET LOCAL statement_timeout = " +
            std::to_string(settings_.statement_timeout.count()));
    ctx.session = &*lease;
    ctx.principal_ = {};
    authenticate(route, ctx, take_token);
    auto response = route.handler(ctx, *this);
    tx.commit();
    return response;
  } catch (const db::QueryError& error) {
    // Read-only where a write was asked: this connection reaches a standby now (a switchover;
    // behind PgBouncer it outlives the server's role). The next one finds the primary.
    if (error.sqlstate() == "25006")
      lease.discard();
    throw;
  }
}

void Service::authenticate(const Route& route, RequestContext& ctx, bool take_token) {
  const auto rows = ctx.db().exec_params(
      "SELECT key_id, user_id, key_prefix, array_to_string(scopes, ',') AS scopes,"
      " rate_limit_tier, usable FROM app_authenticate($1)",
      key_hash(presented_key(ctx.http())));
  if (rows.empty())
    throw ApiError(401, "unauthorized", "the API key is not valid");
  const auto row = rows.front();
  if (row["usable"].view() != "t")
    throw ApiError(401, "unauthorized",
                   "the API key was revoked or has expired, or its user is inactive");
  auto& caller = ctx.principal_;
  caller.key_id = row["key_id"].c_str();
  caller.user_id = row["user_id"].c_str();
  caller.key_prefix = row["key_prefix"].c_str();
  caller.tier = row["rate_limit_tier"].c_str();
  key_usage_.note(caller.key_id, caller.user_id);
  for (const auto& scope : util::split(row["scopes"].view(), ',')) {
    caller.read = caller.read || scope == "read";
    caller.write = caller.write || scope == "write";
    caller.admin = caller.admin || scope == "admin";
  }
  if (!caller.allows(route.scope))
    throw ApiError(403, "forbidden", "the API key lacks the scope this route needs",
                   {{"needs", route.scope == Scope::admin   ? "admin"
                              : route.scope == Scope::write ? "write"
                                                            : "read"}});
  if (const auto wait = take_token ? rate_limiter_.take(caller.key_id, caller.tier) : std::nullopt)
    throw ApiError(429, "rate_limited", "too many requests for this key's tier; slow down",
                   {{"retry_after", std::to_string(*wait)}, {"tier", caller.tier}});
  // Admin routes act for the platform, not for one user: agentdb_admin's policies see every row.
  if (route.scope == Scope::admin)
    (void)ctx.db().exec("SET LOCAL ROLE agentdb_admin");
}

}  // namespace agentdb::serve
