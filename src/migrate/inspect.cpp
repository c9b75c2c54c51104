// status(), history(), check_checksums() and create_revision(): reading the state, and the files of
// a new revision.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "migrate/migrate.hpp"
#include "migrate/workspace.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::migrate {

namespace fs = std::filesystem;

namespace {

std::string new_up_file(long long version, const std::string& name) {
  return "-- " + version_text(version) + " " + name +
         ": say what this revision changes and why.\n"
         "-- It runs in one transaction together with its history row. Directives, each on a\n"
         "-- leading comment line of its own: 'agentdb:no-transaction' runs the file statement by\n"
         "-- statement (for CREATE INDEX CONCURRENTLY); 'agentdb:irreversible' marks a revision\n"
         "-- that cannot be undone (then delete the .down.sql file).\n"
         "-- Check it with: agentdb migrate lint " +
         version_text(version) + "_" + name + ".up.sql\n\n";
}

std::string new_down_file(long long version, const std::string& name) {
  return "-- Reverts " + version_text(version) + " " + name +
         ": undo everything the up file does, in reverse order.\n\n";
}

// The current UTC second as a version, one more while a revision already has it.
long long free_version(const fs::path& dir) {
  std::set<long long> used;
  for (const auto& revision : load_revisions(dir))
    used.insert(revision.version);
  auto version = *util::parse_int64(util::compact_utc(std::chrono::system_clock::now()));
  while (used.contains(version))
    ++version;  // two revisions in one second
  return version;
}

// Both file names must fit the folder's file system, or the up file would be made without its
// down file; checked before anything is written.
void check_name_fits(const fs::path& dir, const std::string& stem, const std::string& name) {
  const auto longest = stem + ".down.sql";
  const long limit = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  if (limit <= 0 || longest.size() <= static_cast<std::size_t>(limit))
    return;
  const auto spare = static_cast<long>(longest.size()) - limit;
  throw Error(ExitCode::usage,
              "revision name '" + name.substr(0, 40) + "...' is too long: " + dir.string() +
                  " allows file names of at most " + std::to_string(limit) + " bytes",
              "use a name of at most " + std::to_string(static_cast<long>(name.size()) - spare) +
                  " characters");
}

void write_revision_files(const NewRevisionResult& result, const std::string& name,
                          const std::string& stem, const fs::path& dir) {
  bool created = false;
  try {
    created = util::create_files_exclusive({{result.up, new_up_file(result.version, name)},
                                            {result.down, new_down_file(result.version, name)}});
  } catch (const util::FileWriteError& e) {
    throw Error(e.names_unusable_path() ? ExitCode::usage : ExitCode::failure,
                e.what() + std::string("; no revision was created"), e.hint());
  }
  if (!created)
    throw Error(ExitCode::conflict, "'" + stem + "' already exists in " + dir.string());
}

}  // namespace

int StatusResult::count(RevisionState state) const {
  return static_cast<int>(std::count_if(entries.begin(), entries.end(),
                                        [state](const StatusRow& e) { return e.state == state; }));
}

bool StatusResult::clean() const {
  return std::all_of(entries.begin(), entries.end(),
                     [](const StatusRow& e) { return e.state == RevisionState::applied; });
}

StatusResult status(db::Session& session, const RevisionFolder& folder) {
  const Workspace ws(session, folder);
  StatusResult result{session.target().display, folder.dir, ws.status.current, {}};
  for (const auto& entry : ws.status.entries) {
    result.entries.push_back(
        {entry.version, entry.name, entry.state,
         entry.record ? std::optional<std::string>(entry.record->applied_at) : std::nullopt});
  }
  return result;
}

HistoryResult history(db::Session& session, const HistoryRequest& request) {
  History history(session);
  return {session.target().display, history.log(request.limit)};
}

ChecksumResult check_checksums(db::Session& session, const RevisionFolder& folder) {
  const Workspace ws(session, folder);
  ChecksumResult result;
  for (const auto& entry : ws.status.entries) {
    if (entry.record == nullptr)
      continue;
    ++result.checked;
    if (entry.state != RevisionState::modified && entry.state != RevisionState::missing)
      continue;
    const std::string why = entry.state == RevisionState::modified
                                ? "recorded checksum " + entry.record->checksum.substr(0, 12) +
                                      ", file has " + entry.revision->checksum.substr(0, 12)
                                : "applied but no file on disk";
    result.drift.push_back({entry.version, entry.name, entry.state, why});
  }
  return result;
}

NewRevisionResult create_revision(const NewRevisionRequest& request) {
  if (!is_valid_revision_name(request.name)) {
    throw Error(ExitCode::usage, "invalid revision name '" + request.name + "'",
                "use lower-case letters, digits and _ only, e.g. add_user_email_index");
  }
  const auto& dir = request.dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw Error(ExitCode::usage, "cannot create '" + dir.string() + "': " + ec.message());
  const auto version = free_version(dir);
  const auto stem = version_text(version) + "_" + request.name;
  check_name_fits(dir, stem, request.name);
  NewRevisionResult result{version, dir / (stem + ".up.sql"), dir / (stem + ".down.sql")};
  write_revision_files(result, request.name, stem, dir);
  return result;
}

}  // namespace agentdb::migrate
