// PgBouncer's admin console (the "pgbouncer" database). libpqxx refuses it (it reports its own
// version, not a PostgreSQL one), so this speaks plain libpq: SHOW commands, rows as text.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "db/connection_target.hpp"

namespace agentdb::db {

using ConsoleRow = std::map<std::string, std::string>;  // column -> value ("" for NULL)

class PgBouncerConsole {
 public:
  // Throws Error(cannot_connect) naming the console (never the password) and the reason.
  explicit PgBouncerConsole(const ConnectionTarget& target);
  ~PgBouncerConsole();
  PgBouncerConsole(const PgBouncerConsole&) = delete;
  PgBouncerConsole& operator=(const PgBouncerConsole&) = delete;

  // "SHOW POOLS", "SHOW STATS", ...; throws Error(failure) with PgBouncer's message.
  [[nodiscard]] std::vector<ConsoleRow> show(const std::string& what);

 private:
  struct Connection;
  std::unique_ptr<Connection> connection_;
  std::string display_;
};

}  // namespace agentdb::db
