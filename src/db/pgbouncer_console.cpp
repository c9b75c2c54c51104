#include "db/pgbouncer_console.hpp"

#include <libpq-fe.h>

#include "core/error.hpp"
#include "util/strings.hpp"

namespace agentdb::db {

struct PgBouncerConsole::Connection {
  PGconn* conn = nullptr;
  ~Connection() {
    if (conn != nullptr)
      PQfinish(conn);
  }
};

PgBouncerConsole::PgBouncerConsole(const ConnectionTarget& target)
    : connection_(std::make_unique<Connection>()), display_(target.display) {
  auto conninfo = conninfo_with_password(target);
  if (target.conninfo.find("connect_timeout=") == std::string::npos)
    conninfo += " connect_timeout=10";
  connection_->conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(connection_->conn) != CONNECTION_OK) {
    throw Error(ExitCode::cannot_connect,
                "cannot connect to the PgBouncer console at " + display_ + ": " +
                    redact_passwords(util::one_line(PQerrorMessage(connection_->conn)), target),
                "give --pgbouncer the admin console, e.g. postgresql://admin@host:6432/pgbouncer, "
                "as a user in admin_users or stats_users");
  }
}

PgBouncerConsole::~PgBouncerConsole() = default;

std::vector<ConsoleRow> PgBouncerConsole::show(const std::string& what) {
  std::unique_ptr<PGresult, decltype(&PQclear)> result(
      PQexec(connection_->conn, ("SHOW " + what).c_str()), &PQclear);
  if (!result || PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    throw Error(ExitCode::failure,
                "PgBouncer at " + display_ + " refused SHOW " + what + ": " +
                    util::one_line(PQerrorMessage(connection_->conn)),
                "the user needs to be in PgBouncer's admin_users or stats_users");
  }
  std::vector<ConsoleRow> rows;
  const int columns = PQnfields(result.get());
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    ConsoleRow row;
    for (int c = 0; c < columns; ++c)
      row[PQfname(result.get(), c)] = PQgetvalue(result.get(), r, c);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace agentdb::db
