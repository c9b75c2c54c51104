#include "migrate/applier.hpp"

#include <chrono>

#include "util/sql_lexer.hpp"

namespace agentdb::migrate {

namespace {

using Clock = std::chrono::steady_clock;

long long elapsed_ms(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

const std::filesystem::path& file_of(const Revision& revision, Direction direction) {
  return direction == Direction::up ? revision.up_path : revision.down_path;
}

const std::string& sql_of(const Revision& revision, Direction direction) {
  return direction == Direction::up ? revision.up_sql : revision.down_sql;
}

// "revision 3 add_users failed: migrations/3_add_users.up.sql:12: <server message>". The line is
// the server's error position when it gives one, else the failing statement's first line when the
// file ran statement by statement.
Error revision_failed(const Revision& revision, Direction direction, const db::QueryError& error,
                      std::optional<int> statement_line) {
  std::string where = file_of(revision, direction).string();
  if (error.line()) {
    where += ":" + std::to_string(statement_line.value_or(1) + *error.line() - 1);
  } else if (statement_line) {
    where += ":" + std::to_string(*statement_line);
  }
  const std::string verb = direction == Direction::up ? "" : " (down)";
  return Error(ExitCode::failure,
               "revision " + revision.label() + verb + " failed: " + where + ": " + error.what(),
               error.hint());
}

void rollback_quietly(db::Session& session) {
  try {
    session.exec("ROLLBACK");
  } catch (...) {
    // The connection is gone; the server rolled the transaction back itself.
  }
}

}  // namespace

long long Applier::up(const Revision& revision) {
  return revision.directives.transaction == TransactionMode::none
             ? run_statement_by_statement(revision, Direction::up)
             : run_in_transaction(revision, Direction::up);
}

long long Applier::down(const Revision& revision) {
  return revision.down_transaction == TransactionMode::none
             ? run_statement_by_statement(revision, Direction::down)
             : run_in_transaction(revision, Direction::down);
}

// Two round trips per revision: "BEGIN;" sent with the revision's SQL (no newline added, so the
// server's error positions keep the file's line numbers), then the history rows sent with COMMIT.
long long Applier::run_in_transaction(const Revision& revision, Direction direction) {
  try {
    const auto start = Clock::now();
    session_.exec("BEGIN;" + sql_of(revision, direction));
    const auto duration = elapsed_ms(start);
    std::string finish;
    if (direction == Direction::up) {
      finish = history_.record_sql(HistoryRecord{revision.version,
                                                 revision.name,
                                                 revision.checksum,
                                                 RecordStatus::applied,
                                                 {},
                                                 duration,
                                                 {},
                                                 {}}) +
               history_.log_sql(revision.version, revision.name, "up", "applied", duration);
    } else {
      finish = history_.remove_sql(revision.version) +
               history_.log_sql(revision.version, revision.name, "down", "reverted", duration);
    }
    session_.exec(finish + "COMMIT;");
    return duration;
  } catch (const db::QueryError& e) {
    rollback_quietly(session_);
    throw revision_failed(revision, direction, e, std::nullopt);
  } catch (...) {
    rollback_quietly(session_);
    throw;
  }
}

long long Applier::run_statement_by_statement(const Revision& revision, Direction direction) {
  std::vector<util::SqlStatement> statements;
  try {
    statements = util::split_sql(sql_of(revision, direction));
  } catch (const util::SqlLexError& e) {
    throw Error(ExitCode::usage, file_of(revision, direction).string() + ":" +
                                     std::to_string(e.line()) + ": " + e.what());
  }
  const auto action = direction == Direction::up ? "up" : "down";
  if (direction == Direction::up) {
    history_.record(HistoryRecord{
        revision.version, revision.name, revision.checksum, RecordStatus::running, {}, 0, {}, {}});
  } else {
    history_.set_status(revision.version, RecordStatus::running, 0, "reverting");
  }
  const auto start = Clock::now();
  for (const auto& statement : statements) {
    try {
      session_.exec(statement.text);
    } catch (const db::QueryError& e) {
      const auto duration = elapsed_ms(start);
      auto failure = revision_failed(revision, direction, e, statement.line);
      // The prefix tells `migrate repair` which direction did not finish.
      history_.set_status(
          revision.version, RecordStatus::failed, duration,
          std::string(direction == Direction::up ? "up failed: " : "down failed: ") +
              failure.what());
      history_.append_log(revision.version, revision.name, action, "failed", duration,
                          failure.what());
      throw failure;
    }
  }
  const auto duration = elapsed_ms(start);
  if (direction == Direction::up) {
    history_.set_status(revision.version, RecordStatus::applied, duration, {});
    history_.append_log(revision.version, revision.name, "up", "applied", duration);
  } else {
    history_.remove(revision.version);
    history_.append_log(revision.version, revision.name, "down", "reverted", duration);
  }
  return duration;
}

}  // namespace agentdb::migrate
