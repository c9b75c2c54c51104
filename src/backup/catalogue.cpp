#include "backup/catalogue.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <optional>
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

// "20261123T115327Z..." -> "2026-11-23T11:53:27Z", so a damaged entry still sorts by its time.
std::string started_at_of_id(const std::string& id) {
  if (id.size() < 16 || id[8] != 'T' || id[15] != 'Z')
    return "";
  return id.substr(0, 4) + "-" + id.substr(4, 2) + "-" + id.substr(6, 2) + "T" + id.substr(9, 2) +
         ":" + id.substr(11, 2) + ":" + id.substr(13, 2) + "Z";
}

bool is_absent(const std::error_code& ec) {
  return ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory;
}

// One catalogue folder: its entry, nothing when it is no backup, or nothing and a warning when it
// cannot be read. Never throws for what one folder holds.
std::optional<Entry> read_entry(const fs::path& path, const WarningSink& warn) {
  const auto skip = [&](const std::string& why) {
    if (warn)
      warn("skipping " + util::printable(path.string()) + ": " + why);
    return std::nullopt;
  };
  const auto name = path.filename().string();
  if (name.starts_with("."))
    return std::nullopt;
  std::error_code ec;
  const auto folder = fs::status(path, ec);
  if (ec && !is_absent(ec))
    return skip(ec.message());
  if (!fs::is_directory(folder))
    return std::nullopt;
  (void)fs::status(path / kManifestName, ec);
  if (is_absent(ec))
    return std::nullopt;  // not a backup folder
  if (ec)
    return skip("cannot read " + std::string(kManifestName) + ": " + ec.message());
  try {
    return Entry{path, read_manifest(path), ""};
  } catch (const ManifestDamage& e) {
    Entry damaged{path, {}, e.what()};
    damaged.manifest.id = name;
    damaged.manifest.started_at = started_at_of_id(name);
    return damaged;
  } catch (const Error& e) {
    return skip(e.what());
  }
}

}  // namespace

Error damaged_backup(const std::string& id, const std::string& why) {
  return Error(ExitCode::conflict,
               "backup " + util::printable(id) + " is damaged: " + util::printable(why),
               "do not restore it; use another backup");
}

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
    throw Error(ExitCode::usage,
                "cannot read backup folder " + util::printable(dir_.string()) + ": " + ec.message(),
                "check --backup-dir (env AGENTDB_BACKUP_DIR)");
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (auto entry = read_entry(it->path(), warn))
      entries.push_back(std::move(*entry));
  }
  if (ec) {
    throw Error(ExitCode::failure, "cannot read backup folder " + util::printable(dir_.string()) +
                                       ": " + ec.message());
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.manifest.started_at, a.manifest.id) >
           std::tie(b.manifest.started_at, b.manifest.id);
  });
  return entries;
}

Entry Catalogue::find(const std::string& id, const WarningSink& warn) const {
  auto entries = list(warn);
  const auto found =
      id == "latest" ? entries.begin()
                     : std::find_if(entries.begin(), entries.end(),
                                    [&](const Entry& entry) { return entry.manifest.id == id; });
  if (found == entries.end()) {
    throw Error(ExitCode::usage,
                "no backup '" + util::printable(id) + "' in " + util::printable(dir_.string()),
                "run 'agentdb backup list' to see the ids");
  }
  if (found->damaged())
    throw damaged_backup(found->manifest.id, found->damage);
  return std::move(*found);
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
