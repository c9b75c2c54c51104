#include "cost/cost_command.hpp"

#include <CLI/CLI.hpp>

#include "cost/commands.hpp"

namespace agentdb::cost {

void add_period_options(CLI::App* app, PeriodRequest& period, PeriodRequired required) {
  app->add_option("--since", period.since,
                  required == PeriodRequired::yes
                      ? "The last N days or weeks, e.g. 30d, 12w (this or --from is required)"
                      : "The last N days or weeks, e.g. 30d, 365d, 12w (default 30d)");
  app->add_option("--from", period.from, "First day, YYYY-MM-DD (with --to: instead of --since)");
  app->add_option("--to", period.to, "Last day, YYYY-MM-DD (default today)");
  app->add_option("--tz", period.tz, "Time zone of the days (default UTC)");
}

void register_commands(CLI::App& family, std::vector<Command>& commands) {
  family.require_subcommand(1);
  add_report_commands(family, commands);
  add_budget_commands(family, commands);
  add_ledger_commands(family, commands);
}

}  // namespace agentdb::cost
