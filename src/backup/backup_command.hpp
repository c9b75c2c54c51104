// `agentdb backup`: pg_dump backups with a catalogue, checksums, verification by restore and
// retention.
#pragma once

#include <vector>

#include "core/context.hpp"

namespace agentdb::backup {

void register_commands(CLI::App& parent, std::vector<Command>& commands);

}  // namespace agentdb::backup
