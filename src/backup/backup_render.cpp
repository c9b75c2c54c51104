#include "backup/backup_render.hpp"

#include <chrono>
#include <cstdio>

#include "core/output.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::backup {

using nlohmann::json;

namespace {

long long total_rows(const Manifest& m) {
  long long rows = 0;
  for (const auto& table : m.tables)
    rows += table.data_excluded ? 0 : table.rows;
  return rows;
}

// Text read from a backup's files (ids, labels, paths, dates), shown on a terminal.
std::string shown(std::string_view text) {
  return util::printable(text);
}

std::string verified_text(const Manifest& m) {
  if (!m.verification)
    return "no";
  if (!m.verification->ok)
    return "FAILED " + m.verification->at.substr(0, 10);
  return m.verification->method + " " + m.verification->at.substr(0, 10);
}

std::string age_text(const std::string& started_at) {
  const auto created = util::parse_iso_utc(started_at);
  if (!created)
    return "?";
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *created)
          .count();
  if (seconds < 120)
    return std::to_string(std::max<long long>(seconds, 0)) + "s";
  if (seconds < 7200)
    return std::to_string(seconds / 60) + "m";
  if (seconds < 172800)
    return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

std::string migration_text(const Manifest& m) {
  return m.migration_version ? std::to_string(*m.migration_version) : "-";
}

// "12.3 s"
std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", seconds);
  return text;
}

}  // namespace

json entry_json(const Entry& entry) {
  const auto& m = entry.manifest;
  if (entry.damaged()) {
    return {{"id", m.id},
            {"created_at", m.started_at.empty() ? json(nullptr) : json(m.started_at)},
            {"verified", false},
            {"damaged", entry.damage},
            {"path", entry.dir.string()}};
  }
  return {{"id", m.id},
          {"created_at", m.started_at},
          {"size_bytes", m.size_bytes},
          {"format", to_string(m.format)},
          {"migration_version", m.migration_version ? json(*m.migration_version) : json(nullptr)},
          {"verified", m.verified()},
          {"verified_at", m.verification ? json(m.verification->at) : json(nullptr)},
          {"label", m.label},
          {"database", m.database},
          {"tables", m.tables.size()},
          {"rows", total_rows(m)},
          {"duration_seconds", m.duration_seconds},
          {"taken_from", m.taken_from ? json{{"role", m.taken_from->role},
                                             {"member", m.taken_from->member},
                                             {"wal_lsn", m.taken_from->wal_lsn}}
                                      : json(nullptr)},
          {"damaged", nullptr},
          {"path", entry.dir.string()}};
}

std::vector<std::string> created_lines(const Entry& entry) {
  const auto& m = entry.manifest;
  std::vector<std::string> lines{"backup " + shown(m.id) + " created: " + to_string(m.format) +
                                     ", " + util::human_bytes(m.size_bytes) + ", " +
                                     std::to_string(m.tables.size()) + " tables, " +
                                     std::to_string(total_rows(m)) + " rows, migration " +
                                     migration_text(m) + ", in " + seconds_text(m.duration_seconds),
                                 "  " + shown(entry.dir.string())};
  if (m.taken_from) {
    lines.push_back("  taken from the " + m.taken_from->role + " " + shown(m.taken_from->member) +
                    " at WAL " + shown(m.taken_from->wal_lsn));
  }
  return lines;
}

std::string catalogue_table(const std::vector<Entry>& entries) {
  Table table({"ID", "CREATED", "AGE", "SIZE", "FORMAT", "MIGRATION", "VERIFIED", "LABEL"});
  for (const auto& entry : entries) {
    const auto& m = entry.manifest;
    if (entry.damaged()) {
      const auto created = m.started_at.empty() ? std::string("?") : m.started_at;
      table.add_row({shown(m.id), created, age_text(m.started_at), "?", "?", "-", "DAMAGED",
                     "(see the warning)"});
      continue;
    }
    table.add_row({shown(m.id), shown(m.started_at), age_text(m.started_at),
                   util::human_bytes(m.size_bytes), to_string(m.format), migration_text(m),
                   shown(verified_text(m)), shown(m.label)});
  }
  return table.render();
}

json catalogue_json(const std::vector<Entry>& entries) {
  json array = json::array();
  for (const auto& entry : entries)
    array.push_back(entry_json(entry));
  return array;
}

std::string files_check_line(const Entry& entry, const FilesCheck& check) {
  return "backup " + shown(entry.manifest.id) + ": " + std::to_string(check.files) +
         " file(s) match their checksums; pg_restore reads " + std::to_string(check.toc_entries) +
         " table-of-contents entries";
}

std::string restore_check_line(const RestoreCheck& check) {
  return "restored into a scratch database (dropped again): " + describe(check) + " (" +
         seconds_text(check.seconds) + "); recorded in the manifest";
}

json verify_json(const Entry& entry, const FilesCheck& files,
                 const std::optional<RestoreCheck>& restored) {
  json document = {{"id", entry.manifest.id},
                   {"files", files.files},
                   {"toc_entries", files.toc_entries},
                   {"checksums_ok", true}};
  if (restored) {
    document["restore"] = {
        {"tables", restored->tables}, {"rows", restored->rows}, {"seconds", restored->seconds}};
  }
  document["verified"] = restored.has_value();
  return document;
}

std::string restored_line(const RestoreResult& result) {
  return "restored backup " + shown(result.id) + " into database " + shown(result.target) + " in " +
         seconds_text(result.seconds);
}

std::string kept_line(const PrunedBackup& backup) {
  return "keeping " + shown(backup.decision.id) + " (" + util::join(backup.decision.reasons, ", ") +
         ")";
}

std::string removed_line(const PrunedBackup& backup, PruneMode mode) {
  return (mode == PruneMode::dry_run ? "would remove " : "removed ") + shown(backup.decision.id) +
         " (" + util::human_bytes(backup.size_bytes) + ")";
}

std::string prune_summary(const PruneResult& result) {
  return std::to_string(result.removed.size()) +
         (result.mode == PruneMode::dry_run ? " would be" : "") + " removed, " +
         std::to_string(result.kept.size()) + " kept";
}

json prune_json(const PruneResult& result) {
  json removed = json::array();
  json kept = json::array();
  for (const auto& backup : result.removed)
    removed.push_back(backup.decision.id);
  for (const auto& backup : result.kept)
    kept.push_back({{"id", backup.decision.id}, {"reasons", backup.decision.reasons}});
  return {{"dry_run", result.mode == PruneMode::dry_run}, {"removed", removed}, {"kept", kept}};
}

std::string progress_line(const ToolProgress& progress) {
  const auto elapsed = util::human_duration(progress.elapsed);
  if (progress.tool == "pg_restore") {
    return "pg_restore: " + util::human_bytes(progress.bytes) + " of ~" +
           util::human_bytes(progress.expected_bytes) + ", " + elapsed;
  }
  return std::string(progress.tool) + ": " + util::human_bytes(progress.bytes) + " written, " +
         elapsed;
}

std::vector<std::string> damage_warnings(const std::vector<Entry>& entries) {
  std::vector<std::string> warnings;
  for (const auto& entry : entries) {
    if (entry.damaged())
      warnings.emplace_back(damaged_backup(entry.manifest.id, entry.damage).what());
  }
  return warnings;
}

}  // namespace agentdb::backup
