// `cost rollup`: the daily rollup behind fast reports, rebuilt from the ledger, compacted, and
// checked against the ledger.
#include "cost/cost.hpp"
#include "db/session.hpp"
#include "db/transaction.hpp"

namespace agentdb::cost {

namespace {

// The rollup against the ledger, key by key, in one snapshot.
std::vector<RollupMismatch> mismatches_of(db::Session& session) {
  db::Transaction snapshot(session, db::Isolation::repeatable_read, db::Access::read_only);
  const auto differences = session.exec(
      "WITH rollup AS (SELECT day, model_provider, model_name, usage_category,"
      " sum(requests) AS requests, sum(total_tokens) AS total_tokens, sum(cost_usd) AS cost"
      " FROM (SELECT * FROM cost_daily UNION ALL SELECT * FROM cost_daily_delta) r"
      " GROUP BY 1, 2, 3, 4),"
      " ledger AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, model_provider,"
      " model_name, usage_category, count(*) AS requests, sum(total_tokens) AS total_tokens,"
      " sum(total_cost_usd) AS cost FROM cost_tracking GROUP BY 1, 2, 3, 4)"
      " SELECT coalesce(l.day, r.day)::text, coalesce(l.model_name, r.model_name),"
      " coalesce(l.usage_category, r.usage_category), coalesce(l.cost, 0)::text,"
      " coalesce(r.cost, 0)::text FROM ledger l FULL JOIN rollup r"
      " USING (day, model_provider, model_name, usage_category)"
      " WHERE l.requests IS DISTINCT FROM r.requests AND NOT (l.requests IS NULL AND r.requests "
      "= 0)"
      " OR l.total_tokens IS DISTINCT FROM r.total_tokens AND NOT (l.requests IS NULL AND "
      "r.requests = 0)"
      " OR coalesce(l.cost, 0) <> coalesce(r.cost, 0) ORDER BY 1 LIMIT " +
      std::to_string(kMaxRollupMismatches));
  snapshot.commit();
  std::vector<RollupMismatch> mismatches;
  for (const auto& row : differences) {
    mismatches.push_back({.day = row[0].as<std::string>(),
                          .model = row[1].as<std::string>(),
                          .category = row[2].as<std::string>(),
                          .ledger_cost_usd = row[3].as<std::string>(),
                          .rollup_cost_usd = row[4].as<std::string>()});
  }
  return mismatches;
}

long long count_of(db::Session& session, const char* function_call) {
  return session.exec(std::string("SELECT ") + function_call)[0][0].as<long long>();
}

}  // namespace

RollupResult rollup(db::Session& session, const RollupRequest& request) {
  RollupResult result;
  if (request.rebuild) {
    result.rebuilt_rows = count_of(session, "cost_daily_rebuild()");
    if (request.on_step)
      request.on_step(RollupStep::rebuilt, *result.rebuilt_rows);
  }
  if (request.compact) {
    result.folded_deltas = count_of(session, "cost_daily_compact()");
    if (request.on_step)
      request.on_step(RollupStep::compacted, *result.folded_deltas);
  }
  const auto sizes = session.exec(
      "SELECT (SELECT count(*) FROM cost_daily), (SELECT count(*) FROM cost_daily_delta)")[0];
  result.rollup_rows = sizes[0].as<long long>();
  result.delta_rows = sizes[1].as<long long>();
  if (request.check)
    result.mismatches = mismatches_of(session);
  return result;
}

}  // namespace agentdb::cost
