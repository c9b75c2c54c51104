#include "db/copy_stream.hpp"

#include <libpq-fe.h>

#include "db/session.hpp"
#include "util/strings.hpp"

namespace agentdb::db {

namespace {

std::string error_text(PGconn* connection) {
  const char* message = PQerrorMessage(connection);
  return message != nullptr ? message : "unknown error";
}

// Turns a failed PGresult into the same QueryError Session throws.
[[noreturn]] void throw_result_error(PGresult* result) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string text = PQresultErrorMessage(result);
  const std::string sqlstate = state != nullptr ? state : "";
  PQclear(result);
  throw parse_server_error(text, sqlstate);
}

}  // namespace

CopyConnection::CopyConnection(const ConnectionTarget& target) {
  const auto conninfo = conninfo_with_password(target) + " application_name='agentdb'";
  connection_ = PQconnectdb(conninfo.c_str());
  if (PQstatus(connection_) != CONNECTION_OK) {
    const auto why = util::one_line(error_text(connection_));
    PQfinish(connection_);
    connection_ = nullptr;
    throw Error(ExitCode::cannot_connect,
                "cannot connect to " + target.display + ": " + redact_passwords(why, target),
                "check that the server is running and the URL, user and password are right");
  }
  PQsetNoticeProcessor(
      connection_, [](void*, const char*) {}, nullptr);
}

CopyConnection::~CopyConnection() {
  if (connection_ != nullptr)
    PQfinish(connection_);
}

void CopyConnection::exec(const std::string& sql) {
  PGresult* result = PQexec(connection_, sql.c_str());
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw_result_error(result);
  PQclear(result);
}

void CopyConnection::begin_copy(const std::string& table, const std::vector<std::string>& columns) {
  table_ = table;
  std::string sql = "COPY " + table + " (" + util::join(columns, ", ") + ") FROM STDIN";
  PGresult* result = PQexec(connection_, sql.c_str());
  if (PQresultStatus(result) != PGRES_COPY_IN)
    throw_result_error(result);
  PQclear(result);
}

void CopyConnection::send(std::string_view lines) {
  if (PQputCopyData(connection_, lines.data(), static_cast<int>(lines.size())) != 1) {
    fail("sending COPY data to " + table_);
  }
}

void CopyConnection::end_copy() {
  if (PQputCopyEnd(connection_, nullptr) != 1)
    fail("finishing COPY into " + table_);
  PGresult* result = PQgetResult(connection_);
  if (PQresultStatus(result) != PGRES_COMMAND_OK)
    throw_result_error(result);
  PQclear(result);
  while ((result = PQgetResult(connection_)) != nullptr)
    PQclear(result);
}

void CopyConnection::fail(const std::string& what) {
  throw Error(ExitCode::cannot_connect, what + ": " + util::one_line(error_text(connection_)));
}

void append_copy_text(std::string& line, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        line += "\\\\";
        break;
      case '\t':
        line += "\\t";
        break;
      case '\n':
        line += "\\n";
        break;
      case '\r':
        line += "\\r";
        break;
      default:
        line += c;
    }
  }
}

CopyTransaction::CopyTransaction(CopyConnection& connection) : connection_(connection) {
  connection_.exec("BEGIN");
}

CopyTransaction::~CopyTransaction() {
  if (!open_)
    return;
  try {
    connection_.exec("ROLLBACK");
  } catch (...) {
    // The connection is gone; the server rolled the transaction back itself.
  }
}

void CopyTransaction::commit() {
  connection_.exec("COMMIT");
  open_ = false;
}

}  // namespace agentdb::db
