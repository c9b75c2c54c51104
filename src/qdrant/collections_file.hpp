// The declared collections (qdrant/collections.json): each collection's Qdrant parameters in the
// shape of Qdrant's own create-collection body, plus what agentdb manages around it: payload
// indexes, aliases, and the SQL count of the PostgreSQL rows it mirrors.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/toml.hpp"

namespace agentdb::qdrant {

struct CollectionSpec {
  std::string name;
  nlohmann::json create_body;                             // PUT /collections/{name}
  std::map<std::string, nlohmann::json> payload_indexes;  // field -> "keyword" or {"type": ...}
  std::vector<std::string> aliases;
  std::optional<std::string> count_sql;  // sync-check: the PostgreSQL rows it mirrors
  // Whether the file declares payload_indexes / aliases at all: only then are undeclared ones on
  // the server deleted (a key left out is left to the server, like every other key).
  bool manages_indexes = false;
  bool manages_aliases = false;
};

struct CollectionsFile {
  std::string source;
  std::vector<CollectionSpec> collections;

  [[nodiscard]] const CollectionSpec* find(const std::string& name) const;
};

// Throws Error(usage) naming the file and the JSON path of the first problem,
// e.g. "$.collections.memory.vectors.size: must be a whole number of at least 1".
[[nodiscard]] CollectionsFile parse_collections(std::string_view text, const std::string& source);
[[nodiscard]] CollectionsFile load_collections(const std::filesystem::path& path);

// Collections declared in agentdb.toml under [qdrant.collections.NAME] (and deeper tables such as
// [qdrant.collections.NAME.vectors]), checked like the file; nullopt when it declares none.
// TOML's subset here has no floats: such values belong in the JSON file.
[[nodiscard]] std::optional<CollectionsFile> collections_from_config(const toml::Document& document,
                                                                     const std::string& source);

// The payload schema type of an index declaration ("keyword" or {"type": "keyword", ...}).
[[nodiscard]] std::string index_type(const nlohmann::json& declaration);

}  // namespace agentdb::qdrant
