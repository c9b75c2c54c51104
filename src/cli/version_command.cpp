// `agentdb version`: what this installation is made of, for bug reports and deploy checks: the
// binary, the newest schema revision it ships, and the libpq and pg_dump it found.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <optional>

#include "backup/pg_tool_run.hpp"
#include "cli/command_table.hpp"
#include "db/pg_tools.hpp"
#include "migrate/migrate.hpp"

#ifndef AGENTDB_VERSION
#define AGENTDB_VERSION "0.0.0"
#endif

namespace agentdb::cli {

namespace {

struct ShippedSchema {
  std::string dir;
  std::optional<migrate::Revision> newest;  // none: the folder is empty
  std::string error;                        // the folder could not be read
};

ShippedSchema shipped_schema(const Config& config) {
  ShippedSchema schema{config.value(migrate::kMigrationsDir), {}, {}};
  try {
    const auto folder = migrate::read_folder(schema.dir);
    if (!folder.revisions.empty())
      schema.newest = folder.revisions.back();
  } catch (const Error& error) {
    schema.error = error.what();
  }
  return schema;
}

struct PgDump {
  std::string path, version, error;
};

PgDump found_pg_dump() {
  PgDump found;
  try {
    found.path = db::pg_program("pg_dump").string();
    found.version = backup::tool_version("pg_dump").text;
  } catch (const Error& error) {
    found.error = error.what();
  }
  return found;
}

Outcome run_version(Context& ctx) {
  const auto schema = shipped_schema(ctx.config);
  const auto pg_dump = found_pg_dump();
  const auto libpq = db::libpq_version();
  if (ctx.out.json()) {
    nlohmann::json schema_json = {{"migrations_dir", schema.dir}};
    if (schema.newest)
      schema_json.update({{"version", schema.newest->version}, {"name", schema.newest->name}});
    else
      schema_json["error"] = schema.error.empty() ? "no revisions" : schema.error;
    nlohmann::json pg_dump_json =
        pg_dump.error.empty() ? nlohmann::json{{"version", pg_dump.version}, {"path", pg_dump.path}}
                              : nlohmann::json{{"error", pg_dump.error}};
    ctx.out.emit({{"version", AGENTDB_VERSION},
                  {"schema", schema_json},
                  {"libpq", libpq},
                  {"pg_dump", pg_dump_json}});
    return ExitCode::ok;
  }
  ctx.out.print(std::string("agentdb  ") + AGENTDB_VERSION);
  ctx.out.print("schema   " +
                (schema.newest
                     ? schema.newest->label() + " (" + schema.dir + ")"
                     : (schema.error.empty() ? "no revisions in " + schema.dir : schema.error)));
  ctx.out.print("libpq    " + libpq);
  ctx.out.print("pg_dump  " + (pg_dump.error.empty() ? pg_dump.version + " (" + pg_dump.path + ")"
                                                     : pg_dump.error));
  return ExitCode::ok;
}

}  // namespace

void register_version_command(CLI::App& family, std::vector<Command>& commands) {
  commands.push_back({&family, run_version, Needs::nothing});
}

}  // namespace agentdb::cli
