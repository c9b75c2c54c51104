#include "health/report.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "util/strings.hpp"

namespace agentdb::health {

namespace {

using nlohmann::json;

// Plugin numbers: plain decimals, no exponent, no trailing zeros.
std::string number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  std::string text = buffer;
  while (text.back() == '0')
    text.pop_back();
  if (text.back() == '.')
    text.pop_back();
  return text == "-0" ? "0" : text;
}

// Nagios ranges: "N" alerts above N; "N:" alerts below N.
std::string range(const std::optional<double>& limit, Direction direction) {
  if (!limit)
    return {};
  return direction == Direction::higher_is_worse ? number(*limit) : number(*limit) + ":";
}

Colour colour_of(Status status) {
  switch (status) {
    case Status::ok:
      return Colour::green;
    case Status::warning:
      return Colour::yellow;
    case Status::critical:
      return Colour::red;
    case Status::unknown:
    case Status::skipped:
      return Colour::dim;
  }
  return Colour::none;
}

std::string threshold_text(const CheckResult& check) {
  const auto* spec = find_check(check.name);
  if (spec == nullptr || (!check.thresholds.warning && !check.thresholds.critical))
    return "-";
  const char* sign = spec->direction == Direction::higher_is_worse ? ">" : "<";
  std::string text;
  if (check.thresholds.warning)
    text += std::string("w") + sign + format_value(*check.thresholds.warning, check.unit);
  if (check.thresholds.critical) {
    text += (text.empty() ? "" : " ");
    text += std::string("c") + sign + format_value(*check.thresholds.critical, check.unit);
  }
  return text;
}

json optional_number(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

const char* unit_name(Unit unit) {
  switch (unit) {
    case Unit::milliseconds:
      return "ms";
    case Unit::seconds:
      return "s";
    case Unit::percent:
      return "%";
    case Unit::count:
      return "count";
    case Unit::bytes:
      return "bytes";
    case Unit::version:
      return "major";
  }
  return "";
}

}  // namespace

// Summaries and the database name may quote the server (names, queries, errors): shown as text.
std::string render_table(const HealthReport& report, const Output& out) {
  Table table({"CHECK", "STATUS", "VALUE", "THRESHOLDS", "DETAIL"});
  for (const auto& check : report.checks) {
    table.add_row({check.name, out.paint(colour_of(check.status), to_string(check.status)),
                   check.value ? format_value(*check.value, check.unit) : "-",
                   threshold_text(check), util::printable(check.summary)});
  }
  const auto status = overall(report);
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.0f ms", report.elapsed_ms);
  return table.render() + "\n" + out.paint(colour_of(status), to_string(status)) + ": " +
         (report.database.empty() ? "" : util::printable(report.database) + ", ") +
         std::to_string(report.checks.size()) + " checks in " + elapsed;
}

json report_json(const HealthReport& report) {
  json checks = json::array();
  for (const auto& check : report.checks) {
    checks.push_back({{"name", check.name},
                      {"status", to_string(check.status)},
                      {"value", optional_number(check.value)},
                      {"unit", unit_name(check.unit)},
                      {"warning", optional_number(check.thresholds.warning)},
                      {"critical", optional_number(check.thresholds.critical)},
                      {"summary", check.summary},
                      {"detail", check.detail}});
  }
  const auto status = overall(report);
  return {{"status", to_string(status)},
          {"exit_code", exit_code(status)},
          {"database", report.database},
          {"elapsed_ms", report.elapsed_ms},
          {"checks", checks}};
}

std::string perfdata_text(const Perfdata& item) {
  std::string label = item.label;
  for (auto& c : label) {
    if (c == '\'' || c == '=' || c == ' ')
      c = '_';
  }
  std::string text = "'" + label + "'=" + number(item.value) + item.uom + ";" +
                     range(item.thresholds.warning, item.direction) + ";" +
                     range(item.thresholds.critical, item.direction) + ";" +
                     (item.min ? number(*item.min) : "") + ";" +
                     (item.max ? number(*item.max) : "");
  while (text.back() == ';')
    text.pop_back();
  return text;
}

std::string render_nagios(const HealthReport& report) {
  const auto status = overall(report);
  std::vector<std::string> problems;
  int unknown = 0;
  int ok = 0;
  int skipped = 0;
  for (const auto& check : report.checks) {
    if (check.status == Status::ok) {
      ++ok;
    } else if (check.status == Status::skipped) {
      ++skipped;
    } else if (check.status == Status::unknown && status == Status::critical &&
               check.summary.starts_with("not run")) {
      ++unknown;  // checks an unreachable server made impossible: counted, not listed
    } else {
      problems.push_back(check.name + " " + to_string(check.status) + ": " + check.summary);
    }
  }
  std::string summary;
  if (problems.empty()) {
    summary = std::to_string(ok) + " checks OK";
    if (skipped > 0)
      summary += ", " + std::to_string(skipped) + " skipped";
  } else {
    summary = util::join(problems, "; ");
    if (unknown > 0)
      summary += "; " + std::to_string(unknown) + " not run (UNKNOWN)";
  }
  std::vector<std::string> perfdata;
  for (const auto& check : report.checks) {
    for (const auto& item : check.perfdata)
      perfdata.push_back(perfdata_text(item));
  }
  // The plugin format has one '|' before perfdata; keep it out of the text part.
  for (auto& c : summary) {
    if (c == '|')
      c = '/';
  }
  return "AGENTDB " + std::string(to_string(status)) + " - " +
         util::printable(util::one_line(summary)) +
         (perfdata.empty() ? "" : " | " + util::join(perfdata, " "));
}

void print_report(const HealthReport& report, ReportFormat format, const Output& out) {
  switch (format) {
    case ReportFormat::json:
      out.emit(report_json(report));
      break;
    case ReportFormat::nagios:
      out.print_always(render_nagios(report));
      break;
    case ReportFormat::table:
      out.print(render_table(report, out));
      break;
  }
  std::cout.flush();
  std::fflush(stdout);
}

}  // namespace agentdb::health
