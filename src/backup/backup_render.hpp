// `agentdb backup`'s output: pure functions from backup's results to text and JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "backup/backup.hpp"

namespace agentdb::backup {

[[nodiscard]] nlohmann::json entry_json(const Entry& entry);

// create: "backup ID created: ..." and the folder.
[[nodiscard]] std::vector<std::string> created_lines(const Entry& entry);

// list: the catalogue as a table, or as a JSON array.
[[nodiscard]] std::string catalogue_table(const std::vector<Entry>& entries);
[[nodiscard]] nlohmann::json catalogue_json(const std::vector<Entry>& entries);

// verify
[[nodiscard]] std::string files_check_line(const Entry& entry, const FilesCheck& check);
[[nodiscard]] std::string restore_check_line(const RestoreCheck& check);
[[nodiscard]] nlohmann::json verify_json(const Entry& entry, const FilesCheck& files,
                                         const std::optional<RestoreCheck>& restored);

// restore
[[nodiscard]] std::string restored_line(const RestoreResult& result);

// prune: a line per backup ("keeping" is a detail), the summary, the JSON document.
[[nodiscard]] std::string kept_line(const PrunedBackup& backup);
[[nodiscard]] std::string removed_line(const PrunedBackup& backup, PruneMode mode);
[[nodiscard]] std::string prune_summary(const PruneResult& result);
[[nodiscard]] nlohmann::json prune_json(const PruneResult& result);

// list: "backup ID is damaged: WHY" for each damaged entry, the warnings beside the table.
[[nodiscard]] std::vector<std::string> damage_warnings(const std::vector<Entry>& entries);

// The text of pg_dump's or pg_restore's progress line ("pg_dump: 2.5 MB written, 1.5 s"), for a
// ProgressLine.
[[nodiscard]] std::string progress_line(const ToolProgress& progress);

}  // namespace agentdb::backup
