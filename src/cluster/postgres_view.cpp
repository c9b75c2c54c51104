// What each member's PostgreSQL says of itself (db/members.hpp), at the host:port Patroni names.
#include "cluster/gather.hpp"

namespace agentdb::cluster {

PostgresView ask_postgres(const db::ConnectionTarget& credentials, const std::string& host,
                          int port, std::chrono::milliseconds timeout) {
  auto target = db::with_parameter(credentials, "host", host);
  target = db::with_parameter(target, "port", std::to_string(port));
  // Only this member: the URL's own choice among several hosts does not apply.
  target = db::with_parameter(target, "target_session_attrs", "any");
  PostgresView view;
  static_cast<db::MemberState&>(view) = db::ask_member(target, timeout);
  view.asked = true;
  return view;
}

}  // namespace agentdb::cluster
