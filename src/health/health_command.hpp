// `agentdb health` (checks with monitoring-plugin exit codes), `agentdb pool` (who uses the
// connections, and how a pool of them behaves under load) and `agentdb wait` (until the database
// is ready).
#pragma once

#include <vector>

#include "core/context.hpp"

namespace agentdb::health {

void register_health_command(CLI::App& parent, std::vector<Command>& commands);
void register_pool_commands(CLI::App& parent, std::vector<Command>& commands);
void register_wait_command(CLI::App& parent, std::vector<Command>& commands);

}  // namespace agentdb::health
