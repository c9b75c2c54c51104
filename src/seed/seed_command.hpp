// `agentdb seed`: reference and demo data from seeds/, applied idempotently.
#pragma once

#include <vector>

#include "core/context.hpp"

namespace agentdb::seed {

void register_commands(CLI::App& parent, std::vector<Command>& commands);

}  // namespace agentdb::seed
