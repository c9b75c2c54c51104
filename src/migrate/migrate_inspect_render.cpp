#include <nlohmann/json.hpp>

#include <chrono>

#include "migrate/migrate_render.hpp"
#include "migrate/roundtrip_render.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::migrate {

namespace {

using nlohmann::json;

Colour colour_of(RevisionState state) {
  switch (state) {
    case RevisionState::applied:
      return Colour::green;
    case RevisionState::pending:
      return Colour::yellow;
    default:
      return Colour::red;
  }
}

json finding_json(const LintFinding& finding) {
  return {{"file", finding.file},
          {"line", finding.line},
          {"rule", finding.rule->id},
          {"severity", to_string(finding.rule->severity)},
          {"message", finding.rule->problem},
          {"subject", finding.subject},
          {"instead", finding.rule->instead}};
}

json status_json(const StatusResult& result) {
  json migrations = json::array();
  for (const auto& entry : result.entries) {
    migrations.push_back(
        {{"version", version_text(entry.version)},
         {"name", entry.name},
         {"state", to_string(entry.state)},
         {"applied_at", entry.applied_at ? json(*entry.applied_at) : json(nullptr)}});
  }
  return {{"current", result.current ? json(version_text(*result.current)) : json(nullptr)},
          {"database", result.database},
          {"directory", result.dir.string()},
          {"migrations", migrations}};
}

json history_json(const HistoryResult& result) {
  json rows = json::array();
  for (const auto& e : result.entries) {
    rows.push_back({{"version", version_text(e.version)},
                    {"name", e.name},
                    {"action", e.action},
                    {"status", e.status},
                    {"at", e.at},
                    {"duration_ms", e.duration_ms},
                    {"by", e.by},
                    {"detail", e.detail.empty() ? json(nullptr) : json(e.detail)}});
  }
  return {{"history", rows}};
}

}  // namespace

std::string finding_text(const Output& out, const LintFinding& finding) {
  const auto severity = finding.rule->severity;
  const auto label =
      out.paint(severity == Severity::error ? Colour::red : Colour::yellow, to_string(severity));
  std::string text = util::printable(finding.file) + ":" + std::to_string(finding.line) + ": " +
                     label + ": " + std::string(finding.rule->problem);
  if (!finding.subject.empty())
    text += " (" + util::printable(finding.subject) + ")";
  text += " [" + std::string(finding.rule->id) +
          "]\n    instead: " + std::string(finding.rule->instead);
  return text;
}

nlohmann::json lint_json(const std::vector<LintFinding>& findings) {
  json list = json::array();
  for (const auto& finding : findings)
    list.push_back(finding_json(finding));
  return list;
}

void show_status(const Output& out, const StatusResult& result) {
  if (out.json()) {
    out.emit(status_json(result));
    return;
  }
  // Names, users and details of the history come from the database: shown as text.
  Table table({"VERSION", "NAME", "STATE", "APPLIED AT"});
  for (const auto& entry : result.entries) {
    table.add_row({version_text(entry.version), util::printable(entry.name),
                   out.paint(colour_of(entry.state), to_string(entry.state)),
                   util::printable(entry.applied_at.value_or("-"))});
  }
  if (!result.entries.empty())
    out.print(table.render());
  std::string summary =
      "database " + util::printable(result.database) + " is at " +
      (result.current ? version_text(*result.current) : std::string("no revision"));
  for (const auto state :
       {RevisionState::pending, RevisionState::out_of_order, RevisionState::modified,
        RevisionState::missing, RevisionState::failed}) {
    if (const int n = result.count(state))
      summary += "; " + std::to_string(n) + " " + to_string(state);
  }
  out.print(summary);
}

void show_history(const Output& out, const HistoryResult& result) {
  if (out.json()) {
    out.emit(history_json(result));
    return;
  }
  if (result.entries.empty()) {
    out.print("no migrations have been run on " + util::printable(result.database));
    return;
  }
  Table table({"AT", "ACTION", "VERSION", "NAME", "STATUS", "DURATION", "BY"});
  for (const auto& e : result.entries) {
    table.add_row({util::printable(e.at), util::printable(e.action), version_text(e.version),
                   util::printable(e.name), util::printable(e.status),
                   util::human_duration(std::chrono::milliseconds(e.duration_ms)),
                   util::printable(e.by)});
  }
  out.print(table.render());
}

void show_new_revision(const Output& out, const NewRevisionResult& result) {
  if (out.json()) {
    out.emit(json{{"version", version_text(result.version)},
                  {"up", result.up.string()},
                  {"down", result.down.string()}});
  } else {
    out.print("created " + result.up.string());
    out.print("created " + result.down.string());
  }
}

void show_drift(const Output& out, const ChecksumResult& checksums) {
  if (out.json())
    return;
  for (const auto& drift : checksums.drift) {
    out.print(out.paint(Colour::red, to_string(drift.state)) + "  " + version_text(drift.version) +
              " " + util::printable(drift.name + ": " + drift.detail));
  }
}

void show_verify(const Output& out, const ChecksumResult& checksums,
                 const std::optional<RoundtripResult>& roundtrip) {
  const auto checked = checksums.checked;
  if (out.json()) {
    json drift = json::array();
    for (const auto& d : checksums.drift) {
      drift.push_back({{"version", version_text(d.version)},
                       {"name", d.name},
                       {"state", to_string(d.state)},
                       {"detail", d.detail}});
    }
    json document = {{"checked", checked}, {"drift", drift}};
    if (roundtrip)
      document["roundtrip"] = roundtrip_json(*roundtrip);
    out.emit(document);
    return;
  }
  out.print("checksums: " + std::to_string(checked - static_cast<int>(checksums.drift.size())) +
            " of " + std::to_string(checked) + " applied revisions match their files");
  if (roundtrip)
    print_roundtrip(out, *roundtrip);
}

void show_lint(const Output& out, const LintResult& result) {
  const int errors = result.errors();
  const int warnings = result.warnings();
  if (out.json()) {
    out.emit({{"files", result.files},
              {"errors", errors},
              {"warnings", warnings},
              {"findings", lint_json(result.findings)}});
    return;
  }
  for (const auto& finding : result.findings)
    out.print(finding_text(out, finding));
  out.print(std::to_string(result.files) + " file(s) checked: " + std::to_string(errors) +
            " error(s), " + std::to_string(warnings) + " warning(s)");
}

}  // namespace agentdb::migrate
