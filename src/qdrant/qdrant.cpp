#include "qdrant/qdrant.hpp"

#include "core/error.hpp"
#include "db/session.hpp"
#include "db/transaction.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::qdrant {

using nlohmann::json;

namespace {

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

PlanResult plan_for(Connection& connection, const CollectionsFile& file) {
  PlanResult result;
  result.url = connection.client->url();
  result.server_version = connection.server_version;
  result.source = file.source;
  result.live = read_live(*connection.client);
  result.plan = make_plan(file, result.live);
  return result;
}

void require_collection(Client& client, const std::string& name) {
  if (!client.get_if_exists(collection_path(name)))
    throw Error(ExitCode::failure, "Qdrant has no collection '" + util::printable(name) + "'");
}

CollectionStatus status_of(const std::string& name, const CollectionsFile& file,
                           const PlanResult& planned) {
  CollectionStatus row;
  row.name = name;
  const auto found = planned.live.collections.find(name);
  if (found == planned.live.collections.end())
    return row;
  const auto& info = found->second;
  row.exists = true;
  row.declared = file.find(name) != nullptr;
  row.status = info.value("status", std::string("?"));
  row.points_count = info.value("points_count", json(nullptr));
  row.indexed_vectors_count = info.value("indexed_vectors_count", json(nullptr));
  row.segments_count = info.value("segments_count", json(nullptr));
  for (const auto& change : planned.plan.changes)
    row.drift += change.collection == name ? 1 : 0;
  return row;
}

// The collections file's SQL runs READ ONLY under a statement timeout, rolled back after: a file
// cannot change the database or hold a session for ever, whatever it holds.
long long count_rows(db::Session& database, const CollectionSpec& spec,
                     std::chrono::milliseconds timeout) {
  const auto name = util::printable(spec.name);
  db::Rows rows;
  try {
    db::Transaction transaction(database, db::Isolation::read_committed, db::Access::read_only);
    database.exec("SET LOCAL statement_timeout = " + std::to_string(timeout.count()));
    rows = database.exec(*spec.count_sql);
  } catch (const db::QueryError& e) {
    if (e.sqlstate() == "25006") {  // read_only_sql_transaction
      throw Error(ExitCode::usage,
                  "sync.count_sql of " + name + " tried to write: " + util::printable(e.what()),
                  "it must be a read-only query returning one count; nothing was changed");
    }
    if (e.sqlstate() == "57014") {  // query_canceled: the statement timeout
      throw Error(
          ExitCode::failure,
          "sync.count_sql of " + name + " was cancelled after " + util::human_duration(timeout),
          "make the query cheaper (an index, or an estimate from pg_class)");
    }
    throw Error(e.code(), "sync.count_sql of " + name + " failed: " + util::printable(e.what()),
                e.hint());
  }
  if (rows.empty() || rows[0].empty() || rows[0][0].is_null()) {
    throw Error(ExitCode::usage, "sync.count_sql of " + name + " returned no count",
                "it must return one row with one number");
  }
  return rows[0][0].as<long long>();
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

// Destructive changes need Recreation::allow, and then the request's confirmation.
void allow_recreation(const Plan& plan, const ApplyRequest& request) {
  std::vector<std::string> doomed;
  for (const auto& change : plan.changes) {
    if (change.destructive)
      doomed.push_back(change.collection);
  }
  if (doomed.empty())
    return;
  if (request.recreation != Recreation::allow) {
    throw Error(ExitCode::conflict,
                "the plan recreates " + util::printable(util::join(doomed, ", ")) +
                    ", dropping their points; nothing was applied",
                "review it with 'agentdb qdrant plan', then rerun with --allow-recreate");
  }
  if (request.confirm_recreation)
    request.confirm_recreation(doomed);
}

}  // namespace

std::string collection_path(const std::string& name) {
  return "/collections/" + path_segment(name);
}

ClientSettings client_settings(const Config& config, const ConnectionOptions& options) {
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

CollectionsFile declared_collections(const Config& config, const ConnectionOptions& options) {
  if (const auto file = config.find(kCollectionsFile, options.file))
    return load_collections(*file);
  if (auto declared = collections_from_config(config.document(), config.source().string()))
    return std::move(*declared);
  return load_collections(shipped_default(kCollectionsFile));
}

std::optional<std::string> configured_url(const Config& config) {
  return config.find(kUrl);
}

ClientSettings configured_client(const Config& config) {
  return client_settings(config, ConnectionOptions{});
}

std::optional<CollectionsFile> configured_collections(const Config& config) {
  if (const auto file = config.find(kCollectionsFile))
    return load_collections(*file);
  return collections_from_config(config.document(), config.source().string());
}

Connection connect(const ClientSettings& settings) {
  Connection connection{std::make_unique<Client>(settings), {}};
  connection.server_version = connection.client->check_version();
  return connection;
}

PlanResult plan(Connection& connection, const PlanRequest& request) {
  return plan_for(connection, request.file);
}

ApplyResult apply(Connection& connection, const ApplyRequest& request) {
  const auto planned = plan_for(connection, request.file);
  ApplyResult result{planned.url, planned.source, {}};
  if (planned.plan.empty())
    return result;
  allow_recreation(planned.plan, request);
  const auto total = planned.plan.changes.size();
  for (const auto& change : planned.plan.changes) {
    try {
      apply_change(*connection.client, change);
    } catch (const Error& e) {
      throw Error(e.code(),
                  "applied " + std::to_string(result.applied.size()) + " of " +
                      std::to_string(total) + " change(s); '" + util::printable(change.summary) +
                      "' on " + util::printable(change.collection) + " failed: " + e.what(),
                  "run 'agentdb qdrant plan' to see what remains");
    }
    result.applied.push_back(change);
    if (request.on_applied)
      request.on_applied(change);
  }
  return result;
}

StatusResult status(Connection& connection, const StatusRequest& request) {
  const auto planned = plan_for(connection, request.file);
  StatusResult result{planned.url, planned.server_version, {}};
  for (const auto& spec : request.file.collections)
    result.collections.push_back(status_of(spec.name, request.file, planned));
  for (const auto& name : planned.plan.undeclared)
    result.collections.push_back(status_of(name, request.file, planned));
  return result;
}

SyncCheckResult sync_check(Connection& connection, const SyncCheckRequest& request,
                           db::Session& database) {
  auto& client = *connection.client;
  SyncCheckResult result;
  for (const auto& spec : request.file.collections) {
    if (!spec.count_sql)
      continue;
    CollectionSync row{spec.name, std::nullopt, count_rows(database, spec, request.count_timeout),
                       0};
    if (client.get_if_exists(collection_path(spec.name))) {
      const json body = {{"exact", true}};
      row.points = client
                       .call(Method::post, collection_path(spec.name) + "/points/count", &body,
                             Idempotent::yes)
                       .value("count", 0LL);
    }
    row.difference = row.points ? *row.points - row.rows : -row.rows;
    result.drifted += row.in_sync() ? 0 : 1;
    result.collections.push_back(std::move(row));
  }
  return result;
}

void check_collection_name(const std::string& name) {
  constexpr std::size_t kMaxName = 255;
  if (name.empty() || name.size() > kMaxName) {
    throw Error(ExitCode::usage,
                "invalid collection name of " + std::to_string(name.size()) + " bytes",
                "Qdrant collection names are 1 to " + std::to_string(kMaxName) + " bytes");
  }
}

SnapshotResult snapshot(Connection& connection, const SnapshotRequest& request) {
  auto& client = *connection.client;
  require_collection(client, request.collection);
  SnapshotResult result;
  result.collection = request.collection;
  result.snapshot =
      client.call(Method::post, collection_path(request.collection) + "/snapshots?wait=true",
                  nullptr, Idempotent::no);
  return result;
}

DropResult drop(Connection& connection, const DropRequest& request) {
  auto& client = *connection.client;
  require_collection(client, request.collection);
  client.call(Method::del, collection_path(request.collection), nullptr, Idempotent::yes);
  return {request.collection};
}

}  // namespace agentdb::qdrant
