// The settings of the command line itself.
#pragma once

#include "core/settings.hpp"

namespace agentdb::cli {

inline constexpr Setting kDatabaseUrl{.key = "database_url",
                                      .env = "DATABASE_URL",
                                      .fallback = "",
                                      .doc = "PostgreSQL URL; default: the embedded cluster",
                                      .secrecy = Secrecy::plain};

}  // namespace agentdb::cli
