// cluster status as a table with its findings, or as JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "cluster/cluster.hpp"
#include "core/output.hpp"

namespace agentdb::cluster {

[[nodiscard]] nlohmann::json status_json(const StatusResult& result);
[[nodiscard]] std::string status_text(const StatusResult& result, const Output& out);

}  // namespace agentdb::cluster
