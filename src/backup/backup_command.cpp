#include "backup/backup_command.hpp"
#include "backup/backup.hpp"
#include "backup/settings.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

#include "backup/restorer.hpp"
#include "backup/retention.hpp"
#include "backup/verifier.hpp"
#include "core/validators.hpp"
#include "db/session.hpp"
#include "util/strings.hpp"
#include "util/subprocess.hpp"
#include "util/time.hpp"

namespace agentdb::backup {

namespace {

using nlohmann::json;

struct BackupOptions {
  std::string backup_dir;
  // create
  std::string format = "custom";
  int jobs = 1;
  int compress = -1;  // -1: pg_dump's default
  bool schema_only = false;
  std::vector<std::string> exclude_table_data;
  std::string label;
  // verify, restore
  std::string id;
  bool restore = false;
  std::string target;
  bool clean = false;
  bool force = false;
  // prune
  int keep_last = 0;
  int keep_daily = 0;
  int keep_weekly = 0;
  bool dry_run = false;
};

long long total_rows(const Manifest& m) {
  long long rows = 0;
  for (const auto& table : m.tables)
    rows += table.data_excluded ? 0 : table.rows;
  return rows;
}

std::string verified_text(const Manifest& m) {
  if (!m.verification)
    return "no";
  if (!m.verification->ok)
    return "FAILED " + m.verification->at.substr(0, 10);
  return m.verification->method + " " + m.verification->at.substr(0, 10);
}

std::string age_text(const std::string& started_at) {
  const auto created = util::parse_iso_utc(started_at);
  if (!created)
    return "?";
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *created)
          .count();
  if (seconds < 120)
    return std::to_string(std::max<long long>(seconds, 0)) + "s";
  if (seconds < 7200)
    return std::to_string(seconds / 60) + "m";
  if (seconds < 172800)
    return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

json entry_json(const Entry& entry) {
  const auto& m = entry.manifest;
  return {{"id", m.id},
          {"created_at", m.started_at},
          {"size_bytes", m.size_bytes},
          {"format", to_string(m.format)},
          {"migration_version", m.migration_version ? json(*m.migration_version) : json(nullptr)},
          {"verified", m.verified()},
          {"verified_at", m.verification ? json(m.verification->at) : json(nullptr)},
          {"label", m.label},
          {"database", m.database},
          {"tables", m.tables.size()},
          {"rows", total_rows(m)},
          {"duration_seconds", m.duration_seconds},
          {"path", entry.dir.string()}};
}

std::string migration_text(const Manifest& m) {
  return m.migration_version ? std::to_string(*m.migration_version) : "-";
}

BackupRequest request_from(const BackupOptions& options) {
  BackupRequest request;
  request.format = *parse_format(options.format);
  request.jobs = options.jobs;
  if (options.compress >= 0)
    request.compress = options.compress;
  request.schema_only = options.schema_only;
  request.exclude_table_data = options.exclude_table_data;
  request.label = options.label;
  if (request.jobs > 1 && request.format != DumpFormat::directory) {
    throw Error(ExitCode::usage,
                "--jobs " + std::to_string(request.jobs) + " needs --format directory",
                "pg_dump writes a custom-format archive with one process");
  }
  return request;
}

void print_created(Context& ctx, const Entry& entry) {
  const auto& m = entry.manifest;
  if (ctx.out.json()) {
    ctx.out.emit(entry_json(entry));
    return;
  }
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.1f s", m.duration_seconds);
  ctx.out.print("backup " + m.id + " created: " + to_string(m.format) + ", " +
                util::human_bytes(m.size_bytes) + ", " + std::to_string(m.tables.size()) +
                " tables, " + std::to_string(total_rows(m)) + " rows, migration " +
                migration_text(m) + ", in " + duration);
  ctx.out.print("  " + entry.dir.string());
}

ExitCode run_create(Context& ctx, const BackupOptions& options) {
  const auto request = request_from(options);
  const auto catalogue = configured_catalogue(ctx, options.backup_dir);
  print_created(ctx, create_backup(ctx.out, ctx.database(), catalogue, request));
  return ExitCode::ok;
}

ExitCode run_list(Context& ctx, const BackupOptions& options) {
  const auto catalogue = configured_catalogue(ctx, options.backup_dir);
  const auto entries = catalogue.list(ctx.out);
  if (ctx.out.json()) {
    json array = json::array();
    for (const auto& entry : entries)
      array.push_back(entry_json(entry));
    ctx.out.emit(array);
    return ExitCode::ok;
  }
  if (entries.empty()) {
    ctx.out.print("no backups in " + catalogue.dir().string());
    return ExitCode::ok;
  }
  Table table({"ID", "CREATED", "AGE", "SIZE", "FORMAT", "MIGRATION", "VERIFIED", "LABEL"});
  for (const auto& entry : entries) {
    const auto& m = entry.manifest;
    table.add_row({m.id, m.started_at, age_text(m.started_at), util::human_bytes(m.size_bytes),
                   to_string(m.format), migration_text(m), verified_text(m), m.label});
  }
  ctx.out.print(table.render());
  return ExitCode::ok;
}

// Connects for CREATE/DROP DATABASE: the postgres database when it exists, so the database being
// replaced can be dropped; otherwise the configured one.
std::unique_ptr<db::Session> open_admin(const db::ConnectionTarget& server) {
  if (server.dbname != "postgres") {
    try {
      return db::Session::open(db::with_database(server, "postgres"));
    } catch (const Error&) {
      // fall back to the configured database below
    }
  }
  return db::Session::open(server);
}

Verification failed_verification(const std::string& method, const std::string& why) {
  return {util::iso_utc(std::chrono::system_clock::now()), method, false, why, 0};
}

ExitCode run_verify(Context& ctx, const BackupOptions& options) {
  const auto catalogue = configured_catalogue(ctx, options.backup_dir);
  const auto entry = catalogue.find(options.id, ctx.out);
  int toc_items = 0;
  try {
    check_files(entry);
    toc_items = check_table_of_contents(entry);
  } catch (const Error& e) {
    record_verification(entry, failed_verification("checksums", e.what()));
    throw;
  }
  json document = {{"id", entry.manifest.id},
                   {"files", entry.manifest.files.size()},
                   {"toc_entries", toc_items},
                   {"checksums_ok", true}};
  ctx.out.print("backup " + entry.manifest.id + ": " + std::to_string(entry.manifest.files.size()) +
                " file(s) match their checksums; pg_restore reads " + std::to_string(toc_items) +
                " table-of-contents entries");
  if (options.restore) {
    const auto server = ctx.database();
    const auto admin = open_admin(server);
    RestoreCheck check;
    try {
      check = verify_by_restore(ctx.out, *admin, server, entry, options.jobs);
    } catch (const Error& e) {
      record_verification(entry, failed_verification("restore", e.what()));
      throw;
    }
    const auto detail = std::to_string(check.tables) + " tables, " + std::to_string(check.rows) +
                        " rows match the manifest";
    record_verification(entry, {util::iso_utc(std::chrono::system_clock::now()), "restore", true,
                                detail, check.seconds});
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f s", check.seconds);
    ctx.out.print("restored into a scratch database (dropped again): " + detail + " (" + seconds +
                  "); recorded in the manifest");
    document["restore"] = {
        {"tables", check.tables}, {"rows", check.rows}, {"seconds", check.seconds}};
  }
  document["verified"] = options.restore;
  if (ctx.out.json())
    ctx.out.emit(document);
  return ExitCode::ok;
}

// Prints `agentdb migrate status` for the restored database by running this same program, so
// the output is exactly what that command shows (and the folders do not depend on each other).
json show_migrate_status(Context& ctx, const db::ConnectionTarget& target) {
  std::vector<std::string> argv{"/proc/self/exe"};
  if (!ctx.config.source().empty()) {
    argv.emplace_back("--config");
    argv.push_back(ctx.config.source().string());
  }
  if (ctx.out.json())
    argv.emplace_back("--json");
  argv.insert(argv.end(), {"migrate", "status"});
  util::ProcessOptions options;
  options.environment.emplace_back("DATABASE_URL", db::conninfo_with_password(target));
  options.stdout_handling =
      ctx.out.json() ? util::OutputHandling::capture : util::OutputHandling::inherit;
  options.stderr_handling = util::OutputHandling::inherit;
  std::fflush(stdout);
  const auto result = util::run_process(argv, options);
  if (!ctx.out.json())
    return nullptr;
  const auto parsed = json::parse(result.out, nullptr, false);
  return parsed.is_discarded() ? json(nullptr) : parsed;
}

void prepare_target(Context& ctx, db::Session& admin, const db::ConnectionTarget& server,
                    const BackupOptions& options, bool& created) {
  const auto& name = options.target;
  if (name == server.dbname && !options.force) {
    throw Error(ExitCode::conflict,
                "refusing to restore into " + name + ", the database agentdb is connected to",
                "restore into another --target and switch over, or pass --force");
  }
  if (!database_exists(admin, name)) {
    create_database(admin, name);
    created = true;
    return;
  }
  const auto tables = count_user_tables(server, name);
  if (tables == 0)
    return;
  if (!options.clean) {
    throw Error(ExitCode::conflict,
                "database " + name + " already exists and has " +
                    (tables == 1 ? std::string("1 table") : std::to_string(tables) + " tables"),
                "choose another --target, or pass --clean to drop and recreate it");
  }
  ctx.out.note("dropping and recreating database " + name + " (--clean)");
  drop_database(admin, name);
  create_database(admin, name);
  created = true;
}

ExitCode run_restore(Context& ctx, const BackupOptions& options) {
  if (!is_plain_identifier(options.target)) {
    throw Error(ExitCode::usage, "invalid --target '" + options.target + "'",
                "a database name of letters, digits, _ and $ starting with a letter or _, at "
                "most 63 bytes");
  }
  const auto catalogue = configured_catalogue(ctx, options.backup_dir);
  const auto entry = catalogue.find(options.id, ctx.out);
  check_files(entry);  // never restore an archive that is not what was written
  const auto server = ctx.database();
  const auto admin = open_admin(server);
  bool created = false;
  prepare_target(ctx, *admin, server, options, created);
  const auto start = std::chrono::steady_clock::now();
  try {
    restore_archive(ctx.out, *admin, server, entry, options.target, options.jobs);
  } catch (const Error& e) {
    if (!created)
      throw;
    drop_database(*admin, options.target);
    throw Error(
        e.code(),
        std::string(e.what()) + "; the partly restored database " + options.target + " was dropped",
        e.hint());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.1f s", seconds);
  ctx.out.print("restored backup " + entry.manifest.id + " into database " + options.target +
                " in " + duration);
  const auto status = show_migrate_status(ctx, db::with_database(server, options.target));
  if (ctx.out.json()) {
    ctx.out.emit({{"id", entry.manifest.id},
                  {"target", options.target},
                  {"seconds", seconds},
                  {"migrate_status", status}});
  }
  return ExitCode::ok;
}

ExitCode run_prune(Context& ctx, const BackupOptions& options) {
  const auto catalogue = configured_catalogue(ctx, options.backup_dir);
  if (!options.dry_run)
    catalogue.remove_abandoned();
  const auto entries = catalogue.list(ctx.out);
  std::vector<RetentionCandidate> candidates;
  for (const auto& entry : entries) {
    const auto created = util::parse_iso_utc(entry.manifest.started_at);
    if (!created) {
      throw Error(ExitCode::failure, "backup " + entry.manifest.id +
                                         " has an unreadable "
                                         "started_at; nothing was pruned");
    }
    candidates.push_back({entry.manifest.id, *created, entry.manifest.verified()});
  }
  const auto decisions =
      plan_retention(candidates, {options.keep_last, options.keep_daily, options.keep_weekly});
  json removed = json::array();
  json kept = json::array();
  for (const auto& decision : decisions) {
    if (decision.keep) {
      kept.push_back({{"id", decision.id}, {"reasons", decision.reasons}});
      ctx.out.detail("keeping " + decision.id + " (" + util::join(decision.reasons, ", ") + ")");
      continue;
    }
    const auto entry = std::find_if(entries.begin(), entries.end(),
                                    [&](const Entry& e) { return e.manifest.id == decision.id; });
    removed.push_back(decision.id);
    if (!options.dry_run)
      catalogue.remove(*entry);
    ctx.out.print((options.dry_run ? "would remove " : "removed ") + decision.id + " (" +
                  util::human_bytes(entry->manifest.size_bytes) + ")");
  }
  if (ctx.out.json()) {
    ctx.out.emit({{"dry_run", options.dry_run}, {"removed", removed}, {"kept", kept}});
  } else {
    ctx.out.print(std::to_string(removed.size()) + (options.dry_run ? " would be" : "") +
                  " removed, " + std::to_string(kept.size()) + " kept");
  }
  return ExitCode::ok;
}

}  // namespace

Catalogue configured_catalogue(const Context& ctx, const std::string& flag_value) {
  return Catalogue(ctx.config.value(kBackupDir, flag_value));
}

Entry backup_before(Context& ctx, const db::ConnectionTarget& target, const std::string& label) {
  BackupRequest request;
  request.label = label;
  auto entry = create_backup(ctx.out, target, configured_catalogue(ctx, ""), request);
  ctx.out.note("backup " + entry.manifest.id + " taken first (" +
               util::human_bytes(entry.manifest.size_bytes) +
               "); undo with: agentdb backup restore " + entry.manifest.id + " --target NAME");
  return entry;
}

void register_commands(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<BackupOptions>();
  auto* backup = &family;
  backup->require_subcommand(1);
  backup->add_option("--backup-dir", options->backup_dir,
                     "Backup folder (env AGENTDB_BACKUP_DIR; default ./backups)");

  auto* create = backup->add_subcommand("create", "Take a backup with pg_dump into the catalogue");
  create->add_option("--format", options->format, "custom (default) or directory")
      ->check(CLI::IsMember({"custom", "directory"}));
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
  commands.push_back(
      {create, [options](Context& ctx) { return run_create(ctx, *options); }, Needs::database});

  auto* list = backup->add_subcommand("list", "The catalogue, newest first");
  commands.push_back(
      {list, [options](Context& ctx) { return run_list(ctx, *options); }, Needs::database});

  auto* verify = backup->add_subcommand(
      "verify", "Check checksums and the archive's table of contents; --restore: restore it");
  verify->add_option("ID", options->id, "Backup id, or latest")->required();
  verify->add_flag("--restore", options->restore,
                   "Restore into a scratch database and compare row counts (recorded)");
  verify->add_option("--jobs", options->jobs, "Parallel pg_restore workers")
      ->check(whole_number(1, 64));
  commands.push_back(
      {verify, [options](Context& ctx) { return run_verify(ctx, *options); }, Needs::database});

  auto* restore = backup->add_subcommand("restore", "Restore a backup into a new database");
  restore->add_option("ID", options->id, "Backup id, or latest")->required();
  restore->add_option("--target", options->target, "Database to create and restore into")
      ->required();
  restore->add_option("--jobs", options->jobs, "Parallel pg_restore workers")
      ->check(whole_number(1, 64));
  restore->add_flag("--clean", options->clean,
                    "Drop and recreate the target when it exists and has tables");
  restore->add_flag("--force", options->force,
                    "Allow the target to be the database agentdb is connected to");
  commands.push_back(
      {restore, [options](Context& ctx) { return run_restore(ctx, *options); }, Needs::database});

  auto* prune = backup->add_subcommand("prune", "Delete backups beyond a retention policy");
  prune->add_option("--keep-last", options->keep_last, "Keep the N newest backups")
      ->required()
      ->check(whole_number(1, 100000));
  prune
      ->add_option("--keep-daily", options->keep_daily,
                   "Also keep the newest backup of each of the last D days that have one")
      ->check(whole_number(0, 100000));
  prune
      ->add_option("--keep-weekly", options->keep_weekly,
                   "Also keep the newest backup of each of the last W weeks that have one")
      ->check(whole_number(0, 100000));
  prune->add_flag("--dry-run", options->dry_run, "Print what would be removed; remove nothing");
  commands.push_back(
      {prune, [options](Context& ctx) { return run_prune(ctx, *options); }, Needs::database});
}

}  // namespace agentdb::backup
