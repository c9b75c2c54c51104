// The members of a replicated cluster (db/members.hpp) as `health` and `pool status` show them.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "db/members.hpp"

namespace agentdb::health {

[[nodiscard]] nlohmann::json member_json(const db::MemberState& member);
// "127.0.0.1:5433 standby tl 3 lag 1.2 MB"
[[nodiscard]] std::string member_text(const db::MemberState& member);
// MEMBER ROLE TIMELINE WAL LAG, an unreachable one with why.
[[nodiscard]] std::string members_table(const std::vector<db::MemberState>& members);

}  // namespace agentdb::health
