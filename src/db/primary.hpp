// Sessions for commands that change the database (migrate, seed, backup create, cost recompute):
// they must reach the primary of a replicated cluster, wherever the failover put it.
#pragma once

#include <memory>

#include "db/connection_target.hpp"
#include "db/session.hpp"

namespace agentdb::db {

// The target as a primary-only client should use it: with several hosts, libpq is told to skip
// standbys (target_session_attrs=read-write, whatever the URL asked for).
[[nodiscard]] ConnectionTarget primary_target(const ConnectionTarget& target);

// A session on the primary: opened on primary_target(), then refused (Error cannot_connect,
// naming the host and what to do) when the server it reached is in recovery, as a single host
// that is a standby would be.
[[nodiscard]] std::unique_ptr<Session> open_primary(const ConnectionTarget& target,
                                                    const SessionOptions& options = {});

}  // namespace agentdb::db
