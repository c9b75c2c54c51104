#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/output.hpp"
#include "cost/render.hpp"
#include "cost/render_parts.hpp"
#include "util/strings.hpp"

namespace agentdb::cost {

namespace {

using nlohmann::json;

json figures_json(const Figures& f) {
  json item = {{"key", f.key},
               {"cost_usd", f.cost_usd},
               {"requests", f.requests},
               {"prompt_tokens", f.prompt_tokens},
               {"completion_tokens", f.completion_tokens},
               {"total_tokens", f.total_tokens},
               {"avg_execution_ms", f.avg_ms ? json(*f.avg_ms) : json(nullptr)},
               {"p95_execution_ms", f.p95_ms ? json(*f.p95_ms) : json(nullptr)}};
  if (!f.label.empty())
    item["label"] = f.label;
  return item;
}

}  // namespace

std::string ms_text(const std::optional<double>& ms) {
  if (!ms)
    return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f", *ms);
  return buffer;
}

std::string grouped_digits(long long value) {
  auto text = std::to_string(value);
  for (int i = static_cast<int>(text.size()) - 3; i > (value < 0 ? 1 : 0); i -= 3)
    text.insert(static_cast<std::size_t>(i), ",");
  return text;
}

std::string key_text(const Figures& f) {
  return f.label.empty() ? f.key : f.label + " (" + f.key.substr(0, 8) + ")";
}

std::string period_text(const Report& report) {
  return report.window.from.text() + " to " + report.window.to.text() + " (" +
         std::to_string(report.window.days()) + " days, " + report.filters.tz + ")";
}

std::string sparkline(const std::vector<double>& values) {
  static constexpr const char* kBars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  const double top = values.empty() ? 0 : *std::max_element(values.begin(), values.end());
  std::string line;
  for (const double value : values) {
    const int level =
        top <= 0 ? 0 : std::clamp(static_cast<int>(std::lround(value / top * 7)), 0, 7);
    line += kBars[level];
  }
  return line;
}

std::string share_percent(const std::string& cost, const std::string& total) {
  // Shares are for reading, not for money: a double is enough here.
  const double t = std::strtod(total.c_str(), nullptr);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%",
                t > 0 ? std::strtod(cost.c_str(), nullptr) / t * 100 : 0.0);
  return buffer;
}

std::string render_table(const Report& report, const TableStyle& style) {
  const bool show_share = style.share == ShareColumn::shown;
  std::vector<std::string> header{util::to_upper(to_string(report.group_by)),
                                  "COST USD",
                                  "REQUESTS",
                                  "PROMPT",
                                  "COMPLETION",
                                  "TOTAL TOKENS",
                                  "AVG MS",
                                  "P95 MS"};
  if (show_share)
    header.insert(header.begin() + 2, "SHARE");
  Table table(header);
  const auto row_of = [&](const Figures& f, const std::string& key) {
    std::vector<std::string> cells{key,
                                   f.cost_cents,
                                   grouped_digits(f.requests),
                                   grouped_digits(f.prompt_tokens),
                                   grouped_digits(f.completion_tokens),
                                   grouped_digits(f.total_tokens),
                                   ms_text(f.avg_ms),
                                   ms_text(f.p95_ms)};
    if (show_share)
      cells.insert(cells.begin() + 2, share_percent(f.cost_usd, report.total.cost_usd));
    return cells;
  };
  // Names come from the database: shown as text, a stored escape sequence included.
  for (const auto& group : report.groups)
    table.add_row(row_of(group, util::printable(key_text(group))));
  table.add_row(row_of(report.total, "TOTAL"));
  std::string text = "LLM cost, " + period_text(report) + "\n" + table.render() + "\n";
  text +=
      "previous " + std::to_string(report.window.days()) + " days: " + report.previous.cost_cents +
      " USD" +
      (report.change_pct ? ", change " + std::string(report.change_pct->front() == '-' ? "" : "+") +
                               *report.change_pct + "%"
                         : std::string(", no cost to compare with"));
  if (style.sparkline && !report.daily_cost.empty()) {
    std::vector<double> values;
    for (const auto& [day, cost] : report.daily_cost)
      values.push_back(cost);
    text += "\ndaily cost: " + sparkline(values);
  }
  return text;
}

std::string render_csv(const Report& report) {
  using enum CsvColumn;
  CsvTable csv({{to_string(report.group_by), text},
                {"label", text},
                {"cost_usd", number},
                {"requests", number},
                {"prompt_tokens", number},
                {"completion_tokens", number},
                {"total_tokens", number},
                {"avg_execution_ms", number},
                {"p95_execution_ms", number}});
  // Keys and labels come from the database; their newlines stay (quoted), other control
  // characters are shown as escapes wherever the CSV is printed.
  const auto line = [&](const Figures& f, const std::string& key) {
    csv.add_row({util::printable(key, util::Newlines::keep),
                 util::printable(f.label, util::Newlines::keep), f.cost_usd,
                 std::to_string(f.requests), std::to_string(f.prompt_tokens),
                 std::to_string(f.completion_tokens), std::to_string(f.total_tokens),
                 f.avg_ms ? ms_text(f.avg_ms) : "", f.p95_ms ? ms_text(f.p95_ms) : ""});
  };
  for (const auto& group : report.groups)
    line(group, group.key);
  line(report.total, "TOTAL");
  return csv.render();
}

json report_json(const Report& report, ShareColumn share) {
  json groups = json::array();
  for (const auto& group : report.groups) {
    auto item = figures_json(group);
    if (share == ShareColumn::shown)
      item["share_pct"] = share_percent(group.cost_usd, report.total.cost_usd);
    groups.push_back(std::move(item));
  }
  auto previous = figures_json(report.previous);
  previous.erase("key");
  previous["from"] = report.window.previous().from.text();
  previous["to"] = report.window.previous().to.text();
  auto total = figures_json(report.total);
  total.erase("key");
  return {{"from", report.window.from.text()},
          {"to", report.window.to.text()},
          {"days", report.window.days()},
          {"time_zone", report.filters.tz},
          {"group_by", to_string(report.group_by)},
          {"source", report.from_rollup ? "rollup" : "ledger"},
          {"groups", groups},
          {"total", total},
          {"previous_period", previous},
          {"change_pct", report.change_pct ? json(*report.change_pct) : json(nullptr)},
          {"unpriced_models", report.unpriced_models}};
}

std::string unpriced_model_warning(const std::string& model) {
  return "model " + util::printable(model) +
         " has costs in this period but no price in model_prices; its stored costs are "
         "shown as recorded";
}

}  // namespace agentdb::cost
