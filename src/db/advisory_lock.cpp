#include "db/advisory_lock.hpp"

#include "util/time.hpp"

namespace agentdb::db {

namespace {
constexpr const char* kLockNotAvailable = "55P03";
}

AdvisoryLock::AdvisoryLock(Session& session, std::int64_t key, std::chrono::milliseconds timeout,
                           const std::string& purpose)
    : session_(session), key_(key) {
  // lock_timeout bounds the wait on heavyweight locks, advisory ones included; 0 would mean
  // forever.
  const auto wait_ms = std::max<long long>(1, timeout.count());
  session_.exec("SET lock_timeout = " + std::to_string(wait_ms));
  try {
    session_.exec_params("SELECT pg_advisory_lock($1)", key_);
  } catch (const QueryError& e) {
    session_.exec("RESET lock_timeout");
    if (e.sqlstate() != kLockNotAvailable)
      throw;
    auto holder = describe_lock_holder(session_, key_);
    throw Error(ExitCode::conflict,
                "could not get the " + purpose + " lock within " + util::human_duration(timeout) +
                    (holder.empty() ? std::string() : ": held by " + holder),
                "wait for the other run to finish, or raise --lock-timeout");
  }
  session_.exec("RESET lock_timeout");
}

AdvisoryLock::~AdvisoryLock() {
  try {
    session_.exec_params("SELECT pg_advisory_unlock($1)", key_);
  } catch (...) {
    // The server releases session locks when the connection closes; nothing more to do.
  }
}

std::string describe_lock_holder(Session& session, std::int64_t key) {
  const auto rows = session.exec_params(
      "SELECT a.pid, coalesce(a.usename, '?'), coalesce(a.application_name, ''), "
      "       coalesce(host(a.client_addr), 'local socket'), "
      "       extract(epoch FROM now() - a.backend_start)::bigint "
      "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
      "      (SELECT oid FROM pg_database WHERE datname = current_database()) "
      "  AND l.classid = ($1::bigint >> 32)::oid "
      "  AND l.objid = ($1::bigint & 4294967295)::oid AND l.objsubid = 1",
      key);
  if (rows.empty())
    return {};
  const auto row = rows[0];
  std::string app = row[2].as<std::string>();
  return "pid " + row[0].as<std::string>() + " (user " + row[1].as<std::string>() +
         (app.empty() ? "" : ", application " + app) + ", from " + row[3].as<std::string>() +
         ", connected " + row[4].as<std::string>() + " s ago)";
}

}  // namespace agentdb::db
