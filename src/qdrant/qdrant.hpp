// qdrant's public interface for other modules and front ends (health, serve): the REST client,
// the collections file, and the settings agentdb qdrant resolves, read from the configuration.
#pragma once

#include <optional>
#include <string>

#include "core/config.hpp"
#include "qdrant/client.hpp"
#include "qdrant/collections_file.hpp"
#include "qdrant/settings.hpp"

namespace agentdb::qdrant {

// For other commands (health): the Qdrant URL only when one is configured (QDRANT_URL or
// qdrant.url), the client settings agentdb qdrant would use, and the collections only when a
// collections file (QDRANT_COLLECTIONS_FILE, qdrant.file) or agentdb.toml declares them.
[[nodiscard]] std::optional<std::string> configured_url(const Config& config);
[[nodiscard]] ClientSettings configured_client(const Config& config);
[[nodiscard]] std::optional<CollectionsFile> configured_collections(const Config& config);
// "/collections/<name>", the name percent-encoded.
[[nodiscard]] std::string collection_path(const std::string& name);

}  // namespace agentdb::qdrant
