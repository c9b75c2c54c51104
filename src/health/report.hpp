// How a health run is shown: an aligned table for people, one JSON document for machines, and the
// one-line Nagios/Icinga plugin output with perfdata.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/output.hpp"
#include "health/check.hpp"

namespace agentdb::health {

struct Report {
  std::vector<CheckResult> checks;
  std::string database;  // display form, never a password
  double elapsed_ms = 0;
};

[[nodiscard]] Status overall(const Report& report);
[[nodiscard]] std::string render_table(const Report& report, const Output& out);
[[nodiscard]] nlohmann::json report_json(const Report& report);
// "AGENTDB CRITICAL - connection: cannot connect ...; 9 UNKNOWN | 'connect_time'=...".
[[nodiscard]] std::string render_nagios(const Report& report);
// One perfdata item in the plugin format: 'label'=value[uom];warn;crit;min;max.
[[nodiscard]] std::string perfdata_text(const Perfdata& item);

}  // namespace agentdb::health
