// `backup verify`: is the archive intact (checksums), readable (pg_restore --list), and does it
// restore to the rows it was taken from (a scratch database, counted table by table)?
#pragma once

#include <string>

#include "backup/catalogue.hpp"
#include "backup/events.hpp"
#include "db/session.hpp"

namespace agentdb::backup {

// Every file in the manifest exists with its size and SHA-256, and no file was added.
// Throws Error(conflict) naming the first file that differs.
void check_files(const Entry& entry);

// pg_restore can read the archive's table of contents; returns its number of entries.
// Throws Error(conflict) with pg_restore's reason.
int check_table_of_contents(const Entry& entry);

struct RestoreCheck {
  long long tables = 0;
  long long rows = 0;
  double seconds = 0;
};

// Restores into a scratch database, compares every table's row count with the manifest, and
// drops the scratch database whatever happens. Throws Error(conflict) naming the first table that
// is missing or differs.
[[nodiscard]] RestoreCheck verify_by_restore(db::Session& admin, const db::ConnectionTarget& server,
                                             const Entry& entry, int jobs,
                                             const ToolProgressSink& progress);

// "3 tables, 120 rows match the manifest": what a successful check records and reports.
[[nodiscard]] std::string describe(const RestoreCheck& check);

// Stores the outcome in the backup's manifest (rewritten atomically).
void record_verification(const Entry& entry, const Verification& verification);

}  // namespace agentdb::backup
