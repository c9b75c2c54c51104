#include "db/session.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace agentdb::db {

namespace {

// Server notices go to the session's sink, never to libpqxx's default of printing them on stderr.
class NoticeForwarder final : public pqxx::errorhandler {
 public:
  NoticeForwarder(pqxx::connection_base& connection, const NoticeSink& sink)
      : pqxx::errorhandler(connection), sink_(sink) {}
  bool operator()(const char message[]) noexcept override {
    if (sink_) {
      try {
        sink_(parse_server_notice(message));
      } catch (...) {
        // A notice that cannot be shown must not break the statement that raised it.
      }
    }
    return false;
  }

 private:
  const NoticeSink& sink_;
};

std::string strip_severity(std::string_view line) {
  for (const auto* prefix : {"ERROR:  ", "FATAL:  ", "PANIC:  ", "ERROR: ", "FATAL: "}) {
    if (line.starts_with(prefix))
      return std::string(line.substr(std::string_view(prefix).size()));
  }
  return std::string(line);
}

std::string describe_connect_failure(std::string_view what) {
  const auto lines = util::split_lines(what);
  std::string reason;
  for (const auto& line : lines) {
    const auto text = util::trim(line);
    if (text.empty())
      continue;
    reason = strip_severity(text);
    // libpq prefixes "connection to server on socket ... failed:"; keep the specific part.
    if (const auto pos = reason.find(" failed: "); pos != std::string::npos) {
      reason = reason.substr(pos + 9);
    }
    break;
  }
  return reason.empty() ? std::string("unknown error") : reason;
}

}  // namespace

ServerNotice parse_server_notice(std::string_view text) {
  ServerNotice notice;
  const auto first = util::trim(text.substr(0, text.find('\n')));
  const auto colon = first.find(':');
  const auto severity = first.substr(0, colon);
  const bool upper = !severity.empty() && std::all_of(severity.begin(), severity.end(),
                                                      [](char c) { return c >= 'A' && c <= 'Z'; });
  if (colon != std::string_view::npos && upper) {
    notice.severity = std::string(severity);
    notice.message = std::string(util::trim(first.substr(colon + 1)));
  } else {
    notice.severity = "NOTICE";
    notice.message = std::string(first);
  }
  return notice;
}

QueryError parse_server_error(std::string_view text, std::string sqlstate) {
  std::string message;
  std::string hint;
  std::string detail;
  std::optional<int> line;
  for (const auto& raw : util::split_lines(text)) {
    const std::string_view l(raw);
    if (message.empty() && !util::trim(l).empty()) {
      message = strip_severity(util::trim(l));
    } else if (l.starts_with("LINE ")) {
      const auto colon = l.find(':');
      if (colon != std::string_view::npos) {
        if (const auto n = util::parse_int64(l.substr(5, colon - 5)))
          line = static_cast<int>(*n);
      }
    } else if (l.starts_with("HINT:")) {
      hint = std::string(util::trim(l.substr(5)));
    } else if (l.starts_with("DETAIL:")) {
      detail = std::string(util::trim(l.substr(7)));
    }
  }
  if (!detail.empty())
    message += " (" + detail + ")";
  return QueryError(util::one_line(message), std::move(sqlstate), line, util::one_line(hint));
}

Session::Session(ConnectionTarget target, std::unique_ptr<pqxx::connection> connection)
    : target_(std::move(target)), connection_(std::move(connection)) {
  notice_handler_ = std::make_unique<NoticeForwarder>(*connection_, notice_sink_);
  work_ = std::make_unique<pqxx::nontransaction>(*connection_, "agentdb");
}

Session::~Session() {
  work_.reset();
  notice_handler_.reset();
}

std::unique_ptr<Session> Session::open(const ConnectionTarget& target,
                                       const SessionOptions& options) {
  std::string conninfo = conninfo_with_password(target);
  if (target.conninfo.find("application_name=") == std::string::npos) {
    conninfo += " application_name='agentdb'";
  }
  if (target.conninfo.find("connect_timeout=") == std::string::npos) {
    conninfo += " connect_timeout=" + std::to_string(options.connect_timeout.count());
  }
  std::unique_ptr<pqxx::connection> connection;
  try {
    connection = std::make_unique<pqxx::connection>(conninfo);
  } catch (const std::exception& e) {
    throw Error(ExitCode::cannot_connect,
                "cannot connect to " + target.display + ": " +
                    redact_passwords(describe_connect_failure(e.what()), target),
                "check that the server is running and the URL, user and password are right");
  }
  std::unique_ptr<Session> session(new Session(target, std::move(connection)));
  if (options.statement_timeout.count() > 0) {
    session->exec("SET statement_timeout = " + std::to_string(options.statement_timeout.count()));
  }
  return session;
}

void Session::cancel_running_query() noexcept {
  try {
    // libpqxx builds the cancel request from the connection's backend key, which is fixed once
    // connected, so reading it from this thread does not race the one running the query.
    connection_->cancel_query();
  } catch (...) {
  }
}

Rows Session::exec(std::string_view sql) {
  return rows_of(guarded([&] { return work_->exec(std::string(sql)); }));
}

Rows Session::rows_of(const pqxx::result& result) {
  std::vector<std::string> columns;
  const auto width = static_cast<std::size_t>(result.columns());
  columns.reserve(width);
  for (pqxx::row::size_type i = 0; i < result.columns(); ++i)
    columns.emplace_back(result.column_name(i));
  std::vector<std::optional<std::string>> values;
  values.reserve(result.size() * width);
  for (const auto& row : result) {
    for (const auto& field : row) {
      if (field.is_null())
        values.emplace_back(std::nullopt);
      else
        values.emplace_back(std::in_place, field.c_str(), field.size());
    }
  }
  return Rows(std::move(columns), std::move(values), result.affected_rows());
}

std::string Session::quote(std::string_view value) const {
  return work_->quote(std::string(value));
}

std::string Session::quote_name(std::string_view name) const {
  return work_->quote_name(std::string(name));
}

int Session::server_version() const {
  return connection_->server_version();
}

void Session::set_notice_sink(NoticeSink sink) {
  notice_sink_ = std::move(sink);
}

bool Session::is_open() const {
  return connection_->is_open();
}

std::string Session::server_address() const {
  const char* host = connection_->hostname();
  const char* port = connection_->port();
  return std::string(host != nullptr ? host : "") + ":" + (port != nullptr ? port : "");
}

int Session::backend_pid() const {
  return connection_->backendpid();
}

void Session::throw_connection_lost(const char* what) const {
  throw Error(ExitCode::cannot_connect,
              "lost the connection to " + target_.display + ": " + describe_connect_failure(what),
              "check the server's log; a transaction in progress was rolled back by the server");
}

void Session::throw_query_error(const char* what, const std::string& sqlstate) {
  throw parse_server_error(what, sqlstate);
}

}  // namespace agentdb::db
