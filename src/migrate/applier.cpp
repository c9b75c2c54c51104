#include "migrate/applier.hpp"

#include <algorithm>
#include <chrono>

#include "db/transaction.hpp"
#include "util/sql_lexer.hpp"
#include "util/strings.hpp"

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

// The statement of `statements` that holds `line` of the file.
const util::SqlStatement* statement_at(const std::vector<util::SqlStatement>& statements,
                                       int line) {
  const util::SqlStatement* found = nullptr;
  for (const auto& statement : statements) {
    if (statement.line <= line)
      found = &statement;
  }
  return found;
}

// "CREATE INDEX CONCURRENTLY a_id ON a (id)": the statement's first line, cut to a readable length.
std::string first_line_of(const util::SqlStatement& statement) {
  auto text = std::string(util::trim(statement.text.substr(0, statement.text.find('\n'))));
  if (text.size() > 80)
    text = text.substr(0, 77) + "...";
  return text;
}

// Where a revision failed: the file's line and the statement there, when they are known.
struct FailurePlace {
  std::optional<int> line;
  std::string statement;
};

// "revision 3 add_users failed: migrations/3_add_users.up.sql:12: <server message (detail)>;
// statement: <its first line>", with the server's hint, or for a statement that cannot run in a
// transaction block (SQLSTATE 25001) the directive that fixes it.
Error revision_failed(const Revision& revision, Direction direction, const db::QueryError& error,
                      const FailurePlace& place) {
  std::string where = file_of(revision, direction).string();
  if (place.line)
    where += ":" + std::to_string(*place.line);
  std::string message = "revision " + revision.label() +
                        (direction == Direction::up ? "" : " (down)") + " failed: " + where + ": " +
                        error.what();
  if (!place.statement.empty())
    message += "; statement: " + place.statement;
  auto hint = error.hint();
  if (error.sqlstate() == "25001") {
    hint = "add the line '-- agentdb:no-transaction' at the top of " +
           file_of(revision, direction).filename().string() +
           " so its statements run one by one outside a transaction";
  }
  return Error(ExitCode::failure, message, hint);
}

// Failures that a second run would only repeat slowly or not at all: timeouts, lock waits,
// conflicts with other sessions, lost connections, resources.
bool worth_rerunning(const std::string& sqlstate) {
  for (const auto* prefix : {"08", "40", "53", "55", "57", "58", "XX"}) {
    if (sqlstate.starts_with(prefix))
      return false;
  }
  return true;
}

bool controls_transactions(const std::vector<util::SqlStatement>& statements) {
  return std::any_of(statements.begin(), statements.end(), util::is_transaction_control);
}

void rollback_quietly(db::Session& session) {
  try {
    session.exec("ROLLBACK");
  } catch (...) {
    // The connection is gone; the server rolled the transaction back itself.
  }
}

// The whole file went to the server in one message, so the server names the statement only when
// it reports a position. Without one, the revision runs again statement by statement in a
// transaction that is rolled back, and the first statement that fails is the one.
FailurePlace locate_failure(db::Session& session, const Revision& revision, Direction direction,
                            const db::QueryError& error) {
  std::vector<util::SqlStatement> statements;
  try {
    statements = util::split_sql(sql_of(revision, direction));
  } catch (const util::SqlLexError&) {
    return {error.line(), {}};
  }
  if (error.line()) {
    // "BEGIN;" was sent on the file's first line, so the server's line is the file's.
    const auto* statement = statement_at(statements, *error.line());
    return {error.line(), statement ? first_line_of(*statement) : std::string()};
  }
  if (!worth_rerunning(error.sqlstate()) || controls_transactions(statements))
    return {};
  FailurePlace place;
  session.set_notice_sink({});  // the first run reported them already
  try {
    const db::Transaction probe(session);  // rolled back when it goes out of scope
    for (const auto& statement : statements) {
      try {
        session.exec(statement.text);
      } catch (const db::QueryError& again) {
        place = {statement.line + (again.line() ? *again.line() - 1 : 0), first_line_of(statement)};
        break;
      }
    }
  } catch (const Error&) {
    // The connection went away while looking; report what the first run said.
  }
  return place;
}

}  // namespace

// Sends the session's notices to the applier's listener, naming the revision, while one runs.
class Applier::NoticeScope {
 public:
  NoticeScope(Applier& applier, const Revision& revision) : session_(applier.session_) {
    if (applier.notices_) {
      session_.set_notice_sink([&listener = applier.notices_, &revision](
                                   const db::ServerNotice& notice) { listener(revision, notice); });
    }
  }
  ~NoticeScope() { session_.set_notice_sink({}); }
  NoticeScope(const NoticeScope&) = delete;
  NoticeScope& operator=(const NoticeScope&) = delete;

 private:
  db::Session& session_;
};

long long Applier::up(const Revision& revision) {
  const NoticeScope notices(*this, revision);
  return revision.directives.transaction == TransactionMode::none
             ? run_statement_by_statement(revision, Direction::up)
             : run_in_transaction(revision, Direction::up);
}

long long Applier::down(const Revision& revision) {
  const NoticeScope notices(*this, revision);
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
    throw revision_failed(revision, direction, e, locate_failure(session_, revision, direction, e));
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
      const auto line = statement.line + (e.line() ? *e.line() - 1 : 0);
      auto failure = revision_failed(revision, direction, e, {line, first_line_of(statement)});
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
