#include "backup/backup_command.hpp"

#include <CLI/CLI.hpp>

#include <memory>

#include "backup/backup.hpp"
#include "backup/backup_render.hpp"
#include "backup/command_support.hpp"
#include "core/validators.hpp"
#include "db/primary.hpp"
#include "util/strings.hpp"

namespace agentdb::backup {

namespace {

struct CreateOptions {
  DumpFormat format = DumpFormat::custom;
  int jobs = 1;
  int compress = -1;  // -1: pg_dump's default
  bool schema_only = false;
  std::vector<std::string> exclude_table_data;
  std::string label;
  bool from_replica = false;
};

CreateRequest create_request(const Context& ctx, const CreateOptions& options) {
  CreateRequest request;
  request.format = options.format;
  request.jobs = options.jobs;
  if (options.compress >= 0)
    request.compress = options.compress;
  request.contents = options.schema_only ? Contents::schema_only : Contents::schema_and_data;
  request.exclude_table_data = options.exclude_table_data;
  request.label = options.label;
  request.progress = progress_to(ctx);
  check_create_request(request);
  return request;
}

ExitCode run_create(Context& ctx, const CatalogueOption& where, const CreateOptions& options) {
  const auto request = create_request(ctx, options);
  const auto catalogue = configured_catalogue(ctx, where.backup_dir);
  std::unique_ptr<db::Session> standby;
  if (options.from_replica) {
    // The dump's long read off the primary; the row's Needs::primary session is never opened.
    standby = db::open_standby(ctx.database());
    ctx.out.note("from the standby " + standby->server_address());
  }
  const auto entry = create_backup(standby ? *standby : ctx.session(), catalogue, request);
  if (ctx.out.json()) {
    ctx.out.emit(entry_json(entry));
    return ExitCode::ok;
  }
  for (const auto& line : created_lines(entry))
    ctx.out.print(line);
  return ExitCode::ok;
}

ExitCode run_list(Context& ctx, const CatalogueOption& where) {
  const auto catalogue = configured_catalogue(ctx, where.backup_dir);
  const auto entries = catalogue.list(warnings_to(ctx));
  for (const auto& warning : damage_warnings(entries))
    ctx.out.warn(warning);
  if (ctx.out.json()) {
    ctx.out.emit(catalogue_json(entries));
  } else if (entries.empty()) {
    ctx.out.print("no backups in " + util::printable(catalogue.dir().string()));
  } else {
    ctx.out.print(catalogue_table(entries));
  }
  return ExitCode::ok;
}

// The word checked by IsMember (so --help and its error read as they always have), then turned
// into the number CLI11 assigns to a DumpFormat.
CLI::Validator format_number() {
  return CLI::Validator(
      [](std::string& value) {
        value = std::to_string(static_cast<int>(*parse_format(value)));
        return std::string();
      },
      "");
}

void add_create(CLI::App& backup, const std::shared_ptr<CatalogueOption>& where,
                std::vector<Command>& commands) {
  auto options = std::make_shared<CreateOptions>();
  auto* create = backup.add_subcommand("create", "Take a backup with pg_dump into the catalogue");
  create->add_option("--format", options->format, "custom (default) or directory")
      ->transform(format_number())
      ->transform(CLI::IsMember({"custom", "directory"}))
      ->type_name("TEXT");
  create->add_option("--jobs", options->jobs, "Parallel pg_dump workers (directory format)")
      ->check(whole_number(1, 64));
  create->add_option("--compress", options->compress, "Compression level 0-9 (pg_dump default)")
      ->check(whole_number(0, 9));
  create->add_flag("--schema-only", options->schema_only, "Dump the schema, no table data");
  create
      ->add_option("--exclude-table-data", options->exclude_table_data,
                   "Dump this table's definition but not its rows (pg_dump pattern; repeatable)")
      ->allow_extra_args(false);
  create->add_option("--label", options->label, "A note kept in the manifest");
  create->add_flag("--from-replica", options->from_replica,
                   "Dump a standby instead of the primary (the manifest records which, and its "
                   "WAL position)");
  commands.push_back({create,
                      [where, options](Context& ctx) { return run_create(ctx, *where, *options); },
                      Needs::primary});
}

}  // namespace

void register_commands(CLI::App& backup, std::vector<Command>& commands) {
  auto where = std::make_shared<CatalogueOption>();
  backup.require_subcommand(1);
  backup.add_option("--backup-dir", where->backup_dir,
                    "Backup folder (env AGENTDB_BACKUP_DIR; default ./backups)");
  add_create(backup, where, commands);
  auto* list = backup.add_subcommand("list", "The catalogue, newest first");
  commands.push_back(
      {list, [where](Context& ctx) { return run_list(ctx, *where); }, Needs::nothing});
  add_verify(backup, where, commands);
  add_restore(backup, where, commands);
  add_prune(backup, where, commands);
}

}  // namespace agentdb::backup
