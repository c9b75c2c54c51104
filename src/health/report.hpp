// How a health run is shown: an aligned table for people, one JSON document for machines, and the
// one-line Nagios/Icinga plugin output with perfdata.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/output.hpp"
#include "health/health.hpp"

namespace agentdb::health {

[[nodiscard]] std::string render_table(const HealthReport& report, const Output& out);
[[nodiscard]] nlohmann::json report_json(const HealthReport& report);
// "AGENTDB CRITICAL - connection: cannot connect ...; 9 UNKNOWN | 'connect_time'=...".
[[nodiscard]] std::string render_nagios(const HealthReport& report);
enum class ReportFormat { table, json, nagios };
// Prints the report in `format` and flushes stdout (the process may end right after).
void print_report(const HealthReport& report, ReportFormat format, const Output& out);

// One perfdata item in the plugin format: 'label'=value[uom];warn;crit;min;max.
[[nodiscard]] std::string perfdata_text(const Perfdata& item);

}  // namespace agentdb::health
