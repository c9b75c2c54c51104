// `agentdb qdrant`: Qdrant collections declared in a file, planned and applied like migrations.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "qdrant/client.hpp"
#include "qdrant/collections_file.hpp"

namespace agentdb::qdrant {

void register_commands(CLI::App& parent, std::vector<Command>& commands);

// For other commands (health): the Qdrant URL only when one is configured (QDRANT_URL or
// qdrant.url), the client settings agentdb qdrant would use, and the collections only when a
// collections file (QDRANT_COLLECTIONS_FILE, qdrant.file) or agentdb.toml declares them.
[[nodiscard]] std::optional<std::string> configured_url(const Context& ctx);
[[nodiscard]] ClientSettings configured_client(const Context& ctx);
[[nodiscard]] std::optional<CollectionsFile> configured_collections(const Context& ctx);
// "/collections/<name>", the name percent-encoded.
[[nodiscard]] std::string collection_path(const std::string& name);

}  // namespace agentdb::qdrant
