// The PostgreSQL part of a health run: connect within the deadline (the "connection" check), then
// each database check in turn on that one session, every statement bounded by the deadline.
#include <memory>

#include "db/session.hpp"
#include "health/database_checks.hpp"
#include "health/run_board.hpp"
#include "util/strings.hpp"

namespace agentdb::health {

namespace {

using Clock = std::chrono::steady_clock;

// "timeout expired" -> "timed out", and the like: the reason a monitoring person acts on.
std::string connect_reason(const std::string& message) {
  const auto lower = util::to_lower(message);
  if (lower.find("refused") != std::string::npos)
    return "connection refused";
  if (lower.find("timeout") != std::string::npos || lower.find("timed out") != std::string::npos)
    return "timed out";
  if (lower.find("authentication") != std::string::npos ||
      lower.find("password") != std::string::npos || lower.find("pg_hba") != std::string::npos)
    return "authentication failed";
  if (lower.find("no such file") != std::string::npos)
    return "no server at that socket";
  if (lower.find("does not exist") != std::string::npos)
    return "database does not exist";
  return "cannot connect";
}

const SelectedCheck* find_selected(const HealthRequest& request, std::string_view name) {
  for (const auto& check : request.checks) {
    if (check.spec->name == name)
      return &check;
  }
  return nullptr;
}

// The database checks that have not run yet get `status` and `summary`.
void mark_database_checks(RunBoard& board, Status status, const std::string& summary) {
  const auto& request = board.request();
  board.edit([&](std::vector<CheckResult>& checks) {
    for (std::size_t i = 0; i < request.checks.size(); ++i) {
      if (request.checks[i].spec->needs_database && checks[i].summary.starts_with("not run"))
        checks[i] = result_of(request.checks[i], status, summary);
    }
  });
}

void report_connect_failure(RunBoard& board, const Error& error) {
  const auto reason = connect_reason(error.what());
  const auto* connection = find_selected(board.request(), "connection");
  if (connection != nullptr) {
    auto result = result_of(*connection, Status::critical, error.what());
    result.detail = {{"reason", reason}};
    board.publish(result);
  }
  mark_database_checks(board, Status::unknown, "not run: cannot connect (" + reason + ")");
  if (connection != nullptr)
    return;
  // The connection was not asked for, but without it nothing else could be judged.
  board.edit([&](std::vector<CheckResult>& checks) {
    for (auto& check : checks) {
      if (find_check(check.name)->needs_database) {
        check.status = Status::critical;
        check.summary = "cannot connect (" + reason + "): " + error.what();
        break;
      }
    }
  });
}

// Opens the session within the time left and publishes the "connection" check; nullptr when the
// server could not be reached (reported). Usage errors are thrown.
std::unique_ptr<db::Session> connect(RunBoard& board, const db::ConnectionTarget& target) {
  db::SessionOptions options;
  // libpq counts connect_timeout in whole seconds (and treats 1 as 2); the deadline keeps the
  // finer timeout.
  options.connect_timeout =
      std::chrono::seconds(std::max<long long>(1, (board.remaining().count() + 999) / 1000));
  std::unique_ptr<db::Session> session;
  const auto started = Clock::now();
  try {
    session = db::Session::open(target, options);
  } catch (const Error& e) {
    if (e.code() == ExitCode::usage)
      throw;
    report_connect_failure(board, e);
    return nullptr;
  }
  const double connect_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  board.set_connected();
  if (const auto* connection = find_selected(board.request(), "connection")) {
    auto result = result_of(*connection,
                            judge(connect_ms, connection->thresholds, connection->spec->direction),
                            "connected to " + target.display);
    result.value = connect_ms;
    result.perfdata.push_back(Perfdata{"connect_time", connect_ms, "ms", connection->thresholds,
                                       Direction::higher_is_worse, 0, std::nullopt});
    board.publish(result);
  }
  return session;
}

// Runs one database check; false when the connection was lost (the rest are then not run).
bool run_one(RunBoard& board, const SelectedCheck& check, db::Session& session) {
  try {
    board.publish(
        run_database_check(*check.spec, check.thresholds, session, board.request().migrations));
  } catch (const db::QueryError& e) {
    board.publish(result_of(check, Status::unknown, std::string("query failed: ") + e.what()));
  } catch (const Error& e) {
    if (e.code() != ExitCode::cannot_connect) {
      board.publish(result_of(check, Status::unknown, e.what()));
      return true;
    }
    board.publish(result_of(check, Status::critical, e.what()));
    mark_database_checks(board, Status::unknown, "not run: the connection was lost");
    return false;
  }
  return true;
}

// Lets the caller cancel the session's running query at the deadline while the session is open.
class WatchedSession {
 public:
  WatchedSession(RunBoard& board, db::Session& session) : board_(board) {
    board_.watch_session(&session);
  }
  ~WatchedSession() { board_.watch_session(nullptr); }
  WatchedSession(const WatchedSession&) = delete;
  WatchedSession& operator=(const WatchedSession&) = delete;

 private:
  RunBoard& board_;
};

}  // namespace

void run_database_phase(RunBoard& board) {
  const auto& request = board.request();
  if (!request.database)
    throw std::logic_error("a health request with database checks needs a database target");
  board.set_database(request.database->display);
  const auto session = connect(board, *request.database);
  if (!session)
    return;
  const WatchedSession watched(board, *session);
  // A query that would outlast the deadline is cancelled by the server, not waited for.
  (void)session->exec("SET statement_timeout = " + std::to_string(board.remaining().count()));
  (void)session->exec("SET application_name = 'agentdb health'");
  for (const auto& check : request.checks) {
    if (!check.spec->needs_database || check.spec->name == "connection")
      continue;
    if (board.abandoned() || !run_one(board, check, *session))
      return;
  }
}

}  // namespace agentdb::health
