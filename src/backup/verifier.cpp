#include "backup/verifier.hpp"

#include <unistd.h>

#include <map>
#include <set>

#include "backup/inventory.hpp"
#include "backup/pg_tool_run.hpp"
#include "backup/restorer.hpp"
#include "core/error.hpp"
#include "db/pg_tools.hpp"
#include "util/sha256.hpp"

namespace agentdb::backup {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void damaged(const Entry& entry, const std::string& why) {
  throw damaged_backup(entry.manifest.id, why);
}

}  // namespace

void check_files(const Entry& entry) {
  std::set<std::string> listed;
  for (const auto& file : entry.manifest.files) {
    listed.insert(file.path);
    std::uint64_t size = 0;
    const auto digest = util::sha256_file_hex(entry.dir / file.path, &size);
    if (!digest)
      damaged(entry, file.path + " is missing or unreadable");
    if (size != file.size_bytes) {
      damaged(entry, file.path + " has " + std::to_string(size) + " bytes, the manifest says " +
                         std::to_string(file.size_bytes));
    }
    if (*digest != file.sha256)
      damaged(entry, file.path + ": SHA-256 differs from the manifest");
  }
  std::error_code ec;
  for (fs::recursive_directory_iterator it(entry.dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code not_a_file;  // a dangling link is not an added file
    if (!it->is_regular_file(not_a_file) || it->path().filename() == kManifestName)
      continue;
    const auto relative = it->path().lexically_relative(entry.dir).string();
    if (!listed.contains(relative))
      damaged(entry, relative + " is not in the manifest");
  }
  if (ec)
    damaged(entry, "its folder cannot be read: " + ec.message());
}

int check_table_of_contents(const Entry& entry) {
  const auto program = db::pg_program("pg_restore");
  const auto result = util::run_process(
      {program.string(), "--list", (entry.dir / entry.manifest.archive).string()});
  if (!result.ok())
    damaged(entry, "pg_restore cannot read it: " + tool_error(result.err));
  int items = 0;
  for (const char c : result.out)
    items += c == '\n' ? 1 : 0;
  return items;
}

RestoreCheck verify_by_restore(db::Session& admin, const db::ConnectionTarget& server,
                               const Entry& entry, int jobs, const ToolProgressSink& progress) {
  const auto start = std::chrono::steady_clock::now();
  const auto scratch =
      "agentdb_verify_" + std::to_string(::getpid()) + "_" +
      std::to_string(std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1));
  create_database(admin, scratch);
  RestoreCheck check;
  try {
    restore_archive(admin, server, entry, scratch, jobs, progress);
    const auto session = db::Session::open(db::with_database(server, scratch));
    session->exec("SET row_security = off");  // count every row, as the dump did
    auto restored = list_tables(*session);
    count_rows(*session, restored);
    std::map<std::string, long long> counts;
    for (const auto& table : restored)
      counts[table.name] = table.rows;
    for (const auto& table : entry.manifest.tables) {
      const auto found = counts.find(table.name);
      if (found == counts.end())
        damaged(entry, "table " + table.name + " is missing after restore");
      const long long expected = table.data_excluded ? 0 : table.rows;
      if (found->second != expected) {
        damaged(entry, "table " + table.name + " has " + std::to_string(found->second) +
                           " rows after restore, the manifest says " + std::to_string(expected));
      }
      ++check.tables;
      check.rows += found->second;
    }
  } catch (...) {
    drop_database(admin, scratch);
    throw;
  }
  drop_database(admin, scratch);
  check.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return check;
}

std::string describe(const RestoreCheck& check) {
  return std::to_string(check.tables) + " tables, " + std::to_string(check.rows) +
         " rows match the manifest";
}

void record_verification(const Entry& entry, const Verification& verification) {
  auto manifest = read_manifest(entry.dir);
  manifest.verification = verification;
  write_manifest(entry.dir, manifest);
}

}  // namespace agentdb::backup
