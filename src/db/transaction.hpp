// One transaction on a Session, opened by the constructor and rolled back by the destructor unless
// committed: no hand-written BEGIN/COMMIT/ROLLBACK with a catch-all around it.
#pragma once

#include <string_view>

#include "db/session.hpp"

namespace agentdb::db {

enum class Isolation { read_committed, repeatable_read, serializable };
enum class Access { read_write, read_only };

class Transaction {
 public:
  // Sends BEGIN with the isolation and access mode, and `then` (statements without parameters,
  // such as SET LOCAL) in the same round trip; throws as Session::exec does, rolled back.
  explicit Transaction(Session& session, Isolation isolation = Isolation::read_committed,
                       Access access = Access::read_write, std::string_view then = {});
  // Rolls back a transaction still open; never throws (a lost connection has rolled back itself).
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();
  void rollback();
  [[nodiscard]] Session& session() { return session_; }

 private:
  Session& session_;
  bool open_ = true;
};

// "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
[[nodiscard]] std::string begin_statement(Isolation isolation, Access access);

}  // namespace agentdb::db
