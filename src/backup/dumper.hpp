// `backup create`: pg_dump into the catalogue, with the manifest that makes the archive checkable.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backup/catalogue.hpp"
#include "backup/events.hpp"
#include "db/session.hpp"

namespace agentdb::backup {

enum class Contents { schema_and_data, schema_only };

struct CreateRequest {
  DumpFormat format = DumpFormat::custom;
  int jobs = 1;  // parallel pg_dump workers; directory format only
  std::optional<int> compress;
  Contents contents = Contents::schema_and_data;
  std::vector<std::string> exclude_table_data;  // pg_dump table patterns
  std::string label;
  ToolProgressSink progress;
};

// Throws Error(usage) for a request pg_dump cannot carry out (--jobs without the directory format).
void check_create_request(const CreateRequest& request);

// Dumps the database `session` is connected to and publishes the backup in `catalogue`. Row counts
// are taken in the same snapshot pg_dump reads, so a restore can be checked against them exactly.
// On any failure or interrupt nothing is published and the in-progress folder is removed.
[[nodiscard]] Entry create_backup(db::Session& session, const Catalogue& catalogue,
                                  const CreateRequest& request);

}  // namespace agentdb::backup
