// `agentdb migrate`: schema revisions with up/down files, history, drift checks and lint.
#pragma once

#include <vector>

#include "core/context.hpp"

namespace agentdb::migrate {

void register_commands(CLI::App& parent, std::vector<Command>& commands);

}  // namespace agentdb::migrate
