// `agentdb qdrant`: Qdrant collections declared in a file, planned and applied like migrations.
#pragma once

#include <vector>

#include "core/context.hpp"

namespace agentdb::qdrant {

void register_commands(CLI::App& parent, std::vector<Command>& commands);

}  // namespace agentdb::qdrant
