// A cost report as people and machines read it: an aligned table (money to the cent, a sparkline
// of daily cost on a terminal), CSV, JSON (money as decimal strings), and a self-contained HTML
// page with an SVG chart of daily cost by provider.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "cost/report.hpp"

namespace agentdb::cost {

[[nodiscard]] std::string render_table(const Report& report, bool sparkline, bool show_share);
[[nodiscard]] std::string render_csv(const Report& report);
[[nodiscard]] nlohmann::json report_json(const Report& report, bool show_share);
[[nodiscard]] std::string render_html(const Report& report);

// "▁▂▄█" for the values, scaled to the largest.
[[nodiscard]] std::string sparkline(const std::vector<double>& values);

// cost / total as a percentage with one decimal, from the exact decimal strings.
[[nodiscard]] std::string share_percent(const std::string& cost, const std::string& total);

}  // namespace agentdb::cost
