// The results of `agentdb qdrant` as people and machines read them: text lines and tables, and
// the one JSON document of a --json run. Pure: `out` only decides colour, nothing is printed.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/output.hpp"
#include "qdrant/qdrant.hpp"

namespace agentdb::qdrant {

[[nodiscard]] nlohmann::json plan_json(const PlanResult& result);
[[nodiscard]] std::string plan_text(const PlanResult& result, const Output& out);

// "  + done: create payload index kind (keyword) on memory": one line per change made.
[[nodiscard]] std::string applied_line(const Change& change);
[[nodiscard]] nlohmann::json apply_json(const ApplyResult& result);
[[nodiscard]] std::string apply_text(const ApplyResult& result);

[[nodiscard]] nlohmann::json status_json(const StatusResult& result);
[[nodiscard]] std::string status_text(const StatusResult& result, const Output& out);

[[nodiscard]] nlohmann::json sync_check_json(const SyncCheckResult& result);
[[nodiscard]] std::string sync_check_text(const SyncCheckResult& result);

[[nodiscard]] nlohmann::json snapshot_json(const SnapshotResult& result);
[[nodiscard]] std::string snapshot_name(const SnapshotResult& result);
// "snapshot of memory: 1.2 MiB", for stderr.
[[nodiscard]] std::string snapshot_note(const SnapshotResult& result);

[[nodiscard]] nlohmann::json drop_json(const DropResult& result);
[[nodiscard]] std::string drop_text(const DropResult& result);

}  // namespace agentdb::qdrant
