#include "backup/restorer.hpp"

#include "backup/pg_tool_run.hpp"
#include "core/error.hpp"

namespace agentdb::backup {

bool is_plain_identifier(const std::string& name) {
  if (name.empty() || name.size() > 63)
    return false;
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!letter(name[0]) && name[0] != '_')
    return false;
  for (const char c : name) {
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '$')
      return false;
  }
  return true;
}

std::string system_database_reason(const std::string& name) {
  if (name == "template1")
    return "every new database is copied from it";
  if (name == "template0")
    return "it is the pristine template that new databases can be copied from";
  if (name == "postgres")
    return "it is the default database that tools and users connect to";
  return "";
}

void refuse_system_database(const std::string& name) {
  const auto why = system_database_reason(name);
  if (!why.empty()) {
    throw Error(ExitCode::usage, name + " is a system database: " + why,
                "restore into a new database name");
  }
}

void refuse_template_database(db::Session& admin, const std::string& name) {
  const auto rows =
      admin.exec_params("SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate", name);
  if (!rows.empty()) {
    throw Error(ExitCode::usage,
                name +
                    " is a template database: every database created from it would copy the "
                    "restored objects",
                "restore into a new database name");
  }
}

bool database_exists(db::Session& admin, const std::string& name) {
  return !admin.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty();
}

long long count_user_tables(const db::ConnectionTarget& server, const std::string& name) {
  const auto session = db::Session::open(db::with_database(server, name));
  return session
      ->exec(
          "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', "
          "'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'")[0][0]
      .as<long long>();
}

void create_database(db::Session& admin, const std::string& name) {
  // template0: nothing added to template1 on this server can collide with the archive's objects.
  admin.exec("CREATE DATABASE " + admin.quote_name(name) + " TEMPLATE template0");
}

void drop_database(db::Session& admin, const std::string& name) {
  admin.exec("DROP DATABASE IF EXISTS " + admin.quote_name(name) + " WITH (FORCE)");
}

void restore_archive(db::Session& admin, const db::ConnectionTarget& server, const Entry& entry,
                     const std::string& name, int jobs, const ToolProgressSink& progress) {
  const auto restore_version = tool_version("pg_restore");
  require_tool_for_server("pg_restore", restore_version, admin.server_version());
  std::vector<std::string> args{"--exit-on-error"};
  if (jobs > 1)
    args.push_back("--jobs=" + std::to_string(jobs));
  args.push_back((entry.dir / entry.manifest.archive).string());

  const util::InterruptFlag stop;
  ToolProgress report;
  report.tool = "pg_restore";
  report.expected_bytes = entry.manifest.database_size_bytes;
  const auto result = run_tool_with_progress(
      "pg_restore", std::move(args), db::with_database(server, name), stop,
      [&](std::chrono::milliseconds elapsed) {
        if (!progress)
          return;
        report.bytes =
            admin.exec_params("SELECT pg_database_size($1)", name)[0][0].as<std::uint64_t>();
        report.elapsed = elapsed;
        progress(report);
      });
  if (progress) {
    report.stage = ToolStage::finished;
    progress(report);
  }
  if (stop.raised())
    throw Error(ExitCode::failure, "restore of " + entry.manifest.id + " interrupted");
  if (result.exit_code > 128) {
    throw Error(ExitCode::failure,
                "pg_restore was killed by signal " + std::to_string(result.exit_code - 128));
  }
  if (!result.ok())
    throw Error(ExitCode::failure, "pg_restore failed: " + tool_error(result.err));
}

}  // namespace agentdb::backup
