// Sessions by role in a replicated cluster: commands that change the database (migrate, seed,
// backup create, cost recompute) must reach the primary, wherever the failover put it; a
// `backup create --from-replica` reaches a standby.
#pragma once

#include <memory>

#include "db/connection_target.hpp"
#include "db/session.hpp"

namespace agentdb::db {

// A session on the primary: among several hosts, the first that answers pg_is_in_recovery() with
// false (its target is then that host alone); a single host that is in recovery is refused.
// Error(cannot_connect) naming each host's answer when none is the primary.
[[nodiscard]] std::unique_ptr<Session> open_primary(const ConnectionTarget& target,
                                                    const SessionOptions& options = {});

// A session on a standby: among several hosts libpq skips the primary
// (target_session_attrs=standby); refused (Error cannot_connect) when the server reached is not
// in recovery.
[[nodiscard]] std::unique_ptr<Session> open_standby(const ConnectionTarget& target,
                                                    const SessionOptions& options = {});

// The session's target narrowed to the one server it reached, for a second client that must meet
// the same server (pg_dump importing the session's snapshot). Unchanged for a single host.
[[nodiscard]] ConnectionTarget reached_server(const Session& session);

}  // namespace agentdb::db
