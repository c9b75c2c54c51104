#include "backup/dumper.hpp"

#include <algorithm>
#include <system_error>

#include "backup/inventory.hpp"
#include "backup/pg_tool_run.hpp"
#include "core/error.hpp"
#include "db/primary.hpp"
#include "db/session.hpp"
#include "db/transaction.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#ifndef AGENTDB_VERSION
#define AGENTDB_VERSION "0.0.0"
#endif

namespace agentdb::backup {

namespace fs = std::filesystem;

namespace {

// Removes the in-progress folder unless the backup was published.
class PartialFolder {
 public:
  explicit PartialFolder(fs::path path) : path_(std::move(path)) {}
  ~PartialFolder() {
    if (!path_.empty()) {
      std::error_code ignored;
      fs::remove_all(path_, ignored);
    }
  }
  PartialFolder(const PartialFolder&) = delete;
  PartialFolder& operator=(const PartialFolder&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

std::uint64_t folder_bytes(const fs::path& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error))
      total += it->file_size(size_error);
  }
  return total;
}

std::vector<std::string> dump_arguments(const CreateRequest& request, const fs::path& archive,
                                        const std::string& snapshot) {
  std::vector<std::string> args{
      request.format == DumpFormat::custom ? "--format=custom" : "--format=directory",
      "--file=" + archive.string(), "--snapshot=" + snapshot};
  if (request.jobs > 1)
    args.push_back("--jobs=" + std::to_string(request.jobs));
  if (request.compress)
    args.push_back("--compress=" + std::to_string(*request.compress));
  if (request.contents == Contents::schema_only)
    args.emplace_back("--schema-only");
  for (const auto& pattern : request.exclude_table_data)
    args.push_back("--exclude-table-data=" + pattern);
  return args;
}

// Every file pg_dump wrote, with its size and digest, in a stable order.
std::vector<ArchiveFile> checksum_files(const fs::path& backup_dir) {
  std::vector<ArchiveFile> files;
  for (const auto& item : fs::recursive_directory_iterator(backup_dir)) {
    if (!item.is_regular_file() || item.path().filename() == kManifestName)
      continue;
    ArchiveFile file;
    file.path = fs::relative(item.path(), backup_dir).string();
    const auto digest = util::sha256_file_hex(item.path(), &file.size_bytes);
    if (!digest) {
      throw Error(ExitCode::failure, "cannot read " + item.path().string() + ": " +
                                         std::generic_category().message(errno));
    }
    file.sha256 = *digest;
    files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end(),
            [](const ArchiveFile& a, const ArchiveFile& b) { return a.path < b.path; });
  return files;
}

[[noreturn]] void dump_failed(const util::ProcessResult& result, const util::InterruptFlag& stop,
                              const Catalogue& catalogue) {
  if (stop.raised()) {
    throw Error(ExitCode::failure, "backup interrupted; nothing was added to the catalogue");
  }
  if (result.exit_code > 128) {
    throw Error(ExitCode::failure, "pg_dump was killed by signal " +
                                       std::to_string(result.exit_code - 128) +
                                       "; nothing was added to the catalogue");
  }
  const auto why = tool_error(result.err);
  std::string hint;
  if (why.find("No space left") != std::string::npos)
    hint = "free space in " + catalogue.dir().string() + " or choose another --backup-dir";
  if (why.find("Permission denied") != std::string::npos)
    hint = "check the permissions of " + catalogue.dir().string();
  throw Error(ExitCode::failure, "pg_dump failed: " + why + "; nothing was added to the catalogue",
              hint);
}

// Everything the manifest says about the database, read in the dump's snapshot.
Manifest describe_database(db::Session& session, const CreateRequest& request,
                           const std::string& dump_version,
                           std::chrono::system_clock::time_point started) {
  Manifest manifest;
  manifest.database = session.exec("SELECT current_database()")[0][0].as<std::string>();
  manifest.id = backup_id(started, manifest.database);
  manifest.label = request.label;
  manifest.server = db::reached_server(session).display;
  manifest.pg_dump_version = dump_version;
  manifest.format = request.format;
  manifest.archive = request.format == DumpFormat::custom ? "dump.pgdump" : "dump";
  manifest.compress = request.compress;
  manifest.jobs = request.jobs;
  manifest.schema_only = request.contents == Contents::schema_only;
  manifest.exclude_table_data = request.exclude_table_data;
  manifest.started_at = util::iso_utc(started);
  manifest.created_by = std::string("agentdb ") + AGENTDB_VERSION;

  manifest.server_version = session.exec("SHOW server_version")[0][0].as<std::string>();
  // Read beside the snapshot: the position a point-in-time recovery or a replica's lag compares
  // with. A standby's replay position, since its own WAL is the primary's.
  const auto where = session.exec(
      "SELECT pg_is_in_recovery() AS standby, (CASE WHEN pg_is_in_recovery() THEN "
      "pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn");
  const bool standby = where[0]["standby"].as<bool>();
  manifest.taken_from =
      TakenFrom{standby ? "standby" : "primary", session.server_address(), where[0]["lsn"].c_str()};
  manifest.database_size_bytes =
      session.exec("SELECT pg_database_size(current_database())")[0][0].as<std::uint64_t>();
  manifest.migration_version = migration_version(session);
  manifest.tables = list_tables(session);
  for (auto& table : manifest.tables) {
    table.data_excluded = manifest.schema_only;
    for (const auto& pattern : request.exclude_table_data)
      table.data_excluded = table.data_excluded || matches_table_pattern(pattern, table.name);
  }
  return manifest;
}

// Runs pg_dump into `partial` and counts the rows in the same snapshot (beside it when it runs
// one process). Throws when the dump fails or is interrupted.
void dump_and_count(db::Session& session, const Catalogue& catalogue, const CreateRequest& request,
                    const std::string& snapshot, const fs::path& partial, Manifest& manifest) {
  const util::InterruptFlag stop;
  // One pg_dump process leaves CPU to spare, so the counts run beside it; parallel workers do not
  // (bench/RESULTS.md: counting beside --jobs 2 on 2 cores made the dump 8 s slower).
  const bool count_alongside = request.jobs == 1;
  bool counted = false;
  ToolProgress report;
  report.tool = "pg_dump";
  const auto result = run_tool_with_progress(
      "pg_dump", dump_arguments(request, partial / manifest.archive, snapshot),
      db::reached_server(session), stop, [&](std::chrono::milliseconds elapsed) {
        if (count_alongside && !counted) {
          count_rows(session, manifest.tables);  // while pg_dump works; same snapshot
          counted = true;
        }
        if (request.progress) {
          report.bytes = folder_bytes(partial);
          report.elapsed = elapsed;
          request.progress(report);
        }
      });
  if (request.progress) {
    report.stage = ToolStage::finished;
    request.progress(report);
  }
  if (!result.ok() || stop.raised())
    dump_failed(result, stop, catalogue);
  if (!counted)
    count_rows(session, manifest.tables);  // still in the dump's snapshot
}

// Checksums the files, writes the manifest and publishes the folder under the backup's id.
Entry publish(const Catalogue& catalogue, PartialFolder& partial, Manifest& manifest,
              std::chrono::steady_clock::time_point steady_start) {
  manifest.files = checksum_files(partial.path());
  for (const auto& file : manifest.files)
    manifest.size_bytes += file.size_bytes;
  manifest.finished_at = util::iso_utc(std::chrono::system_clock::now());
  manifest.duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - steady_start).count();
  write_manifest(partial.path(), manifest);
  const auto published = catalogue.publish(partial.path(), manifest.id);
  partial.release();
  if (published != manifest.id) {
    manifest.id = published;
    write_manifest(catalogue.dir() / published, manifest);
  }
  return {catalogue.dir() / published, manifest, ""};
}

}  // namespace

void check_create_request(const CreateRequest& request) {
  if (request.jobs > 1 && request.format != DumpFormat::directory) {
    throw Error(ExitCode::usage,
                "--jobs " + std::to_string(request.jobs) + " needs --format directory",
                "pg_dump writes a custom-format archive with one process");
  }
}

Entry create_backup(db::Session& session, const Catalogue& catalogue,
                    const CreateRequest& request) {
  check_create_request(request);
  const auto started = std::chrono::system_clock::now();
  const auto steady_start = std::chrono::steady_clock::now();
  const auto dump_version = tool_version("pg_dump");
  require_tool_for_server("pg_dump", dump_version, session.server_version());

  // One snapshot for pg_dump and for the row counts: the manifest describes exactly the archive.
  // row_security off, as pg_dump sets it: a table that row-level security would filter makes the
  // count fail (as it makes pg_dump fail) instead of counting fewer rows than are dumped.
  db::Transaction snapshot_transaction(session, db::Isolation::repeatable_read,
                                       db::Access::read_only);
  session.exec("SET LOCAL row_security = off");
  const auto snapshot = session.exec("SELECT pg_export_snapshot()")[0][0].as<std::string>();
  auto manifest = describe_database(session, request, dump_version.text, started);

  catalogue.remove_abandoned();
  PartialFolder partial(catalogue.begin(manifest.id));
  dump_and_count(session, catalogue, request, snapshot, partial.path(), manifest);
  snapshot_transaction.commit();
  return publish(catalogue, partial, manifest, steady_start);
}

}  // namespace agentdb::backup
