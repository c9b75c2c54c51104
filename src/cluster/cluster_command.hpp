// `agentdb cluster status`: the replicated cluster as Patroni and PostgreSQL see it.
#pragma once

#include <vector>

#include "core/context.hpp"

namespace agentdb::cluster {

void register_commands(CLI::App& family, std::vector<Command>& commands);

}  // namespace agentdb::cluster
