// qdrant's public interface for other modules and front ends (health, serve): the settings read
// from the configuration, and the operations of `agentdb qdrant` as request -> result functions.
// Nothing here prints or exits: failures are Error, progress goes to the request's callbacks.
// A Connection is one HTTP client; calls on different connections may run on different threads.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "qdrant/client.hpp"
#include "qdrant/collections_file.hpp"
#include "qdrant/planner.hpp"
#include "qdrant/settings.hpp"

namespace agentdb::db {
class Session;
}

namespace agentdb::qdrant {

// For other commands (health): the Qdrant URL only when one is configured (QDRANT_URL or
// qdrant.url), the client settings agentdb qdrant would use, and the collections only when a
// collections file (QDRANT_COLLECTIONS_FILE, qdrant.file) or agentdb.toml declares them.
[[nodiscard]] std::optional<std::string> configured_url(const Config& config);
[[nodiscard]] ClientSettings configured_client(const Config& config);
[[nodiscard]] std::optional<CollectionsFile> configured_collections(const Config& config);
// "/collections/<name>", the name percent-encoded.
[[nodiscard]] std::string collection_path(const std::string& name);

// What a front end may set over the configuration (--url, --file, --timeout); empty: not set.
struct ConnectionOptions {
  std::string url;
  std::string file;
  std::string timeout;
};

// The client settings; Error(usage) for a timeout that is no duration of at least 1 ms.
[[nodiscard]] ClientSettings client_settings(const Config& config,
                                             const ConnectionOptions& options);
// The file given, QDRANT_COLLECTIONS_FILE or qdrant.file; else the collections declared in
// agentdb.toml; else qdrant/collections.json. Error(usage) names the first problem in it.
[[nodiscard]] CollectionsFile declared_collections(const Config& config,
                                                   const ConnectionOptions& options);

// A client to a server whose version agentdb supports (checked with GET / by connect).
struct Connection {
  std::unique_ptr<Client> client;
  std::string server_version;
};
[[nodiscard]] Connection connect(const ClientSettings& settings);

struct PlanRequest {
  CollectionsFile file;
};
struct PlanResult {
  std::string url;
  std::string server_version;
  std::string source;  // where the collections were declared
  LiveState live;
  Plan plan;
};
// The changes apply would make; reads only.
[[nodiscard]] PlanResult plan(Connection& connection, const PlanRequest& request);

enum class Recreation { refuse, allow };

struct ApplyRequest {
  CollectionsFile file;
  // Destructive changes (recreating a collection drops its points) are refused unless allowed.
  Recreation recreation = Recreation::refuse;
  // Called once, before anything is applied, with the collections that would be recreated;
  // throws to stop. Not called when nothing is destructive.
  std::function<void(const std::vector<std::string>& doomed)> confirm_recreation;
  // Called after each change is made.
  std::function<void(const Change& change)> on_applied;
};
struct ApplyResult {
  std::string url;
  std::string source;
  std::vector<Change> applied;  // empty: the server already matched
};
// Makes the plan's changes in order. Error(conflict) when the plan is destructive and not
// allowed; a failing change throws its own code, saying how many were applied before it.
[[nodiscard]] ApplyResult apply(Connection& connection, const ApplyRequest& request);

struct StatusRequest {
  CollectionsFile file;
};
struct CollectionStatus {
  std::string name;
  bool exists = false;
  bool declared = true;  // false for a live collection the file does not declare
  std::string status;    // "green", "yellow", "red" as Qdrant says
  // As Qdrant answers them: a number, or null when it does not say.
  nlohmann::json points_count;
  nlohmann::json indexed_vectors_count;
  nlohmann::json segments_count;
  int drift = 0;  // planned changes
};
struct StatusResult {
  std::string url;
  std::string server_version;
  std::vector<CollectionStatus> collections;  // declared ones in file order, then the rest
};
[[nodiscard]] StatusResult status(Connection& connection, const StatusRequest& request);

struct SyncCheckRequest {
  CollectionsFile file;
  // Each sync.count_sql runs READ ONLY and is cancelled after this long.
  std::chrono::milliseconds count_timeout = std::chrono::seconds(30);
};
struct CollectionSync {
  std::string collection;
  std::optional<long long> points;  // nullopt: the collection is missing
  long long rows = 0;               // sync.count_sql in PostgreSQL
  long long difference = 0;         // points - rows

  [[nodiscard]] bool in_sync() const { return points && difference == 0; }
};
struct SyncCheckResult {
  std::vector<CollectionSync> collections;  // those that declare sync.count_sql
  int drifted = 0;

  [[nodiscard]] bool in_sync() const { return drifted == 0; }
};
// Runs each collection's sync.count_sql on `database` in a READ ONLY transaction under a statement
// timeout; Error(usage) when one returns no count or tries to write, Error(failure) when it takes
// longer than request.count_timeout.
[[nodiscard]] SyncCheckResult sync_check(Connection& connection, const SyncCheckRequest& request,
                                         db::Session& database);

// Qdrant's own bound on a collection name (1 to 255 bytes): Error(usage) outside it, before any
// request is sent.
void check_collection_name(const std::string& name);

struct SnapshotRequest {
  std::string collection;
};
struct SnapshotResult {
  std::string collection;
  nlohmann::json snapshot;  // Qdrant's description: name, size, creation_time, checksum
};
// Error(failure) when the collection does not exist.
[[nodiscard]] SnapshotResult snapshot(Connection& connection, const SnapshotRequest& request);

struct DropRequest {
  std::string collection;
};
struct DropResult {
  std::string dropped;
};
// Deletes the collection with its points; Error(failure) when it does not exist.
[[nodiscard]] DropResult drop(Connection& connection, const DropRequest& request);

}  // namespace agentdb::qdrant
