// The settings the embedded cluster owns.
#pragma once

#include "core/settings.hpp"

namespace agentdb::local {

inline constexpr Setting kHome{.key = "local.home",
                               .env = "AGENTDB_HOME",
                               .fallback = ".agentdb",
                               .doc = "folder of the embedded PostgreSQL cluster",
                               .secrecy = Secrecy::plain};
inline constexpr const Setting* kSettings[] = {&kHome};

}  // namespace agentdb::local
