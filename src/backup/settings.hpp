// The settings `backup` owns.
#pragma once

#include "core/settings.hpp"

namespace agentdb::backup {

inline constexpr Setting kBackupDir{.key = "backup.dir",
                                    .env = "AGENTDB_BACKUP_DIR",
                                    .fallback = "backups",
                                    .doc = "the backup catalogue's folder",
                                    .secrecy = Secrecy::plain};
inline constexpr const Setting* kSettings[] = {&kBackupDir};

}  // namespace agentdb::backup
