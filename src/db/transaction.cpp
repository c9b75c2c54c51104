#include "db/transaction.hpp"

namespace agentdb::db {

std::string begin_statement(Isolation isolation, Access access) {
  std::string sql = "BEGIN";
  if (isolation == Isolation::repeatable_read)
    sql += " ISOLATION LEVEL REPEATABLE READ";
  if (isolation == Isolation::serializable)
    sql += " ISOLATION LEVEL SERIALIZABLE";
  if (access == Access::read_only)
    sql += isolation == Isolation::read_committed ? " READ ONLY" : ", READ ONLY";
  return sql;
}

Transaction::Transaction(Session& session, Isolation isolation, Access access,
                         std::string_view then)
    : session_(session) {
  auto sql = begin_statement(isolation, access);
  if (!then.empty())
    sql.append("; ").append(then);
  try {
    (void)session_.exec(sql);
  } catch (...) {
    if (!then.empty()) {  // BEGIN may have run before `then` failed
      try {
        (void)session_.exec("ROLLBACK");
      } catch (...) {
        // The connection is gone, and the transaction with it.
      }
    }
    throw;
  }
}

Transaction::~Transaction() {
  if (!open_)
    return;
  try {
    (void)session_.exec("ROLLBACK");
  } catch (...) {
    // The connection is gone; the server rolled the transaction back itself.
  }
}

void Transaction::commit() {
  open_ = false;
  (void)session_.exec("COMMIT");
}

void Transaction::rollback() {
  open_ = false;
  (void)session_.exec("ROLLBACK");
}

}  // namespace agentdb::db
