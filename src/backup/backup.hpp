// backup's public interface for other modules and front ends (`migrate up --backup`, serve): each
// operation takes a request and what it works on (a catalogue, a session) and returns a result.
// Nothing here prints; progress and warnings go to the callbacks in the request.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backup/catalogue.hpp"
#include "backup/dumper.hpp"
#include "backup/events.hpp"
#include "backup/retention.hpp"
#include "backup/settings.hpp"
#include "backup/verifier.hpp"
#include "core/context.hpp"
#include "db/session.hpp"

namespace agentdb::backup {

// The catalogue from --backup-dir, AGENTDB_BACKUP_DIR, agentdb.toml's backup.dir, or ./backups.
[[nodiscard]] Catalogue configured_catalogue(const Context& ctx, const std::string& flag_value);

// A backup with the default settings before a risky change (`migrate up --backup`), on a session
// of its own; prints its id.
[[nodiscard]] Entry backup_before(Context& ctx, const db::ConnectionTarget& target,
                                  const std::string& label);

// create: `create_backup` (dumper.hpp). list: `Catalogue::list` (catalogue.hpp).

// For CREATE/DROP DATABASE: a session on the server's postgres database when it exists, so the
// database being replaced can be dropped; otherwise on the configured one.
[[nodiscard]] std::unique_ptr<db::Session> open_admin_session(const db::ConnectionTarget& server);

// verify, first step: checksums and pg_restore's table of contents. A failure is recorded in the
// manifest and rethrown.
struct FilesCheck {
  std::size_t files = 0;
  int toc_entries = 0;
};
[[nodiscard]] FilesCheck verify_files(const Entry& entry);

// verify --restore: a restore into a scratch database, compared with the manifest; the outcome,
// good or bad, is recorded in the manifest.
struct RestoreVerifyRequest {
  int jobs = 1;
  ToolProgressSink progress;
};
[[nodiscard]] RestoreCheck verify_restore(db::Session& admin, const db::ConnectionTarget& server,
                                          const Entry& entry, const RestoreVerifyRequest& request);

enum class ExistingTarget { refuse, drop_and_recreate };  // a target that exists and has tables
enum class ConnectedTarget { refuse, allow };  // a target that is the database connected to

struct RestoreRequest {
  std::string id;      // a backup id, or "latest"
  std::string target;  // the database to restore into
  int jobs = 1;
  ExistingTarget existing = ExistingTarget::refuse;
  ConnectedTarget connected = ConnectedTarget::refuse;
  ToolProgressSink progress;
  WarningSink warn;
  std::function<void()> before_recreate;  // called before an existing target is dropped
};

struct RestoreResult {
  std::string id;
  std::string target;
  double seconds = 0;
};

// restore, first step, before connecting: the target is a plain identifier (else Error(usage)),
// the backup exists and its files match their checksums.
[[nodiscard]] Entry restorable_backup(const Catalogue& catalogue, const RestoreRequest& request);

// Creates the target (or refuses, see the request) and restores `entry` into it; a database it
// created is dropped again when the restore fails.
[[nodiscard]] RestoreResult restore_backup(db::Session& admin, const db::ConnectionTarget& server,
                                           const Entry& entry, const RestoreRequest& request);

enum class PruneMode { remove, dry_run };

struct PrunedBackup {
  RetentionDecision decision;
  std::uint64_t size_bytes = 0;
};

struct PruneRequest {
  RetentionPolicy policy;
  PruneMode mode = PruneMode::remove;
  WarningSink warn;
  std::function<void(const PrunedBackup&)> after_each;  // once a decision is carried out
};

struct PruneResult {
  PruneMode mode = PruneMode::remove;
  std::vector<PrunedBackup> kept;
  std::vector<PrunedBackup> removed;  // or, in a dry run, that would be
};

// Applies the retention policy (retention.hpp) to the catalogue, newest first; in a dry run
// nothing is removed, not even abandoned in-progress folders.
[[nodiscard]] PruneResult prune_backups(const Catalogue& catalogue, const PruneRequest& request);

}  // namespace agentdb::backup
