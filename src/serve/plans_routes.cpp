// /api/v1/plans: travel plans, soft-deleted, with optimistic concurrency. The schema's trigger
// bumps `version` on every change; it is the ETag ("3"), and a PATCH or DELETE with If-Match
// changes the plan only at that version (412 when it moved on). Without If-Match the change is
// unconditional, as HTTP has it.
#include <nlohmann/json.hpp>

#include "db/session.hpp"
#include "serve/api_error.hpp"
#include "serve/router.hpp"
#include "util/strings.hpp"

namespace agentdb::serve {

namespace {

using nlohmann::json;

ApiError no_plan() {
  return {404, "not_found", "no plan of yours has this id"};
}

constexpr std::string_view kFields[] = {"title",  "destination", "start_date", "end_date",
                                        "budget", "currency",    "status",     "plan_data"};

// Checks the types (the schema's CHECKs and date parsing decide the values: 422) and returns the
// fields as one JSON object; budget may be a number or a decimal string.
std::string checked_fields(const json& body) {
  only_fields(body, kFields);
  for (const auto* name : {"title", "destination", "start_date", "end_date", "currency", "status"})
    (void)string_field(body, name);
  (void)json_field(body, "plan_data", "object");
  if (const auto budget = body.find("budget");
      budget != body.end() && !budget->is_null() && !budget->is_number() && !budget->is_string())
    throw ApiError(400, "invalid_field", "field 'budget' must be a number", {{"field", "budget"}});
  return json_text(body);
}

// The version If-Match names ("3", W/"3"); nullopt without the header or with "*".
std::optional<std::string> expected_version(const RequestContext& ctx) {
  auto given = std::string(util::trim(ctx.http().header("if-match")));
  if (given.empty() || given == "*")
    return std::nullopt;
  if (given.starts_with("W/"))
    given.erase(0, 2);
  if (given.size() >= 2 && given.front() == '"' && given.back() == '"')
    given = given.substr(1, given.size() - 2);
  const auto version = util::parse_int64(given);
  if (!version || *version < 1)
    throw ApiError(400, "invalid_header", "If-Match must be an ETag this service gave, e.g. \"3\"",
                   {{"header", "If-Match"}});
  return std::to_string(*version);
}

// The plan as JSON with its version as the ETag.
HttpResponse plan_response(int status, const db::Row& row) {
  auto response = json_response(status, row["plan"].c_str());
  response.headers.emplace_back("ETag", "\"" + std::string(row["version"].c_str()) + "\"");
  return response;
}

constexpr std::string_view kPlanColumns = "to_jsonb(p) - 'deleted_at' AS plan, p.version";

HttpResponse create_plan(RequestContext& ctx, Service&) {
  const auto& body = ctx.body();
  const auto fields = checked_fields(body);
  (void)required_string(body, "title");
  const auto rows = ctx.db().exec_params(
      "INSERT INTO travel_plans AS p (user_id, title, destination, start_date, end_date, budget,"
      " currency, status, plan_data) SELECT app_current_user_id(), f->>'title', f->>'destination',"
      " (f->>'start_date')::date, (f->>'end_date')::date, (f->>'budget')::numeric,"
      " coalesce(f->>'currency', 'USD'), coalesce(f->>'status', 'draft'),"
      " coalesce(f->'plan_data', '{}') FROM (SELECT $1::jsonb AS f) AS input RETURNING p.id, " +
          std::string(kPlanColumns),
      fields);
  ctx.audit("create", "travel_plans", rows.front()["id"].view());
  return plan_response(201, rows.front());
}

HttpResponse get_plan(RequestContext& ctx, Service&) {
  const auto rows = ctx.db().exec_params("SELECT " + std::string(kPlanColumns) +
                                             " FROM travel_plans p WHERE p.id = $1"
                                             " AND p.deleted_at IS NULL",
                                         ctx.uuid_param("id"));
  if (rows.empty())
    throw no_plan();
  return plan_response(200, rows.front());
}

// ?status=&after=&limit=, newest first (the schema's index on (user_id, created_at DESC)).
HttpResponse list_plans(RequestContext& ctx, Service&) {
  const auto after = ctx.uuid_query("after");
  const auto rows = ctx.db().exec_params(
      "WITH page AS (SELECT p.* FROM travel_plans p WHERE p.deleted_at IS NULL"
      " AND ($1 = '' OR p.status = $1) AND ($2 = '' OR (p.created_at, p.id) < (SELECT created_at,"
      " id FROM travel_plans WHERE id = nullif($2, '')::uuid)) ORDER BY p.created_at DESC, p.id"
      " DESC LIMIT $3) SELECT json_build_object('items', coalesce(jsonb_agg(to_jsonb(q) -"
      " 'deleted_at' ORDER BY q.created_at DESC, q.id DESC), '[]'), 'next', CASE WHEN count(*) ="
      " $3 THEN (array_agg(q.id::text ORDER BY q.created_at, q.id))[1] END) FROM page q",
      ctx.query("status").value_or(""), after, ctx.limit(20, 100));
  return json_response(200, rows.front()[0].c_str());
}

// Applies `set` (a SET list over the plan p and the JSON fields f) at the version If-Match names;
// 404 when the plan is not the caller's, 412 when its version moved on.
db::Row change_plan(RequestContext& ctx, const std::string& id, std::string_view set,
                    const std::string& fields) {
  const auto expected = expected_version(ctx).value_or("");
  const auto rows = ctx.db().exec_params(
      "WITH target AS (SELECT id, version FROM travel_plans WHERE id = $1 AND deleted_at IS NULL"
      " FOR UPDATE), changed AS (UPDATE travel_plans p SET " +
          std::string(set) +
          " FROM target t, (SELECT $2::jsonb AS f) AS input WHERE p.id = t.id"
          " AND ($3 = '' OR t.version = nullif($3, '')::integer) RETURNING p.id, " +
          std::string(kPlanColumns) +
          ") SELECT (SELECT version FROM target) AS current, c.* FROM (SELECT 1) AS one"
          " LEFT JOIN changed c ON true",
      id, fields, expected);
  const auto row = rows.front();
  if (row["current"].is_null())
    throw no_plan();
  if (row["id"].is_null())
    throw ApiError(412, "stale_version",
                   "the plan changed since version " + expected + "; read it again",
                   {{"current_version", row["current"].as<long long>()}});
  return row;
}

HttpResponse update_plan(RequestContext& ctx, Service&) {
  const auto id = ctx.uuid_param("id");
  const auto fields = checked_fields(ctx.body());
  const auto row = change_plan(
      ctx, id,
      "title = CASE WHEN f ? 'title' THEN f->>'title' ELSE p.title END,"
      " destination = CASE WHEN f ? 'destination' THEN f->>'destination' ELSE p.destination END,"
      " start_date = CASE WHEN f ? 'start_date' THEN (f->>'start_date')::date ELSE p.start_date"
      " END, end_date = CASE WHEN f ? 'end_date' THEN (f->>'end_date')::date ELSE p.end_date END,"
      " budget = CASE WHEN f ? 'budget' THEN (f->>'budget')::numeric ELSE p.budget END,"
      " currency = CASE WHEN f ? 'currency' THEN f->>'currency' ELSE p.currency END,"
      " status = CASE WHEN f ? 'status' THEN f->>'status' ELSE p.status END,"
      " plan_data = CASE WHEN f ? 'plan_data' THEN f->'plan_data' ELSE p.plan_data END",
      fields);
  ctx.audit("update", "travel_plans", id,
            {{"fields", ctx.body().size()}, {"version", row["version"].as<long long>()}});
  return plan_response(200, row);
}

HttpResponse delete_plan(RequestContext& ctx, Service&) {
  const auto id = ctx.uuid_param("id");
  (void)change_plan(ctx, id, "deleted_at = now()", "{}");
  ctx.audit("delete", "travel_plans", id);
  return json_response(204, "");
}

constexpr Route kRoutes[] = {
    {"POST", "/api/v1/plans", Scope::write, Access::read_write, create_plan, Auth::key,
     "Create a travel plan (its ETag is its version)", "201 400 413 415 422", ""},
    {"GET", "/api/v1/plans", Scope::read, Access::read_only, list_plans, Auth::key,
     "List your travel plans, newest first (by status; keyset pagination)", "200 400",
     "status after limit"},
    {"GET", "/api/v1/plans/{id}", Scope::read, Access::read_only, get_plan, Auth::key,
     "Get a travel plan with its ETag", "200 400 404", ""},
    {"PATCH", "/api/v1/plans/{id}", Scope::write, Access::read_write, update_plan, Auth::key,
     "Change some fields of a travel plan; with If-Match only at that version (else 412)",
     "200 400 404 412 413 415 422", ""},
    {"DELETE", "/api/v1/plans/{id}", Scope::write, Access::read_write, delete_plan, Auth::key,
     "Soft-delete a travel plan; with If-Match only at that version (else 412)", "204 400 404 412",
     ""},
};

}  // namespace

std::span<const Route> plan_routes() {
  return kRoutes;
}

}  // namespace agentdb::serve
