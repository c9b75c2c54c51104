#include "backup/catalogue.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <system_error>

#include "core/error.hpp"
#include "util/strings.hpp"

namespace agentdb::backup {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPartialPrefix = ".partial-";
constexpr std::string_view kDeletingPrefix = ".deleting-";

void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// The pid recorded in ".partial-<pid>-<id>", or 0.
pid_t partial_owner(std::string_view name) {
  name.remove_prefix(kPartialPrefix.size());
  const auto dash = name.find('-');
  const auto pid = util::parse_int64(name.substr(0, dash));
  return pid && *pid > 0 ? static_cast<pid_t>(*pid) : 0;
}

}  // namespace

std::string backup_id(std::chrono::system_clock::time_point start, const std::string& database) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(start);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &parts);
  std::string safe;
  for (const char c : database) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-';
    safe += plain ? c : '_';
  }
  return std::string(stamp) + "-" + (safe.empty() ? "db" : safe);
}

std::vector<Entry> Catalogue::list(const WarningSink& warn) const {
  std::vector<Entry> entries;
  std::error_code ec;
  fs::directory_iterator it(dir_, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory)
      return entries;
    throw Error(ExitCode::usage, "cannot read backup folder " + dir_.string() + ": " + ec.message(),
                "check --backup-dir (env AGENTDB_BACKUP_DIR)");
  }
  for (const auto& item : it) {
    const auto name = item.path().filename().string();
    if (name.starts_with(".") || !item.is_directory())
      continue;
    if (!fs::exists(item.path() / kManifestName))
      continue;  // not a backup folder
    try {
      entries.push_back({item.path(), read_manifest(item.path())});
    } catch (const Error& e) {
      if (warn)
        warn(std::string("skipping ") + item.path().string() + ": " + e.what());
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.manifest.started_at, a.manifest.id) >
           std::tie(b.manifest.started_at, b.manifest.id);
  });
  return entries;
}

Entry Catalogue::find(const std::string& id, const WarningSink& warn) const {
  auto entries = list(warn);
  if (id == "latest" && !entries.empty())
    return entries.front();
  for (auto& entry : entries) {
    if (entry.manifest.id == id)
      return entry;
  }
  throw Error(ExitCode::usage, "no backup '" + id + "' in " + dir_.string(),
              "run 'agentdb backup list' to see the ids");
}

fs::path Catalogue::begin(const std::string& id) const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) {
    throw Error(ExitCode::usage,
                "cannot create backup folder " + dir_.string() + ": " + ec.message(),
                "choose another --backup-dir (env AGENTDB_BACKUP_DIR) or fix its permissions");
  }
  const auto partial = dir_ / (std::string(kPartialPrefix) + std::to_string(::getpid()) + "-" + id);
  fs::remove_all(partial, ec);
  if (::mkdir(partial.c_str(), 0700) != 0) {
    throw Error(ExitCode::usage,
                "cannot write in backup folder " + dir_.string() + ": " +
                    std::generic_category().message(errno),
                "choose another --backup-dir (env AGENTDB_BACKUP_DIR) or fix its permissions");
  }
  return partial;
}

std::string Catalogue::publish(const fs::path& partial, std::string id) const {
  const std::string base = id;
  for (int suffix = 2;; ++suffix) {
    const auto target = dir_ / id;
    // RENAME_NOREPLACE: an existing backup with the same id is never overwritten.
    if (::renameat2(AT_FDCWD, partial.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0)
      break;
    if (errno != EEXIST || suffix > 99) {
      throw Error(ExitCode::failure, "cannot publish backup " + target.string() + ": " +
                                         std::generic_category().message(errno));
    }
    id = base + "-" + std::to_string(suffix);
  }
  sync_directory(dir_);
  return id;
}

void Catalogue::remove(const Entry& entry) const {
  const auto doomed = dir_ / (std::string(kDeletingPrefix) + entry.dir.filename().string());
  std::error_code ec;
  fs::rename(entry.dir, doomed, ec);
  if (ec) {
    throw Error(ExitCode::failure,
                "cannot remove backup " + entry.manifest.id + ": " + ec.message());
  }
  sync_directory(dir_);
  fs::remove_all(doomed, ec);
  if (ec) {
    throw Error(ExitCode::failure, "backup " + entry.manifest.id +
                                       " left the catalogue but its files could not all be "
                                       "deleted from " +
                                       doomed.string() + ": " + ec.message());
  }
}

int Catalogue::remove_abandoned() const {
  int removed = 0;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(dir_, ec)) {
    const auto name = item.path().filename().string();
    const bool deleting = name.starts_with(kDeletingPrefix);
    if (!deleting && !name.starts_with(kPartialPrefix))
      continue;
    if (!deleting) {
      const pid_t owner = partial_owner(name);
      if (owner != 0 && (::kill(owner, 0) == 0 || errno == EPERM))
        continue;  // still being written
    }
    std::error_code remove_error;
    fs::remove_all(item.path(), remove_error);
    if (!remove_error)
      ++removed;
  }
  return removed;
}

}  // namespace agentdb::backup
