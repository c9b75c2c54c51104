// The command line of `agentdb serve` and `agentdb keys`.
#pragma once

#include <vector>

#include "core/context.hpp"

namespace agentdb::serve {

void register_serve_command(CLI::App& family, std::vector<Command>& commands);
void register_keys_commands(CLI::App& family, std::vector<Command>& commands);

}  // namespace agentdb::serve
