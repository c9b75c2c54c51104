// `cost recompute`: costs again from tokens and the prices in force at each row's time, in one
// transaction past the ledger's append-only guard.
#include "core/error.hpp"
#include "cost/cost.hpp"
#include "cost/period.hpp"
#include "db/session.hpp"
#include "db/transaction.hpp"

namespace agentdb::cost {

namespace {

// `column` within the window: $1 and $2 are its first and last day, $3 its time zone.
std::string within_window(const std::string& column) {
  return column + " >= ($1::date::timestamp AT TIME ZONE $3) AND " + column +
         " < (($2::date + 1)::timestamp AT TIME ZONE $3)";
}

std::vector<ModelRecompute> update_costs(db::Session& session, const Window& window,
                                         const std::string& tz) {
  const auto changed = session.exec_params(
      "WITH priced AS (SELECT id, created_at, model_provider, model_name, total_cost_usd AS "
      "old_cost,"
      " model_cost_usd(model_provider, model_name, prompt_tokens, completion_tokens, created_at)"
      "::numeric(20,10) AS new_cost FROM cost_tracking WHERE " +
          within_window("created_at") +
          "), updated AS (UPDATE cost_tracking c SET total_cost_usd = p.new_cost FROM priced p"
          " WHERE c.id = p.id AND c.created_at = p.created_at AND p.new_cost IS NOT NULL"
          " AND p.new_cost <> p.old_cost AND " +
          within_window("c.created_at") +
          " RETURNING p.model_provider, p.model_name, p.old_cost, p.new_cost)"
          " SELECT model_provider || '/' || model_name, count(*), sum(old_cost)::text,"
          " sum(new_cost)::text, (sum(new_cost) - sum(old_cost))::text FROM updated"
          " GROUP BY 1 ORDER BY 1",
      window.from.text(), window.to.text(), tz);
  std::vector<ModelRecompute> models;
  for (const auto& row : changed) {
    models.push_back({.model = row[0].as<std::string>(),
                      .rows = row[1].as<long long>(),
                      .old_cost_usd = row[2].as<std::string>(),
                      .new_cost_usd = row[3].as<std::string>(),
                      .difference_usd = row[4].as<std::string>()});
  }
  return models;
}

std::vector<UnpricedRows> unpriced_rows(db::Session& session, const Window& window,
                                        const std::string& tz) {
  const auto unpriced = session.exec_params(
      "SELECT model_provider || '/' || model_name, count(*) FROM cost_tracking WHERE " +
          within_window("created_at") +
          " AND model_cost_usd(model_provider, model_name, prompt_tokens, completion_tokens,"
          " created_at) IS NULL GROUP BY 1 ORDER BY 1",
      window.from.text(), window.to.text(), tz);
  std::vector<UnpricedRows> rows;
  for (const auto& row : unpriced)
    rows.push_back({.model = row[0].as<std::string>(), .rows = row[1].as<long long>()});
  return rows;
}

}  // namespace

void validate(const RecomputeRequest& request) {
  if (request.period.since.empty() && request.period.from.empty())
    throw Error(ExitCode::usage, "recompute needs a period", "give --since 30d or --from DATE");
  check_period_syntax(request.period);
}

RecomputeResult recompute(db::Session& session, const RecomputeRequest& request) {
  validate(request);
  RecomputeResult result;
  result.window = resolve_period(session, request.period);
  result.dry_run = request.dry_run;
  db::Transaction transaction(session);
  (void)session.exec("SET LOCAL agentdb.cost_recompute = 'on'");
  result.models = update_costs(session, result.window, request.period.tz);
  result.unpriced = unpriced_rows(session, result.window, request.period.tz);
  if (request.dry_run) {
    transaction.rollback();
  } else {
    transaction.commit();
  }
  for (const auto& model : result.models)
    result.rows_changed += model.rows;
  return result;
}

}  // namespace agentdb::cost
