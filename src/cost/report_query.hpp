// The SQL a cost report is built from, shared by its figures and its execution times: the typed
// parameters every statement starts with, the rows it aggregates, and the group keys.
#pragma once

#include <string>

#include "cost/cost.hpp"
#include "db/rows.hpp"

namespace agentdb::cost {

// Every query starts from these, so that all five parameters are typed in every statement. NOT
// MATERIALIZED lets the planner see them as constants (index ranges on the rollups' days).
inline constexpr const char* kParams =
    "params AS NOT MATERIALIZED (SELECT $1::date AS from_day, $2::date AS to_day, $3::text AS tz,"
    " $4::text AS model, $5::text AS user_id)";

// Whether the question needs the ledger itself: users, agents or another time zone.
[[nodiscard]] bool needs_raw(GroupBy group_by, const Filters& filters);

// The CTE `source`: the rows a report aggregates, from the rollup (cost_daily plus the deltas not
// yet folded in) or from the ledger (`raw`), joined to agent_executions when `with_agent`.
[[nodiscard]] std::string source_sql(bool raw, bool with_agent);

// The group key of a row of `source` (alias s) whose date column is `day`.
[[nodiscard]] std::string key_sql(GroupBy group_by, const std::string& day);

[[nodiscard]] bool is_time(GroupBy group_by);

// Runs report statements with the five parameters of kParams bound.
class Queries {
 public:
  Queries(db::Session& session, const Window& window, const Filters& filters)
      : session_(session), window_(window), filters_(filters) {}

  [[nodiscard]] db::Rows run(const std::string& sql, const Window& window);
  [[nodiscard]] db::Rows run(const std::string& sql) { return run(sql, window_); }
  [[nodiscard]] db::Session& session() { return session_; }

 private:
  db::Session& session_;
  Window window_;
  const Filters& filters_;
};

}  // namespace agentdb::cost
