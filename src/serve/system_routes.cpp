// Liveness, readiness, the detailed view for admins, and the metrics: what a load balancer, an
// orchestrator and Prometheus ask.
#include <nlohmann/json.hpp>

#include "db/session.hpp"
#include "migrate/migrate.hpp"
#include "serve/api_error.hpp"
#include "serve/openapi.hpp"
#include "serve/router.hpp"
#include "serve/service.hpp"

namespace agentdb::serve {

namespace {

using nlohmann::json;

HttpResponse live(RequestContext&, Service&) {
  return json_response(200, R"({"status":"ok"})");
}

json migration_state(db::Session& session, const std::filesystem::path& dir) {
  const auto summary = migrate::summarize(session, dir);
  json state = {{"version", summary.current ? json(*summary.current) : json(nullptr)},
                {"pending", summary.count("pending")},
                {"drift", summary.drift()}};
  return state;
}

// Ready when the database answers and every revision is applied, none drifted.
HttpResponse ready(RequestContext&, Service& service) {
  json state;
  try {
    auto lease = service.pool().acquire();
    state = migration_state(*lease, service.settings().migrations_dir);
  } catch (const Error&) {
    throw ApiError(503, "database_unavailable", "the database is unavailable");
  }
  const bool current = state["pending"] == 0 && state["drift"] == 0;
  json body = {{"status", current ? "ready" : "not_ready"}, {"migrations", state}};
  if (!current)
    body["reason"] = "migrations are not current: run agentdb migrate up";
  return json_response(current ? 200 : 503, json_text(body));
}

HttpResponse detailed(RequestContext& ctx, Service& service) {
  // The migration history is agentdb's own table, not user data: read it as the login itself.
  (void)ctx.db().exec("RESET ROLE");
  const auto counters = service.pool().counters();
  json body = {
      {"status", "ok"},
      {"pool",
       {{"size", counters.size},
        {"idle", counters.idle},
        {"in_use", counters.in_use},
        {"waiting", counters.waiting},
        {"max_size", service.pool().settings().max_size},
        {"timeouts", counters.timeouts}}},
      {"server_version", ctx.db().server_version()},
      {"migrations", migration_state(ctx.db(), service.settings().migrations_dir)},
  };
  if (auto* replica = service.read_pool()) {
    const auto read = replica->counters();
    body["replica"] = {{"available", service.replica_available()},
                       {"size", read.size},
                       {"idle", read.idle},
                       {"in_use", read.in_use},
                       {"connect_failures", read.connect_failures}};
  }
  const auto limits = service.rate_limits();
  body["rate_limits"] = {{"buckets", limits.where},
                         {"available", limits.available},
                         {"redis_errors", limits.redis_errors}};
  return json_response(200, json_text(body));
}

HttpResponse metrics(RequestContext&, Service& service) {
  HttpResponse response;
  response.body =
      service.metrics().render(service.pool().counters(), service.rate_limits().redis_errors);
  response.content_type = "text/plain; version=0.0.4";
  return response;
}

// The route table never changes while serving: the document is made once, on first request.
HttpResponse api_document(RequestContext&, Service& service) {
  static const std::string text = json_text(openapi_document(service.router().routes()));
  return json_response(200, text);
}

constexpr Route kRoutes[] = {
    {"GET", "/health", Scope::none, Access::read_only, live, Auth::none,
     "Liveness: the process answers (no database)", "200 400", ""},
    {"GET", "/health/ready", Scope::none, Access::read_only, ready, Auth::none,
     "Readiness: the database answers and migrations are current", "200 400 503", ""},
    {"GET", "/health/detailed", Scope::admin, Access::read_only, detailed, Auth::key,
     "Pool, server and migration state (admin)", "200 400", ""},
    {"GET", "/metrics", Scope::none, Access::read_only, metrics, Auth::none, "Prometheus metrics",
     "200 400", ""},
    {"GET", "/openapi.json", Scope::none, Access::read_only, api_document, Auth::none,
     "This document: every route of the service (OpenAPI 3.1)", "200 400", ""},
};

}  // namespace

std::span<const Route> system_routes() {
  return kRoutes;
}

}  // namespace agentdb::serve
