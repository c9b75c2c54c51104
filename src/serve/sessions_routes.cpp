// /api/v1/sessions: a user's runtime sessions with an agent. The context is the agent runtime's
// state; an update merges into it (top-level keys), so two writers of different keys keep both.
// A session that completed or failed is final: changing it again is a 409.
#include <nlohmann/json.hpp>

#include "db/session.hpp"
#include "serve/api_error.hpp"
#include "serve/router.hpp"

namespace agentdb::serve {

namespace {

ApiError no_session() {
  return {404, "not_found", "no session of yours has this id"};
}

HttpResponse create_session(RequestContext& ctx, Service&) {
  const auto& body = ctx.body();
  static constexpr std::string_view kFields[] = {"agent_id", "title", "context"};
  only_fields(body, kFields);
  const auto agent = uuid_field(body, "agent_id");
  const auto rows = ctx.db().exec_params(
      "INSERT INTO sessions AS s (user_id, agent_id, title, context)"
      " VALUES (app_current_user_id(), nullif($1, '')::uuid, $2, coalesce(nullif($3, '')::jsonb,"
      " '{}')) RETURNING s.id, to_jsonb(s)",
      agent.value_or(""), string_field(body, "title"),
      json_field(body, "context", "object").value_or(""));
  ctx.audit("create", "sessions", rows.front()[0].view());
  return json_response(201, rows.front()[1].c_str());
}

HttpResponse get_session(RequestContext& ctx, Service&) {
  const auto rows = ctx.db().exec_params("SELECT to_jsonb(s) FROM sessions s WHERE s.id = $1",
                                         ctx.uuid_param("id"));
  if (rows.empty())
    throw no_session();
  return json_response(200, rows.front()[0].c_str());
}

// ?status=&after=&limit=, in id order.
HttpResponse list_sessions(RequestContext& ctx, Service&) {
  const auto after = ctx.uuid_query("after");
  const auto rows = ctx.db().exec_params(
      "WITH page AS (SELECT s.* FROM sessions s WHERE ($1 = '' OR s.status = $1)"
      " AND ($2 = '' OR s.id > nullif($2, '')::uuid) ORDER BY s.id LIMIT $3)"
      " SELECT json_build_object('items', coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.id), '[]'),"
      " 'next', CASE WHEN count(*) = $3 THEN max(p.id::text) END) FROM page p",
      ctx.query("status").value_or(""), after, ctx.limit(20, 100));
  return json_response(200, rows.front()[0].c_str());
}

// Changes a session that is not finished; `set` is a SET list over the session s and the JSON
// fields f.
HttpResponse change_session(RequestContext& ctx, std::string_view set, const nlohmann::json& fields,
                            const nlohmann::json& details) {
  const auto id = ctx.uuid_param("id");
  const auto rows = ctx.db().exec_params(
      "WITH target AS (SELECT id, status FROM sessions WHERE id = $1 FOR UPDATE),"
      " changed AS (UPDATE sessions s SET " +
          std::string(set) +
          ", last_activity_at = now() FROM target t, (SELECT $2::jsonb AS f) AS input"
          " WHERE s.id = t.id"
          " AND t.status NOT IN ('completed', 'failed', 'cancelled', 'expired') RETURNING s.*)"
          " SELECT (SELECT status FROM target), (SELECT to_jsonb(c) FROM changed c)",
      id, json_text(fields));
  if (rows.front()[0].is_null())
    throw no_session();
  if (rows.front()[1].is_null())
    throw ApiError(409, "conflict",
                   "the session is " + std::string(rows.front()[0].c_str()) + "; it cannot change",
                   {{"status", rows.front()[0].c_str()}});
  ctx.audit("update", "sessions", id, details);
  return json_response(200, rows.front()[1].c_str());
}

// {"context": {...}} merged into the context; "title" and "status" (active/idle) may change too.
HttpResponse update_session(RequestContext& ctx, Service&) {
  const auto& body = ctx.body();
  static constexpr std::string_view kFields[] = {"context", "title", "status"};
  only_fields(body, kFields);
  (void)json_field(body, "context", "object");
  (void)string_field(body, "title");
  if (const auto status = string_field(body, "status");
      status && *status != "active" && *status != "idle")
    throw ApiError(400, "invalid_field",
                   "field 'status' may be active or idle here; use /complete or /fail to end it",
                   {{"field", "status"}});
  return change_session(
      ctx,
      "context = CASE WHEN f ? 'context' THEN s.context || (f->'context') ELSE s.context END,"
      " title = CASE WHEN f ? 'title' THEN f->>'title' ELSE s.title END,"
      " status = coalesce(f->>'status', s.status)",
      body, {{"fields", body.size()}});
}

HttpResponse complete_session(RequestContext& ctx, Service&) {
  return change_session(ctx, "status = 'completed', error = NULL", nlohmann::json::object(),
                        {{"status", "completed"}});
}

// {"reason": "..."}: the session fails with that reason.
HttpResponse fail_session(RequestContext& ctx, Service&) {
  const auto& body = ctx.body();
  static constexpr std::string_view kFields[] = {"reason"};
  only_fields(body, kFields);
  const auto reason = required_string(body, "reason");
  if (reason.empty() || reason.size() > 2000)
    throw ApiError(400, "invalid_field", "field 'reason' must hold 1 to 2000 characters",
                   {{"field", "reason"}});
  return change_session(ctx, "status = 'failed', error = f->>'reason'", body,
                        {{"status", "failed"}});
}

constexpr Route kRoutes[] = {
    {"POST", "/api/v1/sessions", Scope::write, Access::read_write, create_session, Auth::key,
     "Create a session", "201 400 413 415", ""},
    {"GET", "/api/v1/sessions", Scope::read, Access::read_only, list_sessions, Auth::key,
     "List your sessions (by status; keyset pagination)", "200 400", "status after limit"},
    {"GET", "/api/v1/sessions/{id}", Scope::read, Access::read_only, get_session, Auth::key,
     "Get a session", "200 400 404", ""},
    {"PATCH", "/api/v1/sessions/{id}", Scope::write, Access::read_write, update_session, Auth::key,
     "Merge into a session's context; change its title or active/idle status",
     "200 400 404 409 413 415", ""},
    {"POST", "/api/v1/sessions/{id}/complete", Scope::write, Access::read_write, complete_session,
     Auth::key, "Complete a session", "200 400 404 409", ""},
    {"POST", "/api/v1/sessions/{id}/fail", Scope::write, Access::read_write, fail_session,
     Auth::key, "Fail a session with a reason", "200 400 404 409 413 415", ""},
};

}  // namespace

std::span<const Route> session_routes() {
  return kRoutes;
}

}  // namespace agentdb::serve
