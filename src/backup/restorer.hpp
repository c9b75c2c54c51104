// Restoring an archive into a database of its own: create it, run pg_restore with progress, and
// drop it again when the restore fails, so a half-restored database is never left looking whole.
#pragma once

#include <string>

#include "backup/catalogue.hpp"
#include "backup/events.hpp"
#include "db/connection_target.hpp"
#include "db/session.hpp"

namespace agentdb::backup {

// A name PostgreSQL accepts unquoted-style: a letter or _, then letters, digits, _ or $; at most
// 63 bytes. Restore targets must be one, so they are safe in messages, files and SQL.
[[nodiscard]] bool is_plain_identifier(const std::string& name);

// Why a restore into `name` would damage the server, when it names one of PostgreSQL's own
// databases (compared byte for byte, as PostgreSQL compares a quoted name); otherwise empty.
[[nodiscard]] std::string system_database_reason(const std::string& name);

// Throws Error(usage) when `name` is a system database (above) or, on the server, a template
// (pg_database.datistemplate): whatever is restored there is copied into later databases.
void refuse_system_database(const std::string& name);
void refuse_template_database(db::Session& admin, const std::string& name);

[[nodiscard]] bool database_exists(db::Session& admin, const std::string& name);
// Tables outside the system schemas, connecting to the database itself.
[[nodiscard]] long long count_user_tables(const db::ConnectionTarget& server,
                                          const std::string& name);
void create_database(db::Session& admin, const std::string& name);
// Drops the database, disconnecting its sessions (WITH FORCE).
void drop_database(db::Session& admin, const std::string& name);

// Runs pg_restore of `entry` into the existing, empty database `name`, reporting to `progress`
// (when set) the database's size as it grows. Throws Error(failure) with pg_restore's reason, or
// when interrupted.
void restore_archive(db::Session& admin, const db::ConnectionTarget& server, const Entry& entry,
                     const std::string& name, int jobs, const ToolProgressSink& progress);

}  // namespace agentdb::backup
