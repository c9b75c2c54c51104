// The results of `agentdb cost` as people and machines read them. Pure: result in, text or JSON
// out. A report is an aligned table (money to the cent, a sparkline of daily cost on a terminal),
// CSV, JSON (money as decimal strings; cost.hpp), or a self-contained HTML page with an SVG chart
// of daily cost by provider.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "cost/cost.hpp"

namespace agentdb::cost {

struct TableStyle {
  bool sparkline = false;  // a last line drawing the daily cost (needs Report::daily_cost)
  ShareColumn share = ShareColumn::hidden;
};

[[nodiscard]] std::string render_table(const Report& report, const TableStyle& style);
[[nodiscard]] std::string render_csv(const Report& report);
[[nodiscard]] std::string render_html(const Report& report);
// The warning for a model with costs in the window but no price at all.
[[nodiscard]] std::string unpriced_model_warning(const std::string& model);

// "▁▂▄█" for the values, scaled to the largest.
[[nodiscard]] std::string sparkline(const std::vector<double>& values);

// cost / total as a percentage with one decimal, from the exact decimal strings.
[[nodiscard]] std::string share_percent(const std::string& cost, const std::string& total);

enum class BudgetRows {
  attention_and_top,  // per user: those at WARNING or worse and the first ten
  all,
};

// The table and its summary line ("OK: month from ... UTC, limit 500 USD").
[[nodiscard]] std::string render_budget(const BudgetResult& result, BudgetRows rows);

[[nodiscard]] std::string render_prices(const PricesResult& result);
[[nodiscard]] nlohmann::json prices_json(const PricesResult& result);

[[nodiscard]] std::string render_recompute(const RecomputeResult& result);
[[nodiscard]] nlohmann::json recompute_json(const RecomputeResult& result);
[[nodiscard]] std::string unpriced_rows_warning(const UnpricedRows& rows);

[[nodiscard]] std::string rollup_step_line(RollupStep step, long long rows);
// The warning for a check that found the rollup and the ledger apart; empty otherwise.
[[nodiscard]] std::string rollup_mismatch_warning(const RollupResult& result);
[[nodiscard]] std::string rollup_summary(const RollupResult& result);
[[nodiscard]] nlohmann::json rollup_json(const RollupResult& result);

}  // namespace agentdb::cost
