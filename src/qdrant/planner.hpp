// What `qdrant apply` would do: the declared collections against the live server, as a list of
// changes. Pure: the live state comes in as Qdrant's own JSON, so it is tested without a server.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "qdrant/collections_file.hpp"

namespace agentdb::qdrant {

enum class ChangeKind { create, recreate, update, create_index, delete_index, aliases };

[[nodiscard]] const char* to_string(ChangeKind kind);

struct Change {
  ChangeKind kind = ChangeKind::create;
  std::string collection;
  std::string summary;               // one line for people
  std::vector<std::string> details;  // "hnsw_config.m: 16 -> 32"
  bool destructive = false;          // drops the collection's points
  nlohmann::json body;               // the request body apply sends
  std::string field;                 // the payload field, for index changes
};

struct LiveState {
  std::map<std::string, nlohmann::json> collections;  // name -> GET /collections/{name} result
  std::map<std::string, std::string> aliases;         // alias -> collection
};

struct Plan {
  std::vector<Change> changes;
  std::vector<std::string> undeclared;  // live collections the file does not declare: left alone

  [[nodiscard]] bool empty() const { return changes.empty(); }
  [[nodiscard]] bool destructive() const;
};

[[nodiscard]] Plan make_plan(const CollectionsFile& file, const LiveState& live);

}  // namespace agentdb::qdrant
