// migrate's public interface for other modules and front ends (health, serve): request -> result
// functions with no printing and no exit codes, safe to call from many threads on their own
// sessions. Failures that end an operation are thrown as Error (core/error.hpp), as the command
// line reports them. The command line's subcommands are registered by migrate_command.hpp.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "migrate/history.hpp"
#include "migrate/lint.hpp"
#include "migrate/planner.hpp"
#include "migrate/revision.hpp"
#include "migrate/roundtrip.hpp"
#include "migrate/settings.hpp"

namespace agentdb::db {
class Session;
struct ServerNotice;
}  // namespace agentdb::db

namespace agentdb::migrate {

struct StateCount {
  std::string state;  // "applied", "pending", "modified", "missing", "out-of-order", "failed"
  int count = 0;
  bool is_drift = false;  // anything but applied and pending needs a human
};

struct MigrationSummary {
  std::optional<long long> current;  // the newest applied version
  std::vector<StateCount> states;    // every state, in the order above
  [[nodiscard]] int count(std::string_view state) const;
  [[nodiscard]] int drift() const;
};

// The revision files in `dir` against the history in the database (none yet: all pending).
// Throws Error for an unreadable folder or malformed file names, QueryError for the server.
[[nodiscard]] MigrationSummary summarize(db::Session& session, const std::filesystem::path& dir);

// The revisions of one folder, read before any connection so a bad file fails first.
struct RevisionFolder {
  std::filesystem::path dir;
  std::vector<Revision> revisions;
};
// Throws Error(usage) as load_revisions does.
[[nodiscard]] RevisionFolder read_folder(const std::filesystem::path& dir);

// ---- status and history

struct StatusRow {
  long long version = 0;
  std::string name;
  RevisionState state = RevisionState::pending;
  std::optional<std::string> applied_at;  // ISO 8601; nullopt when never applied
};

struct StatusResult {
  std::string database;  // the target as shown to people (no password)
  std::filesystem::path dir;
  std::optional<long long> current;  // the newest applied version
  std::vector<StatusRow> entries;    // ordered by version
  [[nodiscard]] int count(RevisionState state) const;
  [[nodiscard]] bool clean() const;  // every revision applied
};

// Every revision's state; creates nothing (no history tables yet: all pending).
[[nodiscard]] StatusResult status(db::Session& session, const RevisionFolder& folder);

struct HistoryRequest {
  int limit = 50;
};
struct HistoryResult {
  std::string database;
  std::vector<LogEntry> entries;  // newest first
};
[[nodiscard]] HistoryResult history(db::Session& session, const HistoryRequest& request);

// ---- plan, apply and the records

enum class Operation { up, down, redo };

struct PlannedRevision {
  long long version = 0;
  std::string name;
  std::filesystem::path file;  // the up or down file, as the step's direction says
  std::string sql;
};

struct PlanStep {
  Direction direction = Direction::up;
  std::vector<PlannedRevision> revisions;  // in the order they would run
};

struct PlanRequest {
  RevisionFolder folder;
  Operation operation = Operation::up;
  std::optional<long long> to;  // up: stop after it; down: revert everything newer (0: all)
  std::optional<int> count;     // down: how many to revert (default 1)
  OutOfOrder out_of_order = OutOfOrder::refuse;
};

// What the operation would run, without the lock and without changing anything (a dry run):
// one step for up and down, a down and an up step for redo. Throws Error(conflict) for drift in
// the way and Error(failure) for a redo with no applied revision.
[[nodiscard]] std::vector<PlanStep> plan(db::Session& session, const PlanRequest& request);

enum class OnLintErrors { apply_anyway, refuse };

struct RevisionRun {
  Direction direction = Direction::up;
  long long version = 0;
  std::string name;
  long long duration_ms = 0;
  [[nodiscard]] std::string label() const { return version_text(version) + " " + name; }
};

// What an apply reports while it works, in this order. Every member may be left empty.
struct ApplyObserver {
  // up: the lint findings of the revisions about to run, under the lock, before any change.
  std::function<void(const std::vector<LintFinding>&)> linted;
  // Under the lock, before the first change, only when something will run (`up --backup`).
  std::function<void(const std::vector<PlannedRevision>&)> before_changes;
  // Each revision as it finishes.
  std::function<void(const RevisionRun&)> finished;
  // The NOTICEs and WARNINGs the server sends while a revision runs, with the revision's label.
  std::function<void(const std::string& revision, const db::ServerNotice&)> notice;
};

struct ApplyRequest {
  RevisionFolder folder;
  Operation operation = Operation::up;
  std::optional<long long> to;
  std::optional<int> count;
  OutOfOrder out_of_order = OutOfOrder::refuse;
  OnLintErrors on_lint_errors = OnLintErrors::apply_anyway;
  std::chrono::milliseconds lock_timeout{60'000};
  ApplyObserver observer;
};

struct ApplyResult {
  std::vector<RevisionRun> reverted;  // down and redo, in the order run
  std::vector<RevisionRun> applied;   // up and redo
  std::vector<LintFinding> lint;      // up: the findings `linted` heard
  std::optional<long long> current;   // the newest applied version afterwards
};

// Plans, takes the migration lock, plans again under it and runs each revision with its history
// rows. Throws Error(conflict) for a lock timeout or drift, Error(failure) for a revision the
// server rejects (the ones before it stay applied) or lint errors refused.
ApplyResult apply(db::Session& session, const ApplyRequest& request);

struct BaselineRequest {
  RevisionFolder folder;
  long long version = 0;  // the last version the database already has
  std::chrono::milliseconds lock_timeout{60'000};
};
struct BaselineResult {
  std::vector<RevisionRun> recorded;  // recorded as applied without running (duration 0)
  long long current = 0;
};
// Throws Error(usage) for a version with no file, Error(conflict) when anything is recorded.
BaselineResult baseline(db::Session& session, const BaselineRequest& request);

enum class FailedRevision { rerun, mark_applied };  // what repair does with an unfinished up

struct RepairRequest {
  RevisionFolder folder;
  long long version = 0;
  FailedRevision failed = FailedRevision::rerun;
  std::chrono::milliseconds lock_timeout{60'000};
};
struct RepairResult {
  long long version = 0;
  std::string name;
  RevisionState was = RevisionState::applied;
  std::string action;  // what was done, in words
};
// Throws Error(usage) for a version without a record, or mark_applied for a revision not failed.
RepairResult repair(db::Session& session, const RepairRequest& request);

// ---- verify, lint, new

struct ChecksumDrift {
  long long version = 0;
  std::string name;
  RevisionState state = RevisionState::modified;  // modified or missing
  std::string detail;                             // "recorded checksum ..., file has ..."
};
struct ChecksumResult {
  int checked = 0;  // applied revisions compared
  std::vector<ChecksumDrift> drift;
};
// Applied revisions' recorded checksums against the files. The roundtrip check of `verify
// --roundtrip` is verify_roundtrip (roundtrip.hpp), on the session's target.
[[nodiscard]] ChecksumResult check_checksums(db::Session& session, const RevisionFolder& folder);

struct LintResult {
  std::size_t files = 0;
  std::vector<LintFinding> findings;
  [[nodiscard]] int errors() const;
  [[nodiscard]] int warnings() const;
};
// Lints the given up files in order, each knowing what the files before it created. Throws
// Error(usage) for an unreadable file or an unknown directive.
[[nodiscard]] LintResult lint_files(const std::vector<std::string>& files);
// Lints every revision of the folder, each knowing what the earlier ones created.
[[nodiscard]] LintResult lint_folder(const RevisionFolder& folder);
// Lints the pending and out-of-order revisions, knowing what every earlier revision created.
[[nodiscard]] LintResult lint_pending(db::Session& session, const RevisionFolder& folder);

struct NewRevisionRequest {
  std::filesystem::path dir;
  std::string name;
};
struct NewRevisionResult {
  long long version = 0;
  std::filesystem::path up;
  std::filesystem::path down;
};
// Creates the folder when needed and both files of a revision numbered by the UTC time (one more
// when taken). Throws Error(usage) for a bad name or folder, Error(conflict) for existing files.
NewRevisionResult create_revision(const NewRevisionRequest& request);

}  // namespace agentdb::migrate
