#include "qdrant/qdrant_command.hpp"
#include "qdrant/qdrant.hpp"
#include "qdrant/settings.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "db/session.hpp"
#include "qdrant/client.hpp"
#include "qdrant/collections_file.hpp"
#include "qdrant/planner.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::qdrant {

namespace {

using nlohmann::json;

struct QdrantOptions {
  std::string url;
  std::string file;
  std::string timeout;
  bool check = false;
  bool allow_recreate = false;
  bool yes = false;
  std::string name;
};

ClientSettings client_settings(const Config& config, const QdrantOptions& options) {
  ClientSettings settings;
  settings.url = config.value(kUrl, options.url);
  settings.api_key = config.value(kApiKey);
  const auto timeout = config.value(kTimeout, options.timeout);
  const auto parsed = util::parse_duration(timeout);
  if (!parsed || parsed->count() < 1) {
    throw Error(ExitCode::usage, "invalid --timeout '" + timeout + "'",
                "use a duration such as 500ms, 10s or 1m");
  }
  settings.timeout = *parsed;
  return settings;
}

// --file, QDRANT_COLLECTIONS_FILE or qdrant.file; else collections declared in agentdb.toml;
// else qdrant/collections.json.
CollectionsFile collections(const Config& config, const QdrantOptions& options) {
  if (const auto file = config.find(kCollectionsFile, options.file))
    return load_collections(*file);
  if (auto declared = collections_from_config(config.document(), config.source().string()))
    return std::move(*declared);
  return load_collections(std::string(kCollectionsFile.fallback));
}

LiveState read_live(Client& client) {
  LiveState live;
  const auto listed = client.call(Method::get, "/collections", nullptr, Idempotent::yes);
  for (const auto& item : listed.value("collections", json::array())) {
    const auto name = item.value("name", std::string());
    if (auto info = client.get_if_exists(collection_path(name)))
      live.collections[name] = std::move(*info);
  }
  const auto aliases = client.call(Method::get, "/aliases", nullptr, Idempotent::yes);
  for (const auto& alias : aliases.value("aliases", json::array()))
    live.aliases[alias.value("alias_name", "")] = alias.value("collection_name", "");
  return live;
}

const char* marker(const Change& change) {
  if (change.destructive)
    return "!";
  switch (change.kind) {
    case ChangeKind::create:
    case ChangeKind::create_index:
      return "+";
    case ChangeKind::delete_index:
      return "-";
    default:
      return "~";
  }
}

json change_json(const Change& change) {
  return {{"kind", to_string(change.kind)},
          {"collection", change.collection},
          {"summary", change.summary},
          {"details", change.details},
          {"destructive", change.destructive}};
}

void print_plan(Context& ctx, const Plan& plan, const std::string& source) {
  for (const auto& change : plan.changes) {
    auto line = std::string("  ") + marker(change) + " " + change.summary;
    if (change.kind == ChangeKind::create_index || change.kind == ChangeKind::delete_index ||
        change.kind == ChangeKind::aliases) {
      line += " on " + change.collection;
    }
    if (change.destructive)
      line += "  " + ctx.out.paint(Colour::red, "[destructive]");
    ctx.out.print(line);
    for (const auto& detail : change.details)
      ctx.out.print("      " + detail);
  }
  if (!plan.undeclared.empty())
    ctx.out.print("left alone (not in " + source + "): " + util::join(plan.undeclared, ", "));
}

struct Workspace {
  CollectionsFile file;
  std::unique_ptr<Client> client;
  std::string version;
  LiveState live;
  Plan plan;
};

std::unique_ptr<Client> open_client(const Context& ctx, const QdrantOptions& options,
                                    std::string* version = nullptr) {
  auto client = std::make_unique<Client>(client_settings(ctx.config, options));
  const auto server_version = client->check_version();
  if (version != nullptr)
    *version = server_version;
  return client;
}

Workspace open(Context& ctx, const QdrantOptions& options) {
  Workspace s;
  s.file = collections(ctx.config, options);  // a bad file fails before any request
  s.client = open_client(ctx, options, &s.version);
  s.live = read_live(*s.client);
  s.plan = make_plan(s.file, s.live);
  return s;
}

ExitCode run_plan(Context& ctx, const QdrantOptions& options) {
  const auto s = open(ctx, options);
  if (ctx.out.json()) {
    json changes = json::array();
    for (const auto& change : s.plan.changes)
      changes.push_back(change_json(change));
    ctx.out.emit({{"url", s.client->url()},
                  {"server_version", s.version},
                  {"file", s.file.source},
                  {"changes", changes},
                  {"undeclared", s.plan.undeclared},
                  {"in_sync", s.plan.empty()}});
  } else {
    ctx.out.print("Qdrant " + s.version + " at " + s.client->url() + " against " + s.file.source +
                  ":");
    print_plan(ctx, s.plan, s.file.source);
    if (s.plan.empty()) {
      ctx.out.print("no changes: the server matches the file");
    } else {
      int destructive = 0;
      for (const auto& change : s.plan.changes)
        destructive += change.destructive ? 1 : 0;
      ctx.out.print(std::to_string(s.plan.changes.size()) + " change(s), " +
                    std::to_string(destructive) +
                    " destructive; 'agentdb qdrant apply' makes them");
    }
  }
  return options.check && !s.plan.empty() ? ExitCode::conflict : ExitCode::ok;
}

// Destructive changes need --allow-recreate, and then --yes or a typed confirmation.
void confirm_recreation(const Plan& plan, const QdrantOptions& options) {
  std::vector<std::string> doomed;
  for (const auto& change : plan.changes) {
    if (change.destructive)
      doomed.push_back(change.collection);
  }
  if (doomed.empty())
    return;
  if (!options.allow_recreate) {
    throw Error(ExitCode::conflict,
                "the plan recreates " + util::join(doomed, ", ") +
                    ", dropping their points; nothing was applied",
                "review it with 'agentdb qdrant plan', then rerun with --allow-recreate");
  }
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

void apply_change(Client& client, const Change& change) {
  const auto collection = collection_path(change.collection);
  switch (change.kind) {
    case ChangeKind::recreate:
      client.call(Method::del, collection, nullptr, Idempotent::yes);
      [[fallthrough]];
    case ChangeKind::create:
      client.call(Method::put, collection, &change.body, Idempotent::no);
      return;
    case ChangeKind::update:
      client.call(Method::patch, collection, &change.body, Idempotent::yes);
      return;
    case ChangeKind::create_index:
      client.call(Method::put, collection + "/index?wait=true", &change.body, Idempotent::yes);
      return;
    case ChangeKind::delete_index:
      client.call(Method::del, collection + "/index/" + path_segment(change.field) + "?wait=true",
                  nullptr, Idempotent::yes);
      return;
    case ChangeKind::aliases:
      client.call(Method::post, "/collections/aliases", &change.body, Idempotent::no);
      return;
  }
}

ExitCode run_apply(Context& ctx, const QdrantOptions& options) {
  auto s = open(ctx, options);
  if (s.plan.empty()) {
    if (ctx.out.json())
      ctx.out.emit({{"applied", json::array()}, {"in_sync", true}});
    ctx.out.print("nothing to do: Qdrant at " + s.client->url() + " already matches " +
                  s.file.source);
    return ExitCode::ok;
  }
  confirm_recreation(s.plan, options);
  json applied = json::array();
  std::size_t done = 0;
  for (const auto& change : s.plan.changes) {
    try {
      apply_change(*s.client, change);
    } catch (const Error& e) {
      throw Error(e.code(),
                  "applied " + std::to_string(done) + " of " +
                      std::to_string(s.plan.changes.size()) + " change(s); '" + change.summary +
                      "' on " + change.collection + " failed: " + e.what(),
                  "run 'agentdb qdrant plan' to see what remains");
    }
    ++done;
    applied.push_back(change_json(change));
    ctx.out.print(std::string("  ") + marker(change) + " done: " + change.summary +
                  (change.kind == ChangeKind::create || change.kind == ChangeKind::recreate ||
                           change.kind == ChangeKind::update
                       ? ""
                       : " on " + change.collection));
  }
  if (ctx.out.json())
    ctx.out.emit({{"applied", applied}, {"in_sync", true}});
  ctx.out.print("applied " + std::to_string(done) + " change(s)");
  return ExitCode::ok;
}

ExitCode run_status(Context& ctx, const QdrantOptions& options) {
  const auto s = open(ctx, options);
  std::map<std::string, int> drift;
  for (const auto& change : s.plan.changes)
    ++drift[change.collection];
  Table table({"COLLECTION", "STATUS", "POINTS", "INDEXED", "SEGMENTS", "DRIFT"});
  json rows = json::array();
  std::vector<std::string> names;
  for (const auto& spec : s.file.collections)
    names.push_back(spec.name);
  names.insert(names.end(), s.plan.undeclared.begin(), s.plan.undeclared.end());
  for (const auto& name : names) {
    const auto found = s.live.collections.find(name);
    const bool declared = s.file.find(name) != nullptr;
    if (found == s.live.collections.end()) {
      table.add_row({name, ctx.out.paint(Colour::red, "missing"), "-", "-", "-", "not created"});
      rows.push_back({{"name", name}, {"status", "missing"}, {"declared", true}});
      continue;
    }
    const auto& info = found->second;
    const auto status = info.value("status", std::string("?"));
    const auto colour =
        status == "green" ? Colour::green : (status == "yellow" ? Colour::yellow : Colour::red);
    const auto count = [&](const char* key) {
      return info.contains(key) && info[key].is_number()
                 ? std::to_string(info[key].get<long long>())
                 : std::string("-");
    };
    const auto changes = drift[name];
    const auto drift_text = !declared      ? std::string("not declared")
                            : changes == 0 ? std::string("none")
                                           : std::to_string(changes) + " change(s)";
    table.add_row({name, ctx.out.paint(colour, status), count("points_count"),
                   count("indexed_vectors_count"), count("segments_count"), drift_text});
    rows.push_back({{"name", name},
                    {"status", status},
                    {"declared", declared},
                    {"points_count", info.value("points_count", json(nullptr))},
                    {"indexed_vectors_count", info.value("indexed_vectors_count", json(nullptr))},
                    {"segments_count", info.value("segments_count", json(nullptr))},
                    {"drift", changes}});
  }
  if (ctx.out.json()) {
    ctx.out.emit({{"url", s.client->url()}, {"server_version", s.version}, {"collections", rows}});
  } else {
    ctx.out.print("Qdrant " + s.version + " at " + s.client->url());
    ctx.out.print(table.render());
  }
  return ExitCode::ok;
}

void require_collection(Client& client, const std::string& name) {
  if (!client.get_if_exists(collection_path(name)))
    throw Error(ExitCode::failure, "Qdrant has no collection '" + name + "'");
}

ExitCode run_snapshot(Context& ctx, const QdrantOptions& options) {
  const auto client = open_client(ctx, options);
  require_collection(*client, options.name);
  const auto snapshot =
      client->call(Method::post, collection_path(options.name) + "/snapshots?wait=true", nullptr,
                   Idempotent::no);
  const auto name = snapshot.value("name", std::string());
  if (ctx.out.json()) {
    ctx.out.emit({{"collection", options.name}, {"snapshot", snapshot}});
  } else {
    ctx.out.print_always(name);
    ctx.out.note("snapshot of " + options.name + ": " +
                 util::human_bytes(snapshot.value("size", std::uint64_t{0})));
  }
  return ExitCode::ok;
}

ExitCode run_drop(Context& ctx, const QdrantOptions& options) {
  if (!options.yes) {
    throw Error(ExitCode::usage,
                "qdrant drop deletes collection '" + options.name +
                    "' with all its points; nothing was deleted",
                "rerun with --yes to confirm");
  }
  const auto client = open_client(ctx, options);
  require_collection(*client, options.name);
  client->call(Method::del, collection_path(options.name), nullptr, Idempotent::yes);
  if (ctx.out.json())
    ctx.out.emit({{"dropped", options.name}});
  ctx.out.print("dropped collection " + options.name);
  return ExitCode::ok;
}

ExitCode run_sync_check(Context& ctx, const QdrantOptions& options) {
  const auto file = collections(ctx.config, options);
  const auto client = open_client(ctx, options);
  auto& database = ctx.session();
  Table table({"COLLECTION", "QDRANT", "POSTGRESQL", "DRIFT"});
  json rows = json::array();
  int drifted = 0;
  for (const auto& spec : file.collections) {
    if (!spec.count_sql)
      continue;
    const auto rows_in_pg = database.exec(*spec.count_sql);
    if (rows_in_pg.empty() || rows_in_pg[0].empty() || rows_in_pg[0][0].is_null()) {
      throw Error(ExitCode::usage, "sync.count_sql of " + spec.name + " returned no count",
                  "it must return one row with one number");
    }
    const auto expected = rows_in_pg[0][0].as<long long>();
    std::optional<long long> points;
    if (client->get_if_exists(collection_path(spec.name))) {
      const json body = {{"exact", true}};
      points = client
                   ->call(Method::post, collection_path(spec.name) + "/points/count", &body,
                          Idempotent::yes)
                   .value("count", 0LL);
    }
    const auto difference = points ? *points - expected : -expected;
    drifted += (!points || difference != 0) ? 1 : 0;
    table.add_row(
        {spec.name, points ? std::to_string(*points) : "missing", std::to_string(expected),
         difference == 0 && points ? "none"
                                   : (difference > 0 ? "+" : "") + std::to_string(difference)});
    rows.push_back({{"collection", spec.name},
                    {"qdrant_points", points ? json(*points) : json(nullptr)},
                    {"postgres_rows", expected},
                    {"difference", difference},
                    {"in_sync", points && difference == 0}});
  }
  if (ctx.out.json()) {
    ctx.out.emit({{"collections", rows}, {"in_sync", drifted == 0}});
  } else {
    ctx.out.print(table.render());
    ctx.out.print(drifted == 0 ? "every collection matches the rows it mirrors"
                               : std::to_string(drifted) + " collection(s) out of sync");
  }
  return drifted == 0 ? ExitCode::ok : ExitCode::conflict;
}

}  // namespace

std::string collection_path(const std::string& name) {
  return "/collections/" + path_segment(name);
}

std::optional<std::string> configured_url(const Config& config) {
  return config.find(kUrl);
}

ClientSettings configured_client(const Config& config) {
  return client_settings(config, QdrantOptions{});
}

std::optional<CollectionsFile> configured_collections(const Config& config) {
  if (const auto file = config.find(kCollectionsFile))
    return load_collections(*file);
  return collections_from_config(config.document(), config.source().string());
}

void register_commands(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<QdrantOptions>();
  auto* group = &family;
  group->require_subcommand(1);
  group->add_option(
      "--url", options->url,
      "Qdrant URL (env QDRANT_URL; default http://localhost:6333); key: QDRANT_API_KEY");
  group->add_option(
      "--file", options->file,
      "Collections file (env QDRANT_COLLECTIONS_FILE; default qdrant/collections.json)");
  group->add_option("--timeout", options->timeout, "Per-request timeout, e.g. 5s (default 10s)");

  const auto leaf = [&](const char* name, const char* help,
                        ExitCode (*run)(Context&, const QdrantOptions&)) {
    auto* app = group->add_subcommand(name, help);
    commands.push_back(
        {app, [options, run](Context& ctx) { return run(ctx, *options); }, Needs::session});
    return app;
  };
  auto* plan = leaf("plan", "Show what apply would change on the server", run_plan);
  plan->add_flag("--check", options->check, "Exit 4 when the server differs from the file");
  auto* apply =
      leaf("apply", "Create and update collections, indexes and aliases as declared", run_apply);
  apply->add_flag("--allow-recreate", options->allow_recreate,
                  "Allow recreating collections whose fixed parameters changed (drops points)");
  apply->add_flag("--yes", options->yes, "Do not ask before recreating");
  leaf("status", "Each collection's health, points, segments and drift from the file", run_status);
  auto* snapshot =
      leaf("snapshot", "Create a snapshot of a collection and print its name", run_snapshot);
  snapshot->add_option("NAME", options->name, "Collection")->required();
  auto* drop = leaf("drop", "Delete a collection", run_drop);
  drop->add_option("NAME", options->name, "Collection")->required();
  drop->add_flag("--yes", options->yes, "Confirm that its points may be deleted");
  leaf("sync-check", "Compare point counts with the PostgreSQL rows each collection mirrors",
       run_sync_check);
}

}  // namespace agentdb::qdrant
