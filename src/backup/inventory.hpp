// What a database holds, as a backup records it and a verification compares it: its tables with
// exact row counts, and the migration version agentdb applied.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backup/manifest.hpp"
#include "db/session.hpp"

namespace agentdb::backup {

// Ordinary tables (partitions included, partitioned parents not: they hold no rows of their own)
// outside the system schemas and extensions, named as format('%I.%I') gives them.
[[nodiscard]] std::vector<TableRows> list_tables(db::Session& session);

// Counts the rows of every table whose data is not excluded, in one statement, so the counts share
// the session's snapshot.
void count_rows(db::Session& session, std::vector<TableRows>& tables);

// The highest applied revision, or none when agentdb's history table is absent or empty.
[[nodiscard]] std::optional<long long> migration_version(db::Session& session);

// Whether `name` is matched by a pg_dump table pattern (shell wildcards * and ?), with or without
// its schema.
[[nodiscard]] bool matches_table_pattern(const std::string& pattern, const std::string& name);

}  // namespace agentdb::backup
