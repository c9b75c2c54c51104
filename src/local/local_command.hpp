// `agentdb local`: the embedded PostgreSQL cluster used when no database URL is configured.
#pragma once

#include <vector>

#include "core/context.hpp"

namespace agentdb::local {

void register_commands(CLI::App& parent, std::vector<Command>& commands);

}  // namespace agentdb::local
