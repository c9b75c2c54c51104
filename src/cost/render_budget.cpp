#include <nlohmann/json.hpp>

#include "core/output.hpp"
#include "cost/render.hpp"
#include "util/strings.hpp"

namespace agentdb::cost {

std::string render_budget(const BudgetResult& result, BudgetRows rows) {
  Table table({"WHO", "SPENT USD", "OF LIMIT", "PROJECTED USD", "STATUS"});
  for (std::size_t i = 0; i < result.spend.size(); ++i) {
    const auto& spend = result.spend[i];
    const bool listed =
        !result.per_user || spend.status != BudgetStatus::ok || i < 10 || rows == BudgetRows::all;
    if (!listed)
      continue;
    // Who: a user's name or email from the database, shown as text.
    table.add_row({util::printable(spend.label.empty() ? spend.key : spend.label),
                   spend.spent_cents, spend.used_pct + "%", spend.projected_usd,
                   to_string(spend.status)});
  }
  if (result.spend.empty())
    table.add_row({result.user.empty() ? "total" : util::printable(result.user), "0.00", "0.0%",
                   "0.00", "OK"});
  return table.render() + to_string(result.worst) + ": " + to_string(result.period) + " from " +
         result.period_start + " UTC, limit " + result.limit_usd + " USD" +
         (result.per_user ? " per user" : "");
}

nlohmann::json budget_json(const BudgetResult& result) {
  nlohmann::json people = nlohmann::json::array();
  for (const auto& spend : result.spend) {
    people.push_back({{"key", spend.key},
                      {"label", spend.label},
                      {"spent_usd", spend.spent_usd},
                      {"used_pct", spend.used_pct},
                      {"projected_usd", spend.projected_usd},
                      {"status", to_string(spend.status)}});
  }
  return {{"status", to_string(result.worst)},  {"exit_code", static_cast<int>(result.worst)},
          {"period", to_string(result.period)}, {"period_start", result.period_start},
          {"period_end", result.period_end},    {"elapsed_fraction", result.elapsed_fraction},
          {"limit_usd", result.limit_usd},      {"spend", people}};
}

}  // namespace agentdb::cost
