// /api/v1/executions: agent runs. Finishing a run (complete or fail) records its tokens and, in
// the same statement, its cost_tracking row priced from model_prices at the time it finished, so
// the ledger never misses a billed run nor bills one twice (a finished run is final: 409). A model
// without a price is billed at 0 and shows as unpriced until `agentdb cost recompute` prices it.
#include <nlohmann/json.hpp>

#include "db/session.hpp"
#include "serve/api_error.hpp"
#include "serve/router.hpp"

namespace agentdb::serve {

namespace {

using nlohmann::json;

ApiError no_execution() {
  return {404, "not_found", "no execution of yours has this id"};
}

// {"agent_id" | "agent_type", "plan_id", "conversation_id", "model_provider", "model_name",
//  "task_data", "status": "pending" | "running"}; agent_type and version come from the agent.
HttpResponse start_execution(RequestContext& ctx, Service&) {
  const auto& body = ctx.body();
  static constexpr std::string_view kFields[] = {"agent_id",   "agent_type",      "agent_version",
                                                 "plan_id",    "conversation_id", "model_provider",
                                                 "model_name", "task_data",       "status"};
  only_fields(body, kFields);
  for (const auto* name : {"agent_id", "plan_id", "conversation_id"})
    (void)uuid_field(body, name);
  for (const auto* name : {"agent_type", "model_provider", "model_name", "status"})
    (void)string_field(body, name);
  (void)int_field(body, "agent_version");
  (void)json_field(body, "task_data", "object");
  if (!string_field(body, "agent_id") && !string_field(body, "agent_type"))
    throw ApiError(400, "missing_field", "give 'agent_id' or 'agent_type'",
                   {{"field", "agent_type"}});
  if (const auto status = string_field(body, "status");
      status && *status != "pending" && *status != "running")
    throw ApiError(400, "invalid_field", "field 'status' must be pending or running",
                   {{"field", "status"}});
  // The plan and the conversation must be the caller's (row-level security decides EXISTS): a
  // foreign key alone would accept another user's id.
  const auto rows = ctx.db().exec_params(
      "INSERT INTO agent_executions AS e (user_id, agent_id, agent_type, agent_version, plan_id,"
      " conversation_id, model_provider, model_name, task_data, status)"
      " SELECT app_current_user_id(), a.id, coalesce(f->>'agent_type', a.agent_type),"
      " coalesce((f->>'agent_version')::integer, a.version), (f->>'plan_id')::uuid,"
      " (f->>'conversation_id')::uuid, f->>'model_provider', f->>'model_name',"
      " coalesce(f->'task_data', '{}'), coalesce(f->>'status', 'running')"
      " FROM (SELECT $1::jsonb AS f) AS input LEFT JOIN agents a ON a.id = (f->>'agent_id')::uuid"
      " AND a.deleted_at IS NULL WHERE (f->>'agent_id' IS NULL OR a.id IS NOT NULL)"
      " AND (f->>'plan_id' IS NULL OR EXISTS (SELECT 1 FROM travel_plans p WHERE p.id ="
      " (f->>'plan_id')::uuid AND p.deleted_at IS NULL)) AND (f->>'conversation_id' IS NULL OR"
      " EXISTS (SELECT 1 FROM conversations c WHERE c.id = (f->>'conversation_id')::uuid AND"
      " c.status <> 'deleted')) RETURNING e.id, to_jsonb(e)",
      json_text(body));
  if (rows.empty())
    throw ApiError(422, "unknown_reference",
                   "agent_id, plan_id or conversation_id names nothing you can use");
  ctx.audit("create", "agent_executions", rows.front()[0].view());
  return json_response(201, rows.front()[1].c_str());
}

// Completes or fails a run that is pending or running, with its cost row when it used a model.
HttpResponse finish_execution(RequestContext& ctx, std::string_view status) {
  const auto id = ctx.uuid_param("id");
  const auto& body = ctx.body();
  static constexpr std::string_view kFields[] = {
      "prompt_tokens", "completion_tokens", "execution_time_ms", "result_data",
      "error",         "usage_category"};
  only_fields(body, kFields);
  for (const auto* name : {"prompt_tokens", "completion_tokens", "execution_time_ms"})
    (void)int_field(body, name);
  (void)string_field(body, "usage_category");
  if (status == "failed") {
    const auto error = required_string(body, "error");
    if (error.empty() || error.size() > 4000)
      throw ApiError(400, "invalid_field", "field 'error' must hold 1 to 4000 characters",
                     {{"field", "error"}});
  } else if (body.contains("error")) {
    throw ApiError(400, "unknown_field", "field 'error' belongs to /fail", {{"field", "error"}});
  }
  const auto rows = ctx.db().exec_params(
      "WITH input AS (SELECT $2::jsonb AS f), target AS (SELECT id, status FROM agent_executions"
      " WHERE id = $1 FOR UPDATE), done AS (UPDATE agent_executions e SET status = $3,"
      " result_data = f->'result_data', error = f->>'error',"
      " prompt_tokens = coalesce((f->>'prompt_tokens')::bigint, 0),"
      " completion_tokens = coalesce((f->>'completion_tokens')::bigint, 0),"
      " total_tokens = coalesce((f->>'prompt_tokens')::bigint, 0)"
      " + coalesce((f->>'completion_tokens')::bigint, 0),"
      " execution_time_ms = coalesce((f->>'execution_time_ms')::bigint,"
      " (extract(epoch FROM now() - e.created_at) * 1000)::bigint), completed_at = now()"
      " FROM target t, input WHERE e.id = t.id AND t.status IN ('pending', 'running')"
      " RETURNING e.*), priced AS (SELECT d.*, model_cost_usd(d.model_provider, d.model_name,"
      " d.prompt_tokens, d.completion_tokens, d.completed_at) AS price FROM done d"
      " WHERE d.model_provider IS NOT NULL AND d.model_name IS NOT NULL AND d.total_tokens > 0),"
      " billed AS (INSERT INTO cost_tracking (user_id, plan_id, agent_execution_id,"
      " model_provider, model_name, prompt_tokens, completion_tokens, total_tokens,"
      " total_cost_usd, usage_category, created_at) SELECT p.user_id, p.plan_id, p.id,"
      " p.model_provider, p.model_name, p.prompt_tokens, p.completion_tokens, p.total_tokens,"
      " coalesce(p.price, 0), coalesce(f->>'usage_category', 'agent_execution'), p.completed_at"
      " FROM priced p, input RETURNING total_cost_usd)"
      " SELECT (SELECT status FROM target), (SELECT to_jsonb(d) || jsonb_build_object('cost',"
      " (SELECT jsonb_build_object('total_cost_usd', b.total_cost_usd::text, 'priced',"
      " (SELECT p.price IS NOT NULL FROM priced p)) FROM billed b)) FROM done d)",
      id, json_text(body), std::string(status));
  if (rows.front()[0].is_null())
    throw no_execution();
  if (rows.front()[1].is_null())
    throw ApiError(409, "conflict",
                   "the execution is " + std::string(rows.front()[0].c_str()) +
                       "; a finished run does not change",
                   {{"status", rows.front()[0].c_str()}});
  ctx.audit("update", "agent_executions", id, {{"status", status}});
  return json_response(200, rows.front()[1].c_str());
}

HttpResponse complete_execution(RequestContext& ctx, Service&) {
  return finish_execution(ctx, "completed");
}

HttpResponse fail_execution(RequestContext& ctx, Service&) {
  return finish_execution(ctx, "failed");
}

HttpResponse get_execution(RequestContext& ctx, Service&) {
  const auto rows = ctx.db().exec_params(
      "SELECT to_jsonb(e) FROM agent_executions e WHERE e.id = $1", ctx.uuid_param("id"));
  if (rows.empty())
    throw no_execution();
  return json_response(200, rows.front()[0].c_str());
}

// ?status=&after=&limit=, newest first (ids are uuid_v7: time-ordered).
HttpResponse list_executions(RequestContext& ctx, Service&) {
  const auto after = ctx.uuid_query("after");
  const auto rows = ctx.db().exec_params(
      "WITH page AS (SELECT e.* FROM agent_executions e WHERE ($1 = '' OR e.status = $1)"
      " AND ($2 = '' OR e.id < nullif($2, '')::uuid) ORDER BY e.id DESC LIMIT $3)"
      " SELECT json_build_object('items', coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.id DESC),"
      " '[]'), 'next', CASE WHEN count(*) = $3 THEN min(p.id::text) END) FROM page p",
      ctx.query("status").value_or(""), after, ctx.limit(20, 100));
  return json_response(200, rows.front()[0].c_str());
}

constexpr Route kRoutes[] = {
    {"POST", "/api/v1/executions", Scope::write, Access::read_write, start_execution, Auth::key,
     "Start an agent execution", "201 400 413 415 422", ""},
    {"GET", "/api/v1/executions", Scope::read, Access::read_only, list_executions, Auth::key,
     "List your executions, newest first (by status; keyset pagination)", "200 400",
     "status after limit"},
    {"GET", "/api/v1/executions/{id}", Scope::read, Access::read_only, get_execution, Auth::key,
     "Get an execution", "200 400 404", ""},
    {"POST", "/api/v1/executions/{id}/complete", Scope::write, Access::read_write,
     complete_execution, Auth::key,
     "Complete an execution: tokens, timing, result, and its cost row priced from model_prices",
     "200 400 404 409 413 415", ""},
    {"POST", "/api/v1/executions/{id}/fail", Scope::write, Access::read_write, fail_execution,
     Auth::key, "Fail an execution with an error (tokens used are billed)",
     "200 400 404 409 413 415", ""},
};

}  // namespace

std::span<const Route> execution_routes() {
  return kRoutes;
}

}  // namespace agentdb::serve
