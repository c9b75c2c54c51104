// One connection in autocommit mode. Every command talks to PostgreSQL through this class, and
// libpqxx exceptions are translated into agentdb errors here and nowhere else.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "core/error.hpp"
#include "db/connection_target.hpp"
#include "db/rows.hpp"

namespace agentdb::db {

// A statement the server rejected. The message is the server's primary message, on one line.
class QueryError : public Error {
 public:
  QueryError(const std::string& message, std::string sqlstate, std::optional<int> line,
             std::string hint)
      : Error(ExitCode::failure, message, std::move(hint)),
        sqlstate_(std::move(sqlstate)),
        line_(line) {}

  [[nodiscard]] const std::string& sqlstate() const { return sqlstate_; }
  // Line within the statement text sent, when the server reported a position.
  [[nodiscard]] std::optional<int> line() const { return line_; }

 private:
  std::string sqlstate_;
  std::optional<int> line_;
};

// A message the server sent beside a result: NOTICE, WARNING, INFO, ... (never an ERROR).
struct ServerNotice {
  std::string severity;  // as the server sent it, e.g. "WARNING", "NOTICE"
  std::string message;   // first line of the text, without the severity
  [[nodiscard]] bool is_warning() const { return severity == "WARNING"; }
};

// Parses libpq's notice text ("WARNING:  identifier ... will be truncated ...\n").
[[nodiscard]] ServerNotice parse_server_notice(std::string_view text);

using NoticeSink = std::function<void(const ServerNotice&)>;

struct SessionOptions {
  std::chrono::milliseconds statement_timeout{0};  // 0: the server's default
  std::chrono::seconds connect_timeout{10};
};

class Session {
 public:
  // Throws Error(cannot_connect) naming the server (never the password) and the reason.
  static std::unique_ptr<Session> open(const ConnectionTarget& target,
                                       const SessionOptions& options = {});

  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs SQL text (one or more statements); throws QueryError, or Error(cannot_connect) when the
  // connection is lost.
  Rows exec(std::string_view sql);

  template <typename... Args>
  Rows exec_params(std::string_view sql, Args&&... args) {
    return rows_of(
        guarded([&] { return work_->exec_params(std::string(sql), std::forward<Args>(args)...); }));
  }

  [[nodiscard]] std::string quote(std::string_view value) const;
  [[nodiscard]] std::string quote_name(std::string_view name) const;
  [[nodiscard]] const ConnectionTarget& target() const { return target_; }
  // Server version as an integer, e.g. 150018.
  [[nodiscard]] int server_version() const;
  // The host and port this session reached ("127.0.0.1:5433"; a socket directory for a local
  // socket): which one of a target's several hosts libpq chose.
  [[nodiscard]] std::string server_address() const;
  // Backend process id, to tell sessions apart in pg_stat_activity.
  [[nodiscard]] int backend_pid() const;
  // False once the server closed the connection or it broke.
  [[nodiscard]] bool is_open() const;
  // Asks the server to stop the statement this session is running; safe to call from another
  // thread while exec() runs (that exec then throws QueryError 57014). Never throws: a cancel that
  // cannot reach the server changes nothing.
  void cancel_running_query() noexcept;
  // Where the server's notices go from now on, in the thread that runs the statement; an empty
  // sink drops them (the default: "relation already exists, skipping" is no news).
  void set_notice_sink(NoticeSink sink);

 private:
  Session(ConnectionTarget target, std::unique_ptr<pqxx::connection> connection);

  // libpqxx 6.4 leaves the SQLSTATE empty on some exception types (insufficient_privilege) and
  // reports serialization failures and deadlocks outside sql_error; all become QueryError here.
  template <typename Fn>
  pqxx::result guarded(Fn&& fn) {
    try {
      return fn();
    } catch (const pqxx::broken_connection& e) {
      throw_connection_lost(e.what());
    } catch (const pqxx::insufficient_privilege& e) {
      throw_query_error(e.what(), e.sqlstate().empty() ? "42501" : e.sqlstate());
    } catch (const pqxx::sql_error& e) {
      throw_query_error(e.what(), e.sqlstate());
    } catch (const pqxx::serialization_failure& e) {
      throw_query_error(e.what(), "40001");
    } catch (const pqxx::deadlock_detected& e) {
      throw_query_error(e.what(), "40P01");
    } catch (const pqxx::failure& e) {
      throw_query_error(e.what(), "");
    }
  }
  static Rows rows_of(const pqxx::result& result);
  [[noreturn]] void throw_connection_lost(const char* what) const;
  [[noreturn]] static void throw_query_error(const char* what, const std::string& sqlstate);

  ConnectionTarget target_;
  std::unique_ptr<pqxx::connection> connection_;
  NoticeSink notice_sink_;  // read by notice_handler_, so declared before it
  std::unique_ptr<pqxx::errorhandler> notice_handler_;
  std::unique_ptr<pqxx::nontransaction> work_;
};

// Parses libpq's error text ("ERROR:  msg\nLINE 3: ...\nHINT:  ...") into a QueryError.
[[nodiscard]] QueryError parse_server_error(std::string_view text, std::string sqlstate);

}  // namespace agentdb::db
