// The subcommands of `agentdb cost`, registered in the order `--help` lists them.
#pragma once

#include <vector>

#include "core/context.hpp"
#include "cost/cost.hpp"

namespace agentdb::cost {

enum class PeriodRequired { no, yes };

// --since, --from, --to and --tz into `period`.
void add_period_options(CLI::App* app, PeriodRequest& period,
                        PeriodRequired required = PeriodRequired::no);

void add_report_commands(CLI::App& family, std::vector<Command>& commands);  // report, top
void add_budget_commands(CLI::App& family, std::vector<Command>& commands);  // budget, prices
void add_ledger_commands(CLI::App& family, std::vector<Command>& commands);  // recompute, rollup

}  // namespace agentdb::cost
