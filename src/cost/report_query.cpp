#include "cost/report_query.hpp"

#include "db/session.hpp"

namespace agentdb::cost {

bool needs_raw(GroupBy group_by, const Filters& filters) {
  return filters.tz != "UTC" || !filters.user.empty() || group_by == GroupBy::user ||
         group_by == GroupBy::agent;
}

std::string source_sql(bool raw, bool with_agent) {
  if (!raw) {
    std::string sql;
    for (const char* table : {"cost_daily", "cost_daily_delta"}) {
      sql += std::string(sql.empty() ? "" : " UNION ALL ") +
             "SELECT r.day, r.model_provider, r.model_name, r.usage_category,"
             " NULL::text AS user_key, NULL::text AS agent_key, r.requests, r.prompt_tokens,"
             " r.completion_tokens, r.total_tokens, r.cost_usd FROM " +
             table +
             " r, params p WHERE r.day BETWEEN p.from_day AND p.to_day"
             " AND (p.model = '' OR r.model_name = p.model)";
    }
    return "source AS (" + sql + ")";
  }
  return std::string(
             "source AS (SELECT (c.created_at AT TIME ZONE p.tz)::date AS day, c.model_provider,"
             " c.model_name, c.usage_category, c.user_id::text AS user_key, ") +
         (with_agent ? "e.agent_id::text" : "NULL::text") +
         " AS agent_key, 1::bigint AS requests, c.prompt_tokens, c.completion_tokens,"
         " c.total_tokens, c.total_cost_usd AS cost_usd FROM params p, cost_tracking c" +
         (with_agent ? " LEFT JOIN agent_executions e ON e.id = c.agent_execution_id" : "") +
         " WHERE c.created_at >= (p.from_day::timestamp AT TIME ZONE p.tz)"
         " AND c.created_at < ((p.to_day + 1)::timestamp AT TIME ZONE p.tz)"
         " AND (p.model = '' OR c.model_name = p.model)"
         " AND (p.user_id = '' OR c.user_id = nullif(p.user_id, '')::uuid))";
}

std::string key_sql(GroupBy group_by, const std::string& day) {
  switch (group_by) {
    case GroupBy::day:
      return "to_char(" + day + ", 'YYYY-MM-DD')";
    case GroupBy::week:
      return "to_char(date_trunc('week', " + day + "), 'IYYY-\"W\"IW')";
    case GroupBy::month:
      return "to_char(" + day + ", 'YYYY-MM')";
    case GroupBy::model:
      return "s.model_name";
    case GroupBy::provider:
      return "s.model_provider";
    case GroupBy::user:
      return "s.user_key";
    case GroupBy::agent:
      return "coalesce(s.agent_key, '(none)')";
    case GroupBy::category:
      return "s.usage_category";
  }
  return "''";
}

bool is_time(GroupBy group_by) {
  return group_by == GroupBy::day || group_by == GroupBy::week || group_by == GroupBy::month;
}

db::Rows Queries::run(const std::string& sql, const Window& window) {
  return session_.exec_params(sql, window.from.text(), window.to.text(), filters_.tz,
                              filters_.model, filters_.user);
}

}  // namespace agentdb::cost
