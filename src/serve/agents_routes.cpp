// /api/v1/agents: the shared catalog of agent definitions (no row-level security: no user owns
// an agent). Each handler is one statement; the JSON comes from PostgreSQL itself.
#include <nlohmann/json.hpp>

#include "db/session.hpp"
#include "serve/api_error.hpp"
#include "serve/router.hpp"

namespace agentdb::serve {

namespace {

using nlohmann::json;

// What a client sees of an agent: every column but deleted_at.
constexpr std::string_view kAgentJson = "to_jsonb(a) - 'deleted_at'";

constexpr std::string_view kFields[] = {"name",      "description", "agent_type", "persona",
                                        "config",    "tools",       "sub_agents", "planner",
                                        "is_active", "metadata"};

// Checks the types of the fields given (the schema's CHECKs decide the rest: 422) and returns them
// as one JSON object for the statement to pick from.
std::string checked_fields(const json& body) {
  only_fields(body, kFields);
  (void)string_field(body, "name");
  (void)string_field(body, "description");
  (void)string_field(body, "agent_type");
  for (const auto* name : {"persona", "config", "planner", "metadata"})
    (void)json_field(body, name, "object");
  (void)json_field(body, "tools", "array");
  (void)bool_field(body, "is_active");
  if (const auto sub = body.find("sub_agents"); sub != body.end() && !sub->is_null()) {
    if (!sub->is_array())
      throw ApiError(400, "invalid_field", "field 'sub_agents' must be an array of agent ids",
                     {{"field", "sub_agents"}});
    for (const auto& id : *sub)
      if (!id.is_string() || !is_uuid(id.get<std::string>()))
        throw ApiError(400, "invalid_field", "field 'sub_agents' must hold agent ids (UUIDs)",
                       {{"field", "sub_agents"}});
  }
  return json_text(body);
}

// "column = the field when given, else as it was", for a PATCH and (with defaults) a POST.
constexpr std::string_view kPickFields =
    " name = CASE WHEN p ? 'name' THEN p->>'name' ELSE a.name END,"
    " description = CASE WHEN p ? 'description' THEN p->>'description' ELSE a.description END,"
    " agent_type = CASE WHEN p ? 'agent_type' THEN p->>'agent_type' ELSE a.agent_type END,"
    " persona = CASE WHEN p ? 'persona' THEN p->'persona' ELSE a.persona END,"
    " config = CASE WHEN p ? 'config' THEN p->'config' ELSE a.config END,"
    " tools = CASE WHEN p ? 'tools' THEN p->'tools' ELSE a.tools END,"
    " sub_agents = CASE WHEN p ? 'sub_agents' THEN ARRAY(SELECT jsonb_array_elements_text("
    "p->'sub_agents'))::uuid[] ELSE a.sub_agents END,"
    " planner = CASE WHEN p ? 'planner' THEN nullif(p->'planner', 'null') ELSE a.planner END,"
    " is_active = CASE WHEN p ? 'is_active' THEN (p->>'is_active')::boolean ELSE a.is_active END,"
    " metadata = CASE WHEN p ? 'metadata' THEN p->'metadata' ELSE a.metadata END";

json without_nulls(const json& body) {
  json out = json::object();
  for (const auto& [key, value] : body.items())
    if (!value.is_null())
      out[key] = value;
  return out;
}

HttpResponse create_agent(RequestContext& ctx, Service&) {
  const auto body = without_nulls(ctx.body());
  (void)required_string(body, "name");
  const auto rows = ctx.db().exec_params(
      "INSERT INTO agents AS a (name, description, agent_type, persona, config, tools, sub_agents,"
      " planner, is_active, metadata)"
      " SELECT p->>'name', p->>'description', coalesce(p->>'agent_type', 'regular'),"
      " coalesce(p->'persona', '{}'), coalesce(p->'config', '{}'), coalesce(p->'tools', '[]'),"
      " ARRAY(SELECT jsonb_array_elements_text(p->'sub_agents'))::uuid[], p->'planner',"
      " coalesce((p->>'is_active')::boolean, true), coalesce(p->'metadata', '{}')"
      " FROM (SELECT $1::jsonb AS p) AS input RETURNING a.id, " +
          std::string(kAgentJson),
      checked_fields(body));
  ctx.audit("create", "agents", rows.front()["id"].view());
  return json_response(201, rows.front()[1].c_str());
}

HttpResponse get_agent(RequestContext& ctx, Service&) {
  const auto rows =
      ctx.db().exec_params("SELECT " + std::string(kAgentJson) +
                               " FROM agents a WHERE a.id = $1 AND a.deleted_at IS NULL",
                           ctx.uuid_param("id"));
  if (rows.empty())
    throw ApiError(404, "not_found", "no agent has this id");
  return json_response(200, rows.front()[0].c_str());
}

// ?type=regular&active=true&after=<id>&limit=20, in id order (keyset: no OFFSET to go slow).
HttpResponse list_agents(RequestContext& ctx, Service&) {
  const auto type = ctx.query("type").value_or("");
  const auto active = ctx.query("active").value_or("");
  if (!active.empty() && active != "true" && active != "false")
    throw ApiError(400, "invalid_query", "active must be true or false", {{"parameter", "active"}});
  const auto after = ctx.uuid_query("after");
  const int limit = ctx.limit(20, 100);
  const auto rows = ctx.db().exec_params(
      "WITH page AS (SELECT a.* FROM agents a WHERE a.deleted_at IS NULL"
      " AND ($1 = '' OR a.agent_type = $1) AND ($2 = '' OR a.is_active = ($2 = 'true'))"
      " AND ($3 = '' OR a.id > nullif($3, '')::uuid) ORDER BY a.id LIMIT $4)"
      " SELECT json_build_object('items', coalesce(jsonb_agg(" +
          std::string(kAgentJson) +
          " ORDER BY a.id), '[]'), 'next', CASE WHEN count(*) = $4 THEN max(a.id::text) END)"
          " FROM page a",
      type, active, after, limit);
  return json_response(200, rows.front()[0].c_str());
}

HttpResponse update_agent(RequestContext& ctx, Service&) {
  const auto id = ctx.uuid_param("id");
  const auto fields = checked_fields(ctx.body());
  const auto rows =
      ctx.db().exec_params("UPDATE agents a SET" + std::string(kPickFields) +
                               ", version = a.version + 1 FROM (SELECT $2::jsonb AS p) AS input"
                               " WHERE a.id = $1 AND a.deleted_at IS NULL RETURNING " +
                               std::string(kAgentJson),
                           id, fields);
  if (rows.empty())
    throw ApiError(404, "not_found", "no agent has this id");
  ctx.audit("update", "agents", id, {{"fields", ctx.body().size()}});
  return json_response(200, rows.front()[0].c_str());
}

HttpResponse delete_agent(RequestContext& ctx, Service&) {
  const auto id = ctx.uuid_param("id");
  const auto rows = ctx.db().exec_params(
      "UPDATE agents SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id", id);
  if (rows.empty())
    throw ApiError(404, "not_found", "no agent has this id");
  ctx.audit("delete", "agents", id);
  return json_response(204, "");
}

HttpResponse use_agent(RequestContext& ctx, Service&) {
  const auto rows = ctx.db().exec_params(
      "UPDATE agents a SET usage_count = a.usage_count + 1, last_used_at = now()"
      " WHERE a.id = $1 AND a.deleted_at IS NULL RETURNING " +
          std::string(kAgentJson),
      ctx.uuid_param("id"));
  if (rows.empty())
    throw ApiError(404, "not_found", "no agent has this id");
  return json_response(200, rows.front()[0].c_str());
}

constexpr Route kRoutes[] = {
    {"POST", "/api/v1/agents", Scope::write, Access::read_write, create_agent, Auth::key,
     "Create an agent", "201 400 413 415 422", ""},
    {"GET", "/api/v1/agents", Scope::read, Access::read_only, list_agents, Auth::key,
     "List agents (filter by type and active; keyset pagination)", "200 400",
     "type active after limit"},
    {"GET", "/api/v1/agents/{id}", Scope::read, Access::read_only, get_agent, Auth::key,
     "Get an agent", "200 400 404", ""},
    {"PATCH", "/api/v1/agents/{id}", Scope::write, Access::read_write, update_agent, Auth::key,
     "Change some fields of an agent (its version goes up by one)", "200 400 404 413 415", ""},
    {"DELETE", "/api/v1/agents/{id}", Scope::write, Access::read_write, delete_agent, Auth::key,
     "Soft-delete an agent", "204 400 404", ""},
    {"POST", "/api/v1/agents/{id}/use", Scope::write, Access::read_write, use_agent, Auth::key,
     "Count one use of an agent", "200 400 404", ""},
};

}  // namespace

std::span<const Route> agent_routes() {
  return kRoutes;
}

}  // namespace agentdb::serve
