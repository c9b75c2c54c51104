#include "db/primary.hpp"

#include "core/error.hpp"

namespace agentdb::db {

ConnectionTarget primary_target(const ConnectionTarget& target) {
  if (target.host_count < 2)
    return target;
  return with_parameter(target, "target_session_attrs", "read-write");
}

std::unique_ptr<Session> open_primary(const ConnectionTarget& target,
                                      const SessionOptions& options) {
  auto session = Session::open(primary_target(target), options);
  const auto rows = session->exec("SELECT pg_is_in_recovery()");
  if (rows[0][0].as<bool>()) {
    throw Error(ExitCode::cannot_connect,
                (target.host_count > 1 ? session->server_address() + " (of " + target.display + ")"
                                       : target.display) +
                    " is a standby: this command changes the database and runs on the primary",
                "point the URL at the primary, or list every member "
                "(postgresql://user@host1:port1,host2:port2/dbname) so the primary is found");
  }
  return session;
}

}  // namespace agentdb::db
