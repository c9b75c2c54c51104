// `backup create`: pg_dump into the catalogue, with the manifest that makes the archive checkable.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backup/catalogue.hpp"
#include "core/output.hpp"
#include "db/connection_target.hpp"

namespace agentdb::backup {

struct BackupRequest {
  DumpFormat format = DumpFormat::custom;
  int jobs = 1;  // parallel pg_dump workers; directory format only
  std::optional<int> compress;
  bool schema_only = false;
  std::vector<std::string> exclude_table_data;
  std::string label;
};

// Dumps the database `target` names and publishes the backup in `catalogue`. Row counts are taken
// in the same snapshot pg_dump reads, so a restore can be checked against them exactly. On any
// failure or interrupt nothing is published and the in-progress folder is removed.
[[nodiscard]] Entry create_backup(const Output& out, const db::ConnectionTarget& target,
                                  const Catalogue& catalogue, const BackupRequest& request);

}  // namespace agentdb::backup
