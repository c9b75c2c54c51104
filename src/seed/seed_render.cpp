#include "seed/seed_render.hpp"

#include <cstdio>

#include "core/output.hpp"
#include "util/strings.hpp"

namespace agentdb::seed {

using nlohmann::json;

namespace {

// Set, file and table names come from a seeds folder that others may write to: shown, never
// obeyed by the terminal.
std::string shown(std::string_view name) {
  return util::printable(name);
}

long long rows_per_second(const SynthReport& report) {
  return report.seconds > 0 ? static_cast<long long>(report.total_rows() / report.seconds) : 0;
}

}  // namespace

std::string sets_table(const std::vector<SetSummary>& sets) {
  Table table({"SET", "FILES", "ROWS", "TABLES"});
  for (const auto& set : sets) {
    std::string joined;
    for (const auto& t : set.tables)
      joined += (joined.empty() ? "" : ", ") + shown(t);
    table.add_row({shown(set.name), std::to_string(set.files), std::to_string(set.rows), joined});
  }
  return table.render();
}

json sets_json(const std::filesystem::path& dir, const std::vector<SetSummary>& sets) {
  json array = json::array();
  for (const auto& set : sets) {
    array.push_back(
        {{"name", set.name}, {"files", set.files}, {"rows", set.rows}, {"tables", set.tables}});
  }
  return {{"directory", dir.string()}, {"sets", array}};
}

std::vector<std::string> outcome_lines(const SetOutcome& outcome, Commit commit) {
  Table table({"FILE", "TABLE", "INSERTED", "UPDATED", "UNCHANGED"});
  for (const auto& f : outcome.files) {
    table.add_row({shown(f.path.filename().string()), shown(f.table), std::to_string(f.inserted),
                   std::to_string(f.updated), std::to_string(f.unchanged)});
  }
  const std::string prefix =
      (commit == Commit::no ? "dry run, rolled back: set " : "set ") + shown(outcome.name) + ": ";
  if (outcome.inserted() == 0 && outcome.updated() == 0) {
    return {table.render(), prefix + "nothing changed (" + std::to_string(outcome.unchanged()) +
                                " rows already as in the files)"};
  }
  return {table.render(), prefix + std::to_string(outcome.inserted()) + " inserted, " +
                              std::to_string(outcome.updated()) + " updated, " +
                              std::to_string(outcome.unchanged()) + " unchanged"};
}

json outcome_json(const SetOutcome& outcome) {
  json files = json::array();
  for (const auto& f : outcome.files) {
    files.push_back({{"file", f.path.string()},
                     {"table", f.table},
                     {"inserted", f.inserted},
                     {"updated", f.updated},
                     {"unchanged", f.unchanged}});
  }
  return {{"name", outcome.name},
          {"files", files},
          {"inserted", outcome.inserted()},
          {"updated", outcome.updated()},
          {"unchanged", outcome.unchanged()}};
}

json seed_json(const SeedResult& result) {
  json sets = json::array();
  for (const auto& outcome : result.sets)
    sets.push_back(outcome_json(outcome));
  return {{"dry_run", result.commit == Commit::no}, {"sets", sets}};
}

std::vector<std::string> synth_lines(const SynthReport& report, std::uint64_t random_seed) {
  Table table({"TABLE", "ROWS"});
  for (const auto& t : report.tables)
    table.add_row({t.table, std::to_string(t.rows)});
  char summary[160];
  std::snprintf(summary, sizeof summary,
                "wrote %lld rows in %.1f s (%lld rows/s), random seed %llu", report.total_rows(),
                report.seconds, rows_per_second(report),
                static_cast<unsigned long long>(random_seed));
  return {table.render(), summary};
}

json synth_json(const SynthReport& report, std::uint64_t random_seed) {
  json tables = json::array();
  for (const auto& t : report.tables)
    tables.push_back({{"table", t.table}, {"rows", t.rows}});
  return {{"tables", tables},
          {"rows", report.total_rows()},
          {"seconds", report.seconds},
          {"rows_per_second", rows_per_second(report)},
          {"random_seed", random_seed}};
}

std::string synth_progress_line(const std::string& table, long long done, long long planned) {
  char line[160];
  std::snprintf(line, sizeof line, "%-17s %12lld / %lld rows", table.c_str(), done, planned);
  return line;
}

}  // namespace agentdb::seed
