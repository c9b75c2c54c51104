// `agentdb cost`: LLM cost analytics (report, top, budget, prices, recompute) over cost_tracking
// and its daily rollup.
#pragma once

#include <vector>

#include "core/context.hpp"

namespace agentdb::cost {

void register_commands(CLI::App& parent, std::vector<Command>& commands);

}  // namespace agentdb::cost
