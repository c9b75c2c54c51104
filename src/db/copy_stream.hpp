// Bulk loading with COPY ... FROM STDIN in PostgreSQL's text format, on a connection of its own
// (libpqxx 6.4 offers raw COPY lines only through a deprecated class). Rows are handed over as
// ready-made text in large chunks, so the cost per row is the formatting, not the protocol.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection_target.hpp"

struct pg_conn;

namespace agentdb::db {

class CopyConnection {
 public:
  // Throws Error(cannot_connect) like Session::open.
  explicit CopyConnection(const ConnectionTarget& target);
  ~CopyConnection();
  CopyConnection(const CopyConnection&) = delete;
  CopyConnection& operator=(const CopyConnection&) = delete;

  // Runs statements that return no rows (BEGIN, COMMIT, SET ...). Throws QueryError.
  void exec(const std::string& sql);

  // COPY table (columns) FROM STDIN: begin, send chunks of complete lines, end.
  void begin_copy(const std::string& table, const std::vector<std::string>& columns);
  void send(std::string_view lines);
  // Finishes the COPY; throws QueryError when the server rejected a row.
  void end_copy();

 private:
  [[noreturn]] void fail(const std::string& what);
  pg_conn* connection_ = nullptr;
  std::string table_;
};

// One transaction on a CopyConnection, as db::Transaction is on a Session: BEGIN now, COMMIT by
// commit(), ROLLBACK in the destructor otherwise (never throwing).
class CopyTransaction {
 public:
  explicit CopyTransaction(CopyConnection& connection);
  ~CopyTransaction();
  CopyTransaction(const CopyTransaction&) = delete;
  CopyTransaction& operator=(const CopyTransaction&) = delete;
  void commit();

 private:
  CopyConnection& connection_;
  bool open_ = true;
};

// Appends `value` to `line` escaped for COPY's text format.
void append_copy_text(std::string& line, std::string_view value);

}  // namespace agentdb::db
