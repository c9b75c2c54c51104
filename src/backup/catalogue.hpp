// The backup folder: one sub-folder per backup, named by its id, holding the archive and
// manifest.json. A backup enters the catalogue only by one rename of a finished folder, so a
// failed or interrupted run never shows up in it; folders in progress start with ".partial-".
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "backup/events.hpp"
#include "backup/manifest.hpp"

namespace agentdb::backup {

struct Entry {
  std::filesystem::path dir;
  Manifest manifest;   // when damaged: only the id (the folder's name) and started_at (from the id)
  std::string damage;  // non-empty: manifest.json is not a valid manifest, and why

  [[nodiscard]] bool damaged() const { return !damage.empty(); }
};

// "backup ID is damaged: WHY", exit status 4: the answer to using a backup that fails a check.
[[nodiscard]] Error damaged_backup(const std::string& id, const std::string& why);

class Catalogue {
 public:
  explicit Catalogue(std::filesystem::path dir) : dir_(std::move(dir)) {}

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

  // Every published backup, newest first, damaged ones included (Entry::damage). A folder that
  // cannot be read at all (permissions, a symlink loop, an I/O error) is skipped with a warning:
  // the catalogue stays usable whatever one entry holds.
  [[nodiscard]] std::vector<Entry> list(const WarningSink& warn) const;

  // The backup with this id ("latest" for the newest). Throws Error(usage) when there is none,
  // damaged_backup when it is damaged.
  [[nodiscard]] Entry find(const std::string& id, const WarningSink& warn) const;

  // Creates the backup folder when needed and a fresh in-progress folder inside it.
  // Throws Error(usage) when the folder cannot be created or written (a configuration problem).
  [[nodiscard]] std::filesystem::path begin(const std::string& id) const;

  // Moves a finished in-progress folder to its id (adding -2, -3, ... when the id is taken) and
  // makes the rename durable. Returns the id used.
  [[nodiscard]] std::string publish(const std::filesystem::path& partial, std::string id) const;

  // Removes a published backup: renamed out of the catalogue first, then deleted.
  void remove(const Entry& entry) const;

  // Deletes in-progress folders whose process is gone (a crash or kill -9 of agentdb itself).
  // Returns how many were removed.
  int remove_abandoned() const;

 private:
  std::filesystem::path dir_;
};

// "20261123T115327Z-agentdb": the UTC start time and the database name, made safe for a file name.
[[nodiscard]] std::string backup_id(std::chrono::system_clock::time_point start,
                                    const std::string& database);

}  // namespace agentdb::backup
