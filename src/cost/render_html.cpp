// The self-contained HTML page of a report: the chart is plain SVG (no script, no fonts fetched),
// so the file opens anywhere, offline.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "cost/render.hpp"
#include "cost/render_parts.hpp"

namespace agentdb::cost {

namespace {

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

struct Chart {
  std::string svg;
  std::string legend;  // a swatch and a name per provider
};

// Daily cost stacked by provider, one bar a day.
Chart daily_cost_chart(const Report& report) {
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
  Chart chart;
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
    chart.legend +=
        "<span class=\"key\"><span class=\"swatch\" style=\"background:" + std::string(fill) +
        "\"></span>" + escape_html(provider) + "</span>";
  }
  if (days > 0) {
    svg << "<text x=\"" << kLeft << "\" y=\"" << kHeight - 8 << "\" font-size=\"11\">"
        << report.daily_cost.front().first << "</text><text x=\"" << kWidth - 10 << "\" y=\""
        << kHeight - 8 << "\" font-size=\"11\" text-anchor=\"end\">"
        << report.daily_cost.back().first << "</text>";
  }
  svg << "</svg>";
  chart.svg = svg.str();
  return chart;
}

std::string group_rows(const Report& report) {
  std::ostringstream rows;
  for (const auto& group : report.groups) {
    rows << "<tr><td>" << escape_html(key_text(group)) << "</td><td class=\"n\">"
         << group.cost_cents << "</td><td class=\"n\">"
         << share_percent(group.cost_usd, report.total.cost_usd) << "</td><td class=\"n\">"
         << grouped_digits(group.requests) << "</td><td class=\"n\">"
         << grouped_digits(group.total_tokens) << "</td><td class=\"n\">" << ms_text(group.avg_ms)
         << "</td><td class=\"n\">" << ms_text(group.p95_ms) << "</td></tr>\n";
  }
  return rows.str();
}

constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:960px}"
    "h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;margin-top:1rem}"
    "th,td{padding:.3rem .6rem;border-bottom:1px solid #e5e5e5;text-align:left}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tfoot td{font-weight:600}.summary{display:flex;gap:2rem;margin:1rem 0}"
    ".summary div{background:#f6f6f6;padding:.6rem 1rem;border-radius:6px}"
    ".summary b{display:block;font-size:1.3rem}.key{margin-right:1rem}"
    ".swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem}"
    ".warn{color:#a33}";

// The heading, the boxes with the totals, and the models without a price.
std::string summary_html(const Report& report) {
  std::ostringstream page;
  page << "<h1>LLM cost, " << escape_html(period_text(report)) << "</h1>\n"
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
  return page.str();
}

}  // namespace

std::string render_html(const Report& report) {
  const auto chart = daily_cost_chart(report);
  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       << "<title>LLM cost " << report.window.from.text() << " to " << report.window.to.text()
       << "</title><style>" << kStyle << "</style></head><body>\n"
       << summary_html(report);
  page << "<h2>Daily cost by provider</h2>\n"
       << chart.svg << "\n<div>" << chart.legend << "</div>\n"
       << "<h2>By " << to_string(report.group_by) << "</h2>\n<table id=\"groups\"><thead><tr><th>"
       << to_string(report.group_by)
       << "</th><th class=\"n\">Cost USD</th><th class=\"n\">Share</th><th "
          "class=\"n\">Requests</th><th class=\"n\">Tokens</th><th class=\"n\">Avg ms</th><th "
          "class=\"n\">P95 ms</th></tr></thead><tbody>\n"
       << group_rows(report) << "</tbody><tfoot><tr><td>Total</td><td class=\"n\">"
       << report.total.cost_cents << "</td><td class=\"n\">100.0%</td><td class=\"n\">"
       << grouped_digits(report.total.requests) << "</td><td class=\"n\">"
       << grouped_digits(report.total.total_tokens) << "</td><td class=\"n\">"
       << ms_text(report.total.avg_ms) << "</td><td class=\"n\">" << ms_text(report.total.p95_ms)
       << "</td></tr></tfoot></table>\n</body></html>\n";
  return page.str();
}

}  // namespace agentdb::cost
