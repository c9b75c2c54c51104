#include "db/pg_tools.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "core/error.hpp"
#include "util/strings.hpp"

namespace agentdb::db {

namespace {

std::vector<std::filesystem::path> candidate_dirs() {
  std::vector<std::filesystem::path> dirs;
  std::vector<std::pair<long long, std::filesystem::path>> versions;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    if (const auto major = util::parse_int64(entry.path().filename().string())) {
      versions.emplace_back(*major, entry.path() / "bin");
    }
  }
  std::sort(versions.rbegin(), versions.rend());
  for (auto& [major, dir] : versions)
    dirs.push_back(std::move(dir));
  return dirs;
}

}  // namespace

std::filesystem::path pg_program(const std::string& name) {
  // AGENTDB_PG_BINDIR names exactly the tools to use: never another version found elsewhere.
  if (const char* bindir = std::getenv("AGENTDB_PG_BINDIR"); bindir != nullptr && *bindir != '\0') {
    const auto candidate = std::filesystem::path(bindir) / name;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    throw Error(
        ExitCode::usage,
        "cannot find the PostgreSQL program '" + name + "' in AGENTDB_PG_BINDIR (" + bindir + ")",
        "install it (apt-get install postgresql-15) or correct AGENTDB_PG_BINDIR");
  }
  static const auto dirs = candidate_dirs();
  if (auto found = util::find_program(name, dirs))
    return *found;
  throw Error(ExitCode::usage, "cannot find the PostgreSQL program '" + name + "'",
              "install it (apt-get install postgresql-15) or set AGENTDB_PG_BINDIR");
}

util::ProcessResult run_pg_client(const std::string& program, std::vector<std::string> arguments,
                                  const ConnectionTarget& target, util::ProcessOptions options) {
  std::vector<std::string> argv{pg_program(program).string()};
  argv.push_back("--dbname=" + target.conninfo);
  for (auto& argument : arguments)
    argv.push_back(std::move(argument));
  if (!target.password.empty())
    options.environment.emplace_back("PGPASSWORD", target.password);
  try {
    return util::run_process(argv, options);
  } catch (const std::system_error& e) {
    throw Error(ExitCode::failure, "cannot run " + program + ": " + e.code().message());
  }
}

std::string libpq_version() {
  // 150010 for 15.10 (since PostgreSQL 10: major * 10000 + minor).
  const int version = PQlibVersion();
  return std::to_string(version / 10000) + "." + std::to_string(version % 10000);
}

}  // namespace agentdb::db
