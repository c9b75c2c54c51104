// `cost budget` (monitoring exit codes) and `cost prices`.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>

#include "cost/choice.hpp"
#include "cost/commands.hpp"
#include "cost/render.hpp"
#include "util/strings.hpp"

namespace agentdb::cost {

namespace {

struct BudgetOptions {
  std::string limit_usd;
  Choice<BudgetPeriod> period{BudgetPeriod::month};
  std::string user;
  bool per_user = false;
};

struct PricesOptions {
  std::string at;
};

PluginStatus plugin_status_of(BudgetStatus status) {
  switch (status) {
    case BudgetStatus::ok:
      return PluginStatus::ok;
    case BudgetStatus::warning:
      return PluginStatus::warning;
    case BudgetStatus::critical:
      return PluginStatus::critical;
  }
  return PluginStatus::unknown;
}

// ExitCode::cannot_connect is 3, which `cost budget`'s convention (plugin_result) reads as
// UNKNOWN; the dispatcher passes the code of any error other than a usage one through as it is.
constexpr ExitCode kUnknown = ExitCode::cannot_connect;

// A budget that cannot be measured (cannot connect, no cost schema, no permission, a failed
// query) is UNKNOWN to monitoring, never WARNING or CRITICAL: the status line on stdout says so,
// the one error line on stderr says why.
[[noreturn]] void report_unknown(const Context& ctx, const Error& error, bool connected) {
  const std::string reason =
      connected ? util::printable(util::one_line(error.what())) : "cannot connect to the database";
  if (ctx.out.json())
    ctx.out.emit({{"status", "UNKNOWN"}, {"exit_code", 3}, {"error", reason}});
  else
    ctx.out.print("UNKNOWN: " + reason);
  throw Error(kUnknown, error.what(), error.hint());
}

BudgetResult measured_budget(Context& ctx, const BudgetRequest& request) {
  db::Session* session = nullptr;
  try {
    session = &ctx.session();
    return budget(*session, request);
  } catch (const Error& e) {
    if (e.code() == ExitCode::usage)
      throw;
    report_unknown(ctx, e, session != nullptr && e.code() != ExitCode::cannot_connect);
  }
}

Outcome run_budget(Context& ctx, const BudgetOptions& options) {
  validate_limit_usd(options.limit_usd);
  const BudgetRequest request{.limit_usd = options.limit_usd,
                              .period = options.period.get(),
                              .user = options.user,
                              .per_user = options.per_user};
  validate(request);
  const auto result = measured_budget(ctx, request);
  if (ctx.out.json()) {
    ctx.out.emit(budget_json(result));
  } else {
    ctx.out.print(
        render_budget(result, ctx.out.verbose() ? BudgetRows::all : BudgetRows::attention_and_top));
  }
  return plugin_status_of(result.worst);
}

Outcome run_prices(Context& ctx, const PricesOptions& options) {
  const PricesRequest request{.at = options.at};
  validate(request);
  const auto result = prices(ctx.session(), request);
  if (ctx.out.json())
    ctx.out.emit(prices_json(result));
  else
    ctx.out.print(render_prices(result));
  return ExitCode::ok;
}

void add_budget(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<BudgetOptions>();
  auto* budget = family.add_subcommand(
      "budget",
      "Spend so far this day or month against a limit, projected to the period's end; "
      "exit 0 under 80%, 1 at 80% or more, 2 over the limit, 3 when it cannot be measured");
  budget->add_option("--limit-usd", options->limit_usd, "The limit in USD");
  options->period.add_to(budget, "--period",
                         {{"day", BudgetPeriod::day}, {"month", BudgetPeriod::month}},
                         "use day or month", "day or month (UTC; default month)");
  budget->add_option("--user", options->user, "Only this user's spend (uuid)");
  budget->add_flag("--per-user", options->per_user, "Each user's spend against the limit");
  commands.push_back({budget, [options](Context& ctx) { return run_budget(ctx, *options); },
                      Needs::session, ExitConvention::plugin_result});
}

void add_prices(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<PricesOptions>();
  auto* prices = family.add_subcommand("prices", "The model prices in force");
  prices->add_option("--at", options->at,
                     "In force at the end of this day, YYYY-MM-DD (default now)");
  commands.push_back(
      {prices, [options](Context& ctx) { return run_prices(ctx, *options); }, Needs::session});
}

}  // namespace

void add_budget_commands(CLI::App& family, std::vector<Command>& commands) {
  add_budget(family, commands);
  add_prices(family, commands);
}

}  // namespace agentdb::cost
