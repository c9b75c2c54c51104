// backup's public interface for other modules and front ends (`migrate up --backup`, serve).
#pragma once

#include <string>

#include "backup/catalogue.hpp"
#include "backup/dumper.hpp"
#include "backup/settings.hpp"
#include "core/context.hpp"

namespace agentdb::backup {

// The catalogue from --backup-dir, AGENTDB_BACKUP_DIR, agentdb.toml's backup.dir, or ./backups.
[[nodiscard]] Catalogue configured_catalogue(const Context& ctx, const std::string& flag_value);

// A backup with the default settings before a risky change (`migrate up --backup`); prints its id.
[[nodiscard]] Entry backup_before(Context& ctx, const db::ConnectionTarget& target,
                                  const std::string& label);

}  // namespace agentdb::backup
