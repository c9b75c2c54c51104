// Locating PostgreSQL's own programs (initdb, pg_ctl, pg_dump, ...) and running them with a
// connection target, the password passed through the environment rather than argv.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "db/connection_target.hpp"
#include "util/subprocess.hpp"

namespace agentdb::db {

// AGENTDB_PG_BINDIR alone when set; else the newest /usr/lib/postgresql/N/bin, then PATH.
// Throws Error(usage) with an install hint when the program is not there.
[[nodiscard]] std::filesystem::path pg_program(const std::string& name);

// Runs a client tool (pg_dump, psql, ...) against `target`: adds --dbname=<conninfo> and
// PGPASSWORD.
[[nodiscard]] util::ProcessResult run_pg_client(const std::string& program,
                                                std::vector<std::string> arguments,
                                                const ConnectionTarget& target,
                                                util::ProcessOptions options = {});

// The version of the libpq agentdb runs with, as "15.10".
[[nodiscard]] std::string libpq_version();

}  // namespace agentdb::db
