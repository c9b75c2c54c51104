#include "local/local_command.hpp"
#include "local/settings.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "local/cluster.hpp"

namespace agentdb::local {

namespace {

std::string to_string(ClusterState state) {
  switch (state) {
    case ClusterState::absent:
      return "absent";
    case ClusterState::stopped:
      return "stopped";
    case ClusterState::running:
      return "running";
  }
  return "absent";
}

ExitCode run_status(Context& ctx) {
  LocalCluster cluster(configured_home(ctx));
  const auto state = cluster.state();
  const auto& paths = cluster.paths();
  if (ctx.out.json()) {
    ctx.out.emit(
        {{"state", to_string(state)},
         {"home", paths.home.string()},
         {"data", paths.data.string()},
         {"socket_dir", paths.socket_dir.string()},
         {"log", paths.log_file.string()},
         {"url", state == ClusterState::absent ? nlohmann::json(nullptr)
                                               : nlohmann::json(cluster.target().display)}});
  } else {
    ctx.out.print("local cluster: " + to_string(state));
    ctx.out.print("  home:   " + paths.home.string());
    if (state != ClusterState::absent) {
      ctx.out.print("  data:   " + paths.data.string());
      ctx.out.print("  socket: " + paths.socket_dir.string());
      ctx.out.print("  log:    " + paths.log_file.string());
      ctx.out.print("  url:    " + cluster.target().display);
    }
  }
  return ExitCode::ok;
}

ExitCode run_start(Context& ctx) {
  LocalCluster cluster(configured_home(ctx));
  cluster.start(ctx.out);
  const auto target = cluster.target();
  if (ctx.out.json()) {
    ctx.out.emit({{"state", "running"}, {"url", target.display}, {"conninfo", target.conninfo}});
  } else {
    ctx.out.print("local cluster running; connect with: psql \"" + target.conninfo + "\"");
  }
  return ExitCode::ok;
}

ExitCode run_stop(Context& ctx) {
  LocalCluster cluster(configured_home(ctx));
  cluster.stop(ctx.out);
  ctx.out.print("local cluster stopped");
  return ExitCode::ok;
}

ExitCode run_destroy(Context& ctx, bool confirmed) {
  LocalCluster cluster(configured_home(ctx));
  if (!confirmed) {
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

std::filesystem::path configured_home(const Context& ctx) {
  return default_home(ctx.config.value(kHome));
}

void register_commands(CLI::App& family, std::vector<Command>& commands) {
  auto* group = &family;
  group->require_subcommand(1);
  commands.push_back(
      {group->add_subcommand("status", "Show whether the local cluster exists and runs"),
       run_status, Needs::nothing});
  commands.push_back(
      {group->add_subcommand("start", "Create the local cluster if needed and start it"), run_start,
       Needs::nothing});
  commands.push_back(
      {group->add_subcommand("stop", "Stop the local cluster's server"), run_stop, Needs::nothing});
  auto confirmed = std::make_shared<bool>(false);
  auto* destroy = group->add_subcommand("destroy", "Stop the local cluster and delete its files");
  destroy->add_flag("--yes", *confirmed, "Confirm that every database in it may be deleted");
  commands.push_back({destroy, [confirmed](Context& ctx) { return run_destroy(ctx, *confirmed); },
                      Needs::nothing});
}

}  // namespace agentdb::local
