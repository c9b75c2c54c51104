#include "db/primary.hpp"

#include "core/error.hpp"

namespace agentdb::db {

namespace {

bool in_recovery(Session& session) {
  return session.exec("SELECT pg_is_in_recovery()")[0][0].as<bool>();
}

}  // namespace

std::unique_ptr<Session> open_primary(const ConnectionTarget& target,
                                      const SessionOptions& options) {
  if (target.host_count < 2) {
    auto session = Session::open(target, options);
    if (in_recovery(*session)) {
      throw Error(ExitCode::cannot_connect,
                  target.display +
                      " is a standby: this command changes the database and runs on the primary",
                  "point the URL at the primary, or list every member "
                  "(postgresql://user@host1:port1,host2:port2/dbname) so the primary is found");
    }
    return session;
  }
  // Each host asked with a query, as libpq's read-write check would, but never from the status
  // the server reported at login: a PgBouncer replays its first server connection's, stale once
  // a failover has changed its server's role (pgbouncer issue 859).
  std::string findings;
  for (const auto& one_host : each_host(target)) {
    std::string finding;
    try {
      auto session = Session::open(one_host, options);
      if (!in_recovery(*session))
        return session;
      finding = session->server_address() + " is a standby";
    } catch (const Error& e) {
      finding = redact_passwords(e.what(), target);
    }
    findings += (findings.empty() ? "" : "; ") + finding;
  }
  throw Error(ExitCode::cannot_connect, "no primary among " + target.display + ": " + findings,
              "wait for the cluster to promote one (agentdb cluster status shows it), or list "
              "every member in the URL");
}

std::unique_ptr<Session> open_standby(const ConnectionTarget& target,
                                      const SessionOptions& options) {
  auto session = Session::open(
      target.host_count < 2 ? target : with_parameter(target, "target_session_attrs", "standby"),
      options);
  if (!in_recovery(*session)) {
    throw Error(ExitCode::cannot_connect,
                (target.host_count > 1 ? session->server_address() + " (of " + target.display + ")"
                                       : target.display) +
                    " is the primary, not a replica",
                "point the URL at a standby, or list every member "
                "(postgresql://user@host1:port1,host2:port2/dbname) so one is found");
  }
  return session;
}

ConnectionTarget reached_server(const Session& session) {
  const auto& target = session.target();
  if (target.host_count < 2)
    return target;
  const auto address = session.server_address();
  const auto colon = address.rfind(':');
  auto pinned = with_parameter(target, "host", address.substr(0, colon));
  pinned = with_parameter(pinned, "port", address.substr(colon + 1));
  return with_parameter(pinned, "target_session_attrs", "any");
}

}  // namespace agentdb::db
