// `cost recompute` and `cost rollup`: the commands that change the ledger or its rollup.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>

#include "cost/commands.hpp"
#include "cost/render.hpp"

namespace agentdb::cost {

namespace {

struct RecomputeOptions {
  PeriodRequest period;
  bool dry_run = false;
};

struct RollupOptions {
  bool compact = false;
  bool rebuild = false;
  bool check = false;
};

Outcome run_recompute(Context& ctx, const RecomputeOptions& options) {
  const RecomputeRequest request{.period = options.period, .dry_run = options.dry_run};
  validate(request);
  const auto result = recompute(ctx.session(), request);
  for (const auto& rows : result.unpriced)
    ctx.out.warn(unpriced_rows_warning(rows));
  if (ctx.out.json())
    ctx.out.emit(recompute_json(result));
  else
    ctx.out.print(render_recompute(result));
  return ExitCode::ok;
}

Outcome run_rollup(Context& ctx, const RollupOptions& options) {
  const RollupRequest request{.rebuild = options.rebuild,
                              .compact = options.compact,
                              .check = options.check,
                              .on_step = [&ctx](RollupStep step, long long rows) {
                                ctx.out.print(rollup_step_line(step, rows));
                              }};
  const auto result = rollup(ctx.session(), request);
  ExitCode code = ExitCode::ok;
  if (result.mismatches && !result.mismatches->empty()) {
    code = ExitCode::conflict;
    ctx.out.warn(rollup_mismatch_warning(result));
  } else if (result.mismatches) {
    ctx.out.print("the rollup matches the ledger");
  }
  if (ctx.out.json())
    ctx.out.emit(rollup_json(result));
  else
    ctx.out.print(rollup_summary(result));
  return code;
}

void add_recompute(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<RecomputeOptions>();
  auto* recompute = family.add_subcommand(
      "recompute",
      "Recompute stored costs from tokens and the prices in force at their time, in "
      "one transaction");
  add_period_options(recompute, options->period, PeriodRequired::yes);
  recompute->add_flag("--dry-run", options->dry_run, "Report what would change, change nothing");
  commands.push_back({recompute, [options](Context& ctx) { return run_recompute(ctx, *options); },
                      Needs::primary});
}

void add_rollup(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<RollupOptions>();
  auto* rollup = family.add_subcommand(
      "rollup", "The daily rollup behind fast reports: its size, --compact, --rebuild, --check");
  rollup->add_flag("--compact", options->compact, "Fold the pending deltas into the rollup");
  rollup->add_flag("--rebuild", options->rebuild, "Recompute the rollup from the ledger");
  rollup->add_flag("--check", options->check,
                   "Compare the rollup with the ledger; exit 4 when they differ");
  commands.push_back(
      {rollup, [options](Context& ctx) { return run_rollup(ctx, *options); }, Needs::primary});
}

}  // namespace

void add_ledger_commands(CLI::App& family, std::vector<Command>& commands) {
  add_recompute(family, commands);
  add_rollup(family, commands);
}

}  // namespace agentdb::cost
