// /api/v1/costs: the figures of `agentdb cost report` and `cost budget`, from the same functions
// (cost/cost.hpp) and as the same JSON documents. A key without admin scope sees its own user's
// costs only: the user filter is forced to the caller (row-level security on the ledger agrees),
// which also keeps the report off the rollup, whose rows are everyone's.
#include <nlohmann/json.hpp>

#include "cost/cost.hpp"
#include "db/session.hpp"
#include "serve/api_error.hpp"
#include "serve/router.hpp"

namespace agentdb::serve {

namespace {

// The user filter of a costs request: ?user= for an admin key, whose request then acts as
// agentdb_admin (its policies see every user's rows); the caller's own id otherwise (403 when
// another user is asked for).
std::string scope_to_caller(const RequestContext& ctx) {
  const auto asked = ctx.query("user").value_or("");
  if (ctx.caller().admin) {
    (void)ctx.db().exec("SET LOCAL ROLE agentdb_admin");
    return asked;
  }
  if (!asked.empty() && asked != ctx.caller().user_id)
    throw ApiError(403, "forbidden", "only an admin key may see another user's costs",
                   {{"parameter", "user"}});
  return ctx.caller().user_id;
}

cost::PeriodRequest period_of(const RequestContext& ctx) {
  cost::PeriodRequest period;
  period.since = ctx.query("since").value_or("");
  period.from = ctx.query("from").value_or("");
  period.to = ctx.query("to").value_or("");
  period.tz = ctx.query("tz").value_or("UTC");
  return period;
}

// ?since=30d | from=&to=, tz=, group_by=day|week|month|model|provider|user|agent|category,
// model=, user= (admin).
HttpResponse cost_report(RequestContext& ctx, Service&) {
  cost::ReportRequest request;
  request.period = period_of(ctx);
  request.model = ctx.query("model").value_or("");
  request.user = scope_to_caller(ctx);
  if (const auto by = ctx.query("group_by")) {
    const auto parsed = cost::parse_group_by(*by);
    if (!parsed)
      throw ApiError(400, "invalid_query",
                     "group_by must be day, week, month, model, provider, user, agent or category",
                     {{"parameter", "group_by"}});
    request.group_by = *parsed;
  }
  cost::validate(request);
  const auto report = cost::report(ctx.db(), request);
  return json_response(200, json_text(cost::report_json(report, cost::ShareColumn::hidden)));
}

// ?limit_usd=500&period=day|month, user= (admin), per_user=true (admin).
HttpResponse cost_budget(RequestContext& ctx, Service&) {
  cost::BudgetRequest request;
  request.limit_usd = ctx.query("limit_usd").value_or("");
  if (request.limit_usd.empty())
    throw ApiError(400, "invalid_query", "limit_usd is required, e.g. ?limit_usd=500",
                   {{"parameter", "limit_usd"}});
  const auto period = ctx.query("period").value_or("month");
  if (period != "day" && period != "month")
    throw ApiError(400, "invalid_query", "period must be day or month", {{"parameter", "period"}});
  request.period = period == "day" ? cost::BudgetPeriod::day : cost::BudgetPeriod::month;
  request.user = scope_to_caller(ctx);
  const auto per_user = ctx.query("per_user").value_or("false");
  if (per_user != "true" && per_user != "false")
    throw ApiError(400, "invalid_query", "per_user must be true or false",
                   {{"parameter", "per_user"}});
  if (per_user == "true" && !ctx.caller().admin)
    throw ApiError(403, "forbidden", "only an admin key may compare every user with the limit",
                   {{"parameter", "per_user"}});
  request.per_user = per_user == "true";
  cost::validate(request);
  const auto result = cost::budget(ctx.db(), request);
  return json_response(200, json_text(cost::budget_json(result)));
}

constexpr Route kRoutes[] = {
    {"GET", "/api/v1/costs/report", Scope::read, Access::read_only, cost_report, Auth::key,
     "Your costs as `agentdb cost report --json` gives them (admin: anyone's)", "200 400 403",
     "user since from to tz model group_by"},
    {"GET", "/api/v1/costs/budget", Scope::read, Access::read_only, cost_budget, Auth::key,
     "Your spend against a limit as `agentdb cost budget --json` gives it (admin: anyone's)",
     "200 400 403", "limit_usd period per_user user since from to tz"},
};

}  // namespace

std::span<const Route> cost_routes() {
  return kRoutes;
}

}  // namespace agentdb::serve
