#include "qdrant/qdrant_command.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <iostream>
#include <memory>

#include "qdrant/qdrant.hpp"
#include "qdrant/render.hpp"
#include "util/strings.hpp"

namespace agentdb::qdrant {

namespace {

struct PlanOptions {
  bool check = false;  // exit 4 when there are changes
};
struct ApplyOptions {
  bool allow_recreate = false;
  bool yes = false;
};
struct SnapshotOptions {
  std::string name;
};
struct DropOptions {
  std::string name;
  bool yes = false;
};

// The file first, so that a bad file fails before any request (and before a bad --timeout).
struct Opened {
  CollectionsFile file;
  Connection connection;
};
Opened open(const Context& ctx, const ConnectionOptions& options) {
  auto file = declared_collections(ctx.config, options);
  return {std::move(file), connect(client_settings(ctx.config, options))};
}

// Without --yes, a person at a terminal types the word; anywhere else the run stops.
void confirm_on_terminal(const ApplyOptions& options, const std::vector<std::string>& doomed) {
  if (options.yes)
    return;
  if (::isatty(STDIN_FILENO) != 1) {
    throw Error(ExitCode::usage, "recreating collections needs --yes when not on a terminal",
                "rerun with --allow-recreate --yes");
  }
  std::cerr << "Recreate " << util::join(doomed, ", ")
            << " and lose their points? Type 'recreate' to go on: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (util::trim(answer) != "recreate")
    throw Error(ExitCode::failure, "not confirmed; nothing was applied");
}

// The one JSON document under --json, else the text.
void show(const Context& ctx, const nlohmann::json& document, const std::string& text) {
  if (ctx.out.json())
    ctx.out.emit(document);
  else
    ctx.out.print(text);
}

ExitCode run_plan(Context& ctx, const ConnectionOptions& connection, const PlanOptions& options) {
  auto [file, server] = open(ctx, connection);
  const auto result = plan(server, {std::move(file)});
  show(ctx, plan_json(result), plan_text(result, ctx.out));
  return options.check && !result.plan.empty() ? ExitCode::conflict : ExitCode::ok;
}

ExitCode run_apply(Context& ctx, const ConnectionOptions& connection, const ApplyOptions& options) {
  auto [file, server] = open(ctx, connection);
  const auto result = apply(
      server, {std::move(file), options.allow_recreate ? Recreation::allow : Recreation::refuse,
               [&](const auto& doomed) { confirm_on_terminal(options, doomed); },
               [&](const Change& change) { ctx.out.print(applied_line(change)); }});
  show(ctx, apply_json(result), apply_text(result));
  return ExitCode::ok;
}

ExitCode run_status(Context& ctx, const ConnectionOptions& connection) {
  auto [file, server] = open(ctx, connection);
  const auto result = status(server, {std::move(file)});
  show(ctx, status_json(result), status_text(result, ctx.out));
  return ExitCode::ok;
}

// Qdrant is reached before the session is opened, as the file is read before Qdrant.
ExitCode run_sync_check(Context& ctx, const ConnectionOptions& connection) {
  auto [file, server] = open(ctx, connection);
  const auto result = sync_check(server, {std::move(file)}, ctx.session());
  show(ctx, sync_check_json(result), sync_check_text(result));
  return result.in_sync() ? ExitCode::ok : ExitCode::conflict;
}

ExitCode run_snapshot(Context& ctx, const ConnectionOptions& connection,
                      const SnapshotOptions& options) {
  check_collection_name(options.name);
  auto server = connect(client_settings(ctx.config, connection));
  const auto result = snapshot(server, {options.name});
  if (ctx.out.json()) {
    ctx.out.emit(snapshot_json(result));
  } else {
    ctx.out.print_always(snapshot_name(result));
    ctx.out.note(snapshot_note(result));
  }
  return ExitCode::ok;
}

ExitCode run_drop(Context& ctx, const ConnectionOptions& connection, const DropOptions& options) {
  check_collection_name(options.name);
  if (!options.yes) {
    throw Error(ExitCode::usage,
                "qdrant drop deletes collection '" + util::printable(options.name) +
                    "' with all its points; nothing was deleted",
                "rerun with --yes to confirm");
  }
  auto server = connect(client_settings(ctx.config, connection));
  const auto result = drop(server, {options.name});
  show(ctx, drop_json(result), drop_text(result));
  return ExitCode::ok;
}

}  // namespace

void register_commands(CLI::App& family, std::vector<Command>& commands) {
  auto connection = std::make_shared<ConnectionOptions>();
  family.require_subcommand(1);
  family.add_option(
      "--url", connection->url,
      "Qdrant URL (env QDRANT_URL; default http://localhost:6333); key: QDRANT_API_KEY");
  family.add_option(
      "--file", connection->file,
      "Collections file (env QDRANT_COLLECTIONS_FILE; default qdrant/collections.json)");
  family.add_option("--timeout", connection->timeout, "Per-request timeout, e.g. 5s (default 10s)");

  const auto leaf = [&](const char* name, const char* help, Action action,
                        Needs needs = Needs::nothing) {
    auto* app = family.add_subcommand(name, help);
    commands.push_back({app, std::move(action), needs});
    return app;
  };
  auto plan_options = std::make_shared<PlanOptions>();
  leaf("plan", "Show what apply would change on the server", [=](Context& ctx) {
    return run_plan(ctx, *connection, *plan_options);
  })->add_flag("--check", plan_options->check, "Exit 4 when the server differs from the file");
  auto apply_options = std::make_shared<ApplyOptions>();
  auto* apply = leaf("apply", "Create and update collections, indexes and aliases as declared",
                     [=](Context& ctx) { return run_apply(ctx, *connection, *apply_options); });
  apply->add_flag("--allow-recreate", apply_options->allow_recreate,
                  "Allow recreating collections whose fixed parameters changed (drops points)");
  apply->add_flag("--yes", apply_options->yes, "Do not ask before recreating");
  leaf("status", "Each collection's health, points, segments and drift from the file",
       [=](Context& ctx) { return run_status(ctx, *connection); });
  auto snapshot_options = std::make_shared<SnapshotOptions>();
  leaf("snapshot", "Create a snapshot of a collection and print its name",
       [=](Context& ctx) { return run_snapshot(ctx, *connection, *snapshot_options); })
      ->add_option("NAME", snapshot_options->name, "Collection")
      ->required();
  auto drop_options = std::make_shared<DropOptions>();
  auto* drop = leaf("drop", "Delete a collection",
                    [=](Context& ctx) { return run_drop(ctx, *connection, *drop_options); });
  drop->add_option("NAME", drop_options->name, "Collection")->required();
  drop->add_flag("--yes", drop_options->yes, "Confirm that its points may be deleted");
  leaf(
      "sync-check", "Compare point counts with the PostgreSQL rows each collection mirrors",
      [=](Context& ctx) { return run_sync_check(ctx, *connection); }, Needs::session);
}

}  // namespace agentdb::qdrant
