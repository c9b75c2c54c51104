// What `agentdb local` shows: the cluster's status and how to connect, as text and as JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "db/connection_target.hpp"
#include "local/cluster.hpp"

namespace agentdb::local {

[[nodiscard]] nlohmann::json status_json(const ClusterStatus& status);
[[nodiscard]] std::string status_text(const ClusterStatus& status);

[[nodiscard]] nlohmann::json started_json(const db::ConnectionTarget& target);
[[nodiscard]] std::string started_text(const db::ConnectionTarget& target);

}  // namespace agentdb::local
