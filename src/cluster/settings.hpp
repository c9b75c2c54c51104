// The settings `cluster` owns.
#pragma once

#include "core/settings.hpp"

namespace agentdb::cluster {

inline constexpr Setting kPatroniUrls{
    .key = "cluster.patroni_urls",
    .env = "AGENTDB_PATRONI_URLS",
    .fallback = "",
    .doc = "Patroni REST APIs for cluster status, comma-separated (http://host:8008,...)",
    .secrecy = Secrecy::plain};
inline constexpr const Setting* kSettings[] = {&kPatroniUrls};

}  // namespace agentdb::cluster
