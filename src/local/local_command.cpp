#include "local/local_command.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "local/cluster.hpp"
#include "local/render.hpp"

namespace agentdb::local {

namespace {

struct DestroyOptions {
  bool yes = false;  // every database in the cluster may be deleted
};

ExitCode run_status(Context& ctx) {
  const auto result = cluster_status(configured_home(ctx.config));
  if (ctx.out.json())
    ctx.out.emit(status_json(result));
  else
    ctx.out.print(status_text(result));
  return ExitCode::ok;
}

ExitCode run_start(Context& ctx) {
  LocalCluster cluster(configured_home(ctx.config));
  cluster.start(ctx.out);
  const auto target = cluster.target();
  if (ctx.out.json())
    ctx.out.emit(started_json(target));
  else
    ctx.out.print(started_text(target));
  return ExitCode::ok;
}

ExitCode run_stop(Context& ctx) {
  LocalCluster cluster(configured_home(ctx.config));
  cluster.stop(ctx.out);
  ctx.out.print("local cluster stopped");
  return ExitCode::ok;
}

ExitCode run_destroy(Context& ctx, const DestroyOptions& options) {
  LocalCluster cluster(configured_home(ctx.config));
  if (!options.yes) {
    throw Error(ExitCode::usage,
                "refusing to destroy the local cluster in " + cluster.paths().home.string() +
                    " without --yes",
                "this deletes every database in it; run 'agentdb local destroy --yes'");
  }
  cluster.destroy(ctx.out);
  ctx.out.print("local cluster destroyed");
  return ExitCode::ok;
}

}  // namespace

// Every leaf manages the cluster itself, so none needs the dispatcher to open anything.
void register_commands(CLI::App& family, std::vector<Command>& commands) {
  family.require_subcommand(1);
  commands.push_back(
      {family.add_subcommand("status", "Show whether the local cluster exists and runs"),
       run_status, Needs::nothing});
  commands.push_back(
      {family.add_subcommand("start", "Create the local cluster if needed and start it"), run_start,
       Needs::nothing});
  commands.push_back(
      {family.add_subcommand("stop", "Stop the local cluster's server"), run_stop, Needs::nothing});
  auto options = std::make_shared<DestroyOptions>();
  auto* destroy = family.add_subcommand("destroy", "Stop the local cluster and delete its files");
  destroy->add_flag("--yes", options->yes, "Confirm that every database in it may be deleted");
  commands.push_back(
      {destroy, [options](Context& ctx) { return run_destroy(ctx, *options); }, Needs::nothing});
}

}  // namespace agentdb::local
