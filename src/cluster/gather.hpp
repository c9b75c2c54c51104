// Inside cluster/: how the two views are gathered (patroni.cpp, postgres_view.cpp).
#pragma once

#include <chrono>
#include <string>

#include "cluster/cluster.hpp"

namespace agentdb::cluster {

// The URL without trailing slashes; throws Error(usage) when it is not http(s)://.
[[nodiscard]] std::string checked_patroni_url(std::string url);
[[nodiscard]] PatroniView ask_patroni(const std::string& url, std::chrono::milliseconds timeout);

// The member's PostgreSQL at host:port with the credentials' user, password and database.
[[nodiscard]] PostgresView ask_postgres(const db::ConnectionTarget& credentials,
                                        const std::string& host, int port,
                                        std::chrono::milliseconds timeout);

}  // namespace agentdb::cluster
