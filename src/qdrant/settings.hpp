// The settings `qdrant` owns; `health` reaches Qdrant through the same declarations.
#pragma once

#include "core/settings.hpp"

namespace agentdb::qdrant {

inline constexpr Setting kUrl{.key = "qdrant.url",
                              .env = "QDRANT_URL",
                              .fallback = "http://localhost:6333",
                              .doc = "Qdrant's REST address",
                              .secrecy = Secrecy::plain};
// Only from the environment: a secret has no place in agentdb.toml.
inline constexpr Setting kApiKey{.key = "",
                                 .env = "QDRANT_API_KEY",
                                 .fallback = "",
                                 .doc = "Qdrant's api-key header (secret: never printed)",
                                 .secrecy = Secrecy::secret};
inline constexpr Setting kTimeout{.key = "qdrant.timeout",
                                  .env = "QDRANT_TIMEOUT",
                                  .fallback = "10s",
                                  .doc = "timeout of one Qdrant request",
                                  .secrecy = Secrecy::plain};
inline constexpr Setting kCollectionsFile{.key = "qdrant.file",
                                          .env = "QDRANT_COLLECTIONS_FILE",
                                          .fallback = "qdrant/collections.json",
                                          .doc = "the collections file",
                                          .secrecy = Secrecy::plain,
                                          .shipped = true};
inline constexpr Setting kCollections{.key = "qdrant.collections.*",
                                      .env = nullptr,
                                      .fallback = "",
                                      .doc = "collections declared in agentdb.toml itself",
                                      .secrecy = Secrecy::plain};
inline constexpr const Setting* kSettings[] = {&kUrl, &kApiKey, &kTimeout, &kCollectionsFile,
                                               &kCollections};

}  // namespace agentdb::qdrant
