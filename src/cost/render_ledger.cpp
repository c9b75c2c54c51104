// Prices, recompute and rollup as text and JSON. Provider and model names come from the
// database: the text forms show them through util::printable.
#include <nlohmann/json.hpp>

#include "core/output.hpp"
#include "cost/render.hpp"
#include "util/strings.hpp"

namespace agentdb::cost {

using nlohmann::json;

std::string render_prices(const PricesResult& result) {
  Table table({"PROVIDER", "MODEL", "INPUT USD/M", "OUTPUT USD/M", "SINCE"});
  for (const auto& price : result.prices) {
    table.add_row({util::printable(price.provider), util::printable(price.model),
                   price.input_usd_per_million, price.output_usd_per_million,
                   price.effective_from});
  }
  return table.render() + std::to_string(result.prices.size()) + " models priced at " + result.at;
}

json prices_json(const PricesResult& result) {
  json prices = json::array();
  for (const auto& price : result.prices) {
    prices.push_back({{"provider", price.provider},
                      {"model", price.model},
                      {"input_usd_per_million", price.input_usd_per_million},
                      {"output_usd_per_million", price.output_usd_per_million},
                      {"effective_from", price.effective_from}});
  }
  return {{"at", result.at}, {"prices", prices}};
}

std::string render_recompute(const RecomputeResult& result) {
  std::string text;
  if (!result.models.empty()) {
    Table table({"MODEL", "ROWS CHANGED", "OLD USD", "NEW USD", "DIFFERENCE"});
    for (const auto& model : result.models) {
      table.add_row({util::printable(model.model), std::to_string(model.rows), model.old_cost_usd,
                     model.new_cost_usd, model.difference_usd});
    }
    text = table.render();
  }
  return text + (result.dry_run ? "would change " : "changed ") +
         std::to_string(result.rows_changed) + " cost rows from " + result.window.from.text() +
         " to " + result.window.to.text() + (result.dry_run ? " (dry run, rolled back)" : "");
}

json recompute_json(const RecomputeResult& result) {
  json models = json::array();
  for (const auto& model : result.models) {
    models.push_back({{"model", model.model},
                      {"rows", model.rows},
                      {"old_cost_usd", model.old_cost_usd},
                      {"new_cost_usd", model.new_cost_usd},
                      {"difference_usd", model.difference_usd}});
  }
  json missing = json::array();
  for (const auto& rows : result.unpriced)
    missing.push_back({{"model", rows.model}, {"rows", rows.rows}});
  return {{"from", result.window.from.text()},
          {"to", result.window.to.text()},
          {"dry_run", result.dry_run},
          {"rows_changed", result.rows_changed},
          {"models", models},
          {"unpriced", missing}};
}

std::string unpriced_rows_warning(const UnpricedRows& rows) {
  return std::to_string(rows.rows) + " rows of " + util::printable(rows.model) +
         " have no price in force at their time and were left as they are; add the "
         "price to model_prices and run recompute again";
}

std::string rollup_step_line(RollupStep step, long long rows) {
  if (step == RollupStep::rebuilt)
    return "rebuilt the rollup from the ledger: " + std::to_string(rows) + " rows";
  return "folded " + std::to_string(rows) + " delta rows into the rollup";
}

std::string rollup_mismatch_warning(const RollupResult& result) {
  if (!result.mismatches || result.mismatches->empty())
    return "";
  const auto& mismatches = *result.mismatches;
  return "the rollup differs from the ledger on " + std::to_string(mismatches.size()) +
         (mismatches.size() == kMaxRollupMismatches ? "+" : "") +
         " keys (first: " + mismatches[0].day + " " + util::printable(mismatches[0].model) +
         "); were partitions dropped or truncated? run 'agentdb cost rollup --rebuild'";
}

std::string rollup_summary(const RollupResult& result) {
  return "rollup: " + std::to_string(result.rollup_rows) + " rows, " +
         std::to_string(result.delta_rows) + " delta rows not yet folded in";
}

json rollup_json(const RollupResult& result) {
  json document = {{"rollup_rows", result.rollup_rows}, {"delta_rows", result.delta_rows}};
  if (result.rebuilt_rows)
    document["rebuilt_rows"] = *result.rebuilt_rows;
  if (result.folded_deltas)
    document["folded_deltas"] = *result.folded_deltas;
  if (result.mismatches) {
    json mismatches = json::array();
    for (const auto& mismatch : *result.mismatches) {
      mismatches.push_back({{"day", mismatch.day},
                            {"model", mismatch.model},
                            {"category", mismatch.category},
                            {"ledger_cost_usd", mismatch.ledger_cost_usd},
                            {"rollup_cost_usd", mismatch.rollup_cost_usd}});
    }
    document["mismatches"] = mismatches;
  }
  return document;
}

}  // namespace agentdb::cost
