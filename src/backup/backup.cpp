#include "backup/backup.hpp"

#include <algorithm>

#include "backup/restorer.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::backup {

namespace {

Verification verification_now(const std::string& method, bool ok, const std::string& detail,
                              double seconds) {
  return {util::iso_utc(std::chrono::system_clock::now()), method, ok, detail, seconds};
}

enum class Created { no, yes };

// Makes `request.target` an empty database to restore into; says whether it was created now.
Created prepare_target(db::Session& admin, const db::ConnectionTarget& server,
                       const RestoreRequest& request) {
  const auto& name = request.target;
  // The name as given and the database the restore's connections resolve to, both.
  refuse_system_database(name);
  refuse_system_database(db::with_database(server, name).dbname);
  refuse_template_database(admin, name);
  if (name == server.dbname && request.connected == ConnectedTarget::refuse) {
    throw Error(ExitCode::conflict,
                "refusing to restore into " + name + ", the database agentdb is connected to",
                "restore into another --target and switch over, or pass --force");
  }
  if (!database_exists(admin, name)) {
    create_database(admin, name);
    return Created::yes;
  }
  const auto tables = count_user_tables(server, name);
  if (tables == 0)
    return Created::no;
  if (request.existing == ExistingTarget::refuse) {
    throw Error(ExitCode::conflict,
                "database " + name + " already exists and has " +
                    (tables == 1 ? std::string("1 table") : std::to_string(tables) + " tables"),
                "choose another --target, or pass --clean to drop and recreate it");
  }
  if (request.before_recreate)
    request.before_recreate();
  drop_database(admin, name);
  create_database(admin, name);
  return Created::yes;
}

std::vector<RetentionCandidate> retention_candidates(const std::vector<Entry>& entries) {
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
  return candidates;
}

}  // namespace

Catalogue configured_catalogue(const Context& ctx, const std::string& flag_value) {
  return Catalogue(ctx.config.value(kBackupDir, flag_value));
}

Entry backup_before(Context& ctx, const db::ConnectionTarget& target, const std::string& label) {
  const auto catalogue = configured_catalogue(ctx, "");
  const auto session = db::Session::open(target);
  CreateRequest request;
  request.label = label;
  auto entry = create_backup(*session, catalogue, request);
  ctx.out.note("backup " + entry.manifest.id + " taken first (" +
               util::human_bytes(entry.manifest.size_bytes) +
               "); undo with: agentdb backup restore " + entry.manifest.id + " --target NAME");
  return entry;
}

std::unique_ptr<db::Session> open_admin_session(const db::ConnectionTarget& server) {
  if (server.dbname != "postgres") {
    try {
      return db::Session::open(db::with_database(server, "postgres"));
    } catch (const Error&) {
      // fall back to the configured database below
    }
  }
  return db::Session::open(server);
}

FilesCheck verify_files(const Entry& entry) {
  FilesCheck check;
  check.files = entry.manifest.files.size();
  try {
    check_files(entry);
    check.toc_entries = check_table_of_contents(entry);
  } catch (const Error& e) {
    record_verification(entry, verification_now("checksums", false, e.what(), 0));
    throw;
  }
  return check;
}

RestoreCheck verify_restore(db::Session& admin, const db::ConnectionTarget& server,
                            const Entry& entry, const RestoreVerifyRequest& request) {
  RestoreCheck check;
  try {
    check = verify_by_restore(admin, server, entry, request.jobs, request.progress);
  } catch (const Error& e) {
    record_verification(entry, verification_now("restore", false, e.what(), 0));
    throw;
  }
  record_verification(entry, verification_now("restore", true, describe(check), check.seconds));
  return check;
}

Entry restorable_backup(const Catalogue& catalogue, const RestoreRequest& request) {
  if (!is_plain_identifier(request.target)) {
    throw Error(ExitCode::usage, "invalid --target '" + request.target + "'",
                "a database name of letters, digits, _ and $ starting with a letter or _, at "
                "most 63 bytes");
  }
  refuse_system_database(request.target);  // before anything is read or connected
  auto entry = catalogue.find(request.id, request.warn);
  check_files(entry);  // never restore an archive that is not what was written
  return entry;
}

RestoreResult restore_backup(db::Session& admin, const db::ConnectionTarget& server,
                             const Entry& entry, const RestoreRequest& request) {
  const auto created = prepare_target(admin, server, request);
  const auto start = std::chrono::steady_clock::now();
  try {
    restore_archive(admin, server, entry, request.target, request.jobs, request.progress);
  } catch (const Error& e) {
    if (created == Created::no)
      throw;
    drop_database(admin, request.target);
    throw Error(
        e.code(),
        std::string(e.what()) + "; the partly restored database " + request.target + " was dropped",
        e.hint());
  }
  return {entry.manifest.id, request.target,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

PruneResult prune_backups(const Catalogue& catalogue, const PruneRequest& request) {
  const bool dry_run = request.mode == PruneMode::dry_run;
  if (!dry_run)
    catalogue.remove_abandoned();
  auto entries = catalogue.list(request.warn);
  // A damaged backup is neither counted towards a policy nor deleted: a person decides.
  std::erase_if(entries, [&](const Entry& entry) {
    if (entry.damaged() && request.warn)
      request.warn(damaged_backup(entry.manifest.id, entry.damage).what() +
                   std::string("; left alone"));
    return entry.damaged();
  });
  const auto decisions = plan_retention(retention_candidates(entries), request.policy);
  PruneResult result;
  result.mode = request.mode;
  for (const auto& decision : decisions) {
    const auto entry = std::find_if(entries.begin(), entries.end(),
                                    [&](const Entry& e) { return e.manifest.id == decision.id; });
    PrunedBackup pruned{decision, entry->manifest.size_bytes};
    if (decision.keep) {
      result.kept.push_back(pruned);
    } else {
      if (!dry_run)
        catalogue.remove(*entry);
      result.removed.push_back(pruned);
    }
    if (request.after_each)
      request.after_each(pruned);
  }
  return result;
}

}  // namespace agentdb::backup
