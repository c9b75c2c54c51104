#include "cost/render.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/output.hpp"
#include "util/strings.hpp"

namespace agentdb::cost {

namespace {

using nlohmann::json;

std::string ms_text(const std::optional<double>& ms) {
  if (!ms)
    return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f", *ms);
  return buffer;
}

// Thousands separators for counts: 1234567 -> 1,234,567.
std::string grouped_digits(long long value) {
  auto text = std::to_string(value);
  for (int i = static_cast<int>(text.size()) - 3; i > (value < 0 ? 1 : 0); i -= 3)
    text.insert(static_cast<std::size_t>(i), ",");
  return text;
}

std::string key_text(const Figures& f) {
  return f.label.empty() ? f.key : f.label + " (" + f.key.substr(0, 8) + ")";
}

std::string escape_html(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos)
    return text;
  std::string out = "\"";
  for (const char c : text)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

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

std::string period_text(const Report& report) {
  return report.window.from.text() + " to " + report.window.to.text() + " (" +
         std::to_string(report.window.days()) + " days, " + report.filters.tz + ")";
}

}  // namespace

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

std::string render_table(const Report& report, bool with_sparkline, bool show_share) {
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
  for (const auto& group : report.groups)
    table.add_row(row_of(group, key_text(group)));
  table.add_row(row_of(report.total, "TOTAL"));
  std::string text = "LLM cost, " + period_text(report) + "\n" + table.render() + "\n";
  text +=
      "previous " + std::to_string(report.window.days()) + " days: " + report.previous.cost_cents +
      " USD" +
      (report.change_pct ? ", change " + std::string(report.change_pct->front() == '-' ? "" : "+") +
                               *report.change_pct + "%"
                         : std::string(", no cost to compare with"));
  if (with_sparkline && !report.daily_cost.empty()) {
    std::vector<double> values;
    for (const auto& [day, cost] : report.daily_cost)
      values.push_back(cost);
    text += "\ndaily cost: " + sparkline(values);
  }
  return text;
}

std::string render_csv(const Report& report) {
  std::string text = std::string(to_string(report.group_by)) +
                     ",label,cost_usd,requests,prompt_tokens,completion_tokens,total_tokens,"
                     "avg_execution_ms,p95_execution_ms\n";
  const auto line = [&](const Figures& f, const std::string& key) {
    text += csv_field(key) + "," + csv_field(f.label) + "," + f.cost_usd + "," +
            std::to_string(f.requests) + "," + std::to_string(f.prompt_tokens) + "," +
            std::to_string(f.completion_tokens) + "," + std::to_string(f.total_tokens) + "," +
            (f.avg_ms ? ms_text(f.avg_ms) : "") + "," + (f.p95_ms ? ms_text(f.p95_ms) : "") + "\n";
  };
  for (const auto& group : report.groups)
    line(group, group.key);
  line(report.total, "TOTAL");
  return text;
}

json report_json(const Report& report, bool show_share) {
  json groups = json::array();
  for (const auto& group : report.groups) {
    auto item = figures_json(group);
    if (show_share)
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

std::string render_html(const Report& report) {
  // The chart: daily cost stacked by provider, one bar a day, in plain SVG (no script, no fonts
  // fetched), so the file opens anywhere, offline.
  constexpr double kWidth = 900;
  constexpr double kHeight = 280;
  constexpr double kLeft = 60;
  constexpr double kBottom = 30;
  static constexpr const char* kColours[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
                                             "#59a14f", "#edc948", "#b07aa1", "#ff9da7"};
  const auto days = report.daily_cost.size();
  double top = 0;
  for (const auto& [day, cost] : report.daily_cost)
    top = std::max(top, cost);
  if (top <= 0)
    top = 1;
  const double plot_w = kWidth - kLeft - 10;
  const double plot_h = kHeight - kBottom - 10;
  const double bar_w = days > 0 ? plot_w / static_cast<double>(days) : plot_w;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"daily-cost\" role=\"img\" "
         "aria-label=\"Daily cost by provider\" viewBox=\"0 0 "
      << kWidth << " " << kHeight << "\" width=\"" << kWidth << "\" height=\"" << kHeight << "\">";
  for (int tick = 0; tick <= 4; ++tick) {
    const double y = 10 + plot_h - plot_h * tick / 4;
    char label[32];
    std::snprintf(label, sizeof label, "$%.2f", top * tick / 4);
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kWidth - 10 << "\" y1=\"" << y << "\" y2=\"" << y
        << "\" stroke=\"#ddd\"/><text x=\"" << kLeft - 6 << "\" y=\"" << y + 4
        << "\" font-size=\"11\" text-anchor=\"end\">" << label << "</text>";
  }
  std::vector<double> stacked(days, 0.0);
  std::size_t colour = 0;
  std::string legend;
  for (const auto& [provider, series] : report.daily_cost_by_provider) {
    const char* fill = kColours[colour++ % std::size(kColours)];
    for (std::size_t i = 0; i < days && i < series.size(); ++i) {
      if (series[i] <= 0)
        continue;
      const double h = series[i] / top * plot_h;
      const double y = 10 + plot_h - stacked[i] / top * plot_h - h;
      char cost[32];
      std::snprintf(cost, sizeof cost, "%.2f", series[i]);
      svg << "<rect class=\"bar\" x=\"" << kLeft + static_cast<double>(i) * bar_w + 0.5 << "\" y=\""
          << y << "\" width=\"" << std::max(1.0, bar_w - 1) << "\" height=\"" << h << "\" fill=\""
          << fill << "\"><title>" << escape_html(report.daily_cost[i].first) << " "
          << escape_html(provider) << ": $" << cost << "</title></rect>";
      stacked[i] += series[i];
    }
    legend += "<span class=\"key\"><span class=\"swatch\" style=\"background:" + std::string(fill) +
              "\"></span>" + escape_html(provider) + "</span>";
  }
  if (days > 0) {
    svg << "<text x=\"" << kLeft << "\" y=\"" << kHeight - 8 << "\" font-size=\"11\">"
        << report.daily_cost.front().first << "</text><text x=\"" << kWidth - 10 << "\" y=\""
        << kHeight - 8 << "\" font-size=\"11\" text-anchor=\"end\">"
        << report.daily_cost.back().first << "</text>";
  }
  svg << "</svg>";

  std::ostringstream rows;
  for (const auto& group : report.groups) {
    rows << "<tr><td>" << escape_html(key_text(group)) << "</td><td class=\"n\">"
         << group.cost_cents << "</td><td class=\"n\">"
         << share_percent(group.cost_usd, report.total.cost_usd) << "</td><td class=\"n\">"
         << grouped_digits(group.requests) << "</td><td class=\"n\">"
         << grouped_digits(group.total_tokens) << "</td><td class=\"n\">" << ms_text(group.avg_ms)
         << "</td><td class=\"n\">" << ms_text(group.p95_ms) << "</td></tr>\n";
  }
  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       << "<title>LLM cost " << report.window.from.text() << " to " << report.window.to.text()
       << "</title><style>"
       << "body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:960px}"
       << "h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;margin-top:1rem}"
       << "th,td{padding:.3rem .6rem;border-bottom:1px solid #e5e5e5;text-align:left}"
       << "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
       << "tfoot td{font-weight:600}.summary{display:flex;gap:2rem;margin:1rem 0}"
       << ".summary div{background:#f6f6f6;padding:.6rem 1rem;border-radius:6px}"
       << ".summary b{display:block;font-size:1.3rem}.key{margin-right:1rem}"
       << ".swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem}"
       << ".warn{color:#a33}</style></head><body>\n"
       << "<h1>LLM cost, " << escape_html(period_text(report)) << "</h1>\n"
       << "<div class=\"summary\"><div>Total<b id=\"total-cost\">$" << report.total.cost_cents
       << "</b></div><div>Requests<b>" << grouped_digits(report.total.requests)
       << "</b></div><div>Tokens<b>" << grouped_digits(report.total.total_tokens)
       << "</b></div><div>Previous period<b>$" << report.previous.cost_cents << "</b>"
       << "<small>"
       << (report.change_pct
               ? "change " + std::string(report.change_pct->front() == '-' ? "" : "+") +
                     escape_html(*report.change_pct) + "%"
               : std::string("no earlier cost to compare"))
       << "</small>"
       << "</div></div>\n";
  if (!report.unpriced_models.empty()) {
    std::string models;
    for (const auto& model : report.unpriced_models)
      models += (models.empty() ? "" : ", ") + escape_html(model);
    page << "<p class=\"warn\">Models without a price in model_prices: " << models << "</p>\n";
  }
  page << "<h2>Daily cost by provider</h2>\n"
       << svg.str() << "\n<div>" << legend << "</div>\n"
       << "<h2>By " << to_string(report.group_by) << "</h2>\n<table id=\"groups\"><thead><tr><th>"
       << to_string(report.group_by)
       << "</th><th class=\"n\">Cost USD</th><th class=\"n\">Share</th><th "
          "class=\"n\">Requests</th><th class=\"n\">Tokens</th><th class=\"n\">Avg ms</th><th "
          "class=\"n\">P95 ms</th></tr></thead><tbody>\n"
       << rows.str() << "</tbody><tfoot><tr><td>Total</td><td class=\"n\">"
       << report.total.cost_cents << "</td><td class=\"n\">100.0%</td><td class=\"n\">"
       << grouped_digits(report.total.requests) << "</td><td class=\"n\">"
       << grouped_digits(report.total.total_tokens) << "</td><td class=\"n\">"
       << ms_text(report.total.avg_ms) << "</td><td class=\"n\">" << ms_text(report.total.p95_ms)
       << "</td></tr></tfoot></table>\n</body></html>\n";
  return page.str();
}

}  // namespace agentdb::cost
