// The settings `migrate` owns; `health` reads the migrations folder through the same declaration.
#pragma once

#include "core/settings.hpp"

namespace agentdb::migrate {

inline constexpr Setting kMigrationsDir{.key = "migrate.dir",
                                        .env = "AGENTDB_MIGRATIONS_DIR",
                                        .fallback = "migrations",
                                        .doc = "folder of revision files",
                                        .secrecy = Secrecy::plain,
                                        .shipped = true};
inline constexpr Setting kLockTimeout{.key = "migrate.lock_timeout",
                                      .env = nullptr,
                                      .fallback = "60s",
                                      .doc = "how long to wait for the migration lock",
                                      .secrecy = Secrecy::plain};
inline constexpr const Setting* kSettings[] = {&kMigrationsDir, &kLockTimeout};

}  // namespace agentdb::migrate
