#include "qdrant/planner.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "qdrant/client.hpp"
#include "qdrant/render.hpp"

namespace agentdb::qdrant {

using nlohmann::json;

namespace {

CollectionsFile file_with(const std::string& collection_json) {
  return parse_collections(R"({"collections": {"c": )" + collection_json + "}}", "test.json");
}

// GET /collections/c as Qdrant answers it, for a collection made with these params.
json live_info(json vectors, json extra_config = json::object()) {
  json config = {{"params",
                  {{"vectors", std::move(vectors)},
                   {"shard_number", 1},
                   {"replication_factor", 1},
                   {"write_consistency_factor", 1},
                   {"on_disk_payload", true}}},
                 {"hnsw_config", {{"m", 16}, {"ef_construct", 100}}},
                 {"optimizer_config", {{"indexing_threshold", 10000}}},
                 {"wal_config", {{"wal_capacity_mb", 32}, {"wal_segments_ahead", 0}}},
                 {"quantization_config", nullptr}};
  config.update(extra_config);
  return {{"status", "green"},
          {"points_count", 10},
          {"config", config},
          {"payload_schema", json::object()}};
}

LiveState live_with(json info) {
  LiveState live;
  live.collections["c"] = std::move(info);
  return live;
}

}  // namespace

TEST(QdrantPlanner, KeysTheFileLeavesOutAreNotDrift) {
  const auto plan = make_plan(file_with(R"({"vectors": {"size": 4, "distance": "Cosine"}})"),
                              live_with(live_info({{"size", 4}, {"distance", "Cosine"}})));
  EXPECT_TRUE(plan.empty());
}

TEST(QdrantPlanner, DistanceAndSizeChangesNeedARecreate) {
  const auto plan = make_plan(file_with(R"({"vectors": {"size": 4, "distance": "Dot"}})"),
                              live_with(live_info({{"size", 4}, {"distance", "Cosine"}})));
  ASSERT_EQ(plan.changes.size(), 1U);
  EXPECT_EQ(plan.changes[0].kind, ChangeKind::recreate);
  EXPECT_TRUE(plan.destructive());
  EXPECT_EQ(plan.changes[0].details,
            (std::vector<std::string>{R"(vectors.distance: "Cosine" -> "Dot")"}));
}

TEST(QdrantPlanner, OnDiskAndHnswOfAVectorArePatchedUnderItsName) {
  const auto plan = make_plan(
      file_with(R"({"vectors": {"v": {"size": 4, "distance": "Cosine", "on_disk": true}}})"),
      live_with(live_info({{"v", {{"size", 4}, {"distance", "Cosine"}}}})));
  ASSERT_EQ(plan.changes.size(), 1U);
  EXPECT_EQ(plan.changes[0].kind, ChangeKind::update);
  EXPECT_EQ(plan.changes[0].body, json({{"vectors", {{"v", {{"on_disk", true}}}}}}));
}

TEST(QdrantPlanner, AddingANamedVectorOrChangingTheWalNeedsARecreate) {
  const auto added = make_plan(
      file_with(
          R"({"vectors": {"a": {"size": 4, "distance": "Cosine"}, "b": {"size": 2, "distance": "Dot"}}})"),
      live_with(live_info({{"a", {{"size", 4}, {"distance", "Cosine"}}}})));
  ASSERT_EQ(added.changes.size(), 1U);
  EXPECT_EQ(added.changes[0].details, (std::vector<std::string>{"vectors.b: added"}));
  const auto wal = make_plan(
      file_with(
          R"({"vectors": {"size": 4, "distance": "Cosine"}, "wal_config": {"wal_capacity_mb": 64}})"),
      live_with(live_info({{"size", 4}, {"distance", "Cosine"}})));
  ASSERT_EQ(wal.changes.size(), 1U);
  EXPECT_TRUE(wal.changes[0].destructive);
}

TEST(QdrantPlanner, OptimizerSettingsAreComparedWithQdrantsOwnKeyName) {
  const auto plan = make_plan(
      file_with(
          R"({"vectors": {"size": 4, "distance": "Cosine"}, "optimizers_config": {"indexing_threshold": 20000}})"),
      live_with(live_info({{"size", 4}, {"distance", "Cosine"}})));
  ASSERT_EQ(plan.changes.size(), 1U);
  EXPECT_EQ(plan.changes[0].body, json({{"optimizers_config", {{"indexing_threshold", 20000}}}}));
  EXPECT_EQ(plan.changes[0].details,
            (std::vector<std::string>{"optimizers_config.indexing_threshold: 10000 -> 20000"}));
}

TEST(QdrantPlanner, UndeclaredCollectionsAreReportedAndLeftAlone) {
  auto live = live_with(live_info({{"size", 4}, {"distance", "Cosine"}}));
  live.collections["other"] = live_info({{"size", 2}, {"distance", "Dot"}});
  const auto plan = make_plan(file_with(R"({"vectors": {"size": 4, "distance": "Cosine"}})"), live);
  EXPECT_TRUE(plan.empty());
  EXPECT_EQ(plan.undeclared, (std::vector<std::string>{"other"}));
}

TEST(QdrantPlanner, AnAliasOnAnotherCollectionIsMovedInOneAtomicCall) {
  auto live = live_with(live_info({{"size", 4}, {"distance", "Cosine"}}));
  live.aliases["current"] = "old";
  const auto plan = make_plan(
      file_with(R"({"vectors": {"size": 4, "distance": "Cosine"}, "aliases": ["current"]})"), live);
  ASSERT_EQ(plan.changes.size(), 1U);
  EXPECT_EQ(plan.changes[0].body["actions"].size(), 2U);
  EXPECT_EQ(plan.changes[0].details, (std::vector<std::string>{"current: old -> c"}));
}

TEST(QdrantPlanner, IndexesAndAliasesAreManagedOnlyWhenTheFileDeclaresTheKey) {
  auto info = live_info({{"size", 4}, {"distance", "Cosine"}});
  info["payload_schema"] = {{"user_id", {{"data_type", "keyword"}, {"points", 0}}}};
  auto live = live_with(info);
  live.aliases["current"] = "c";
  const auto unmanaged =
      make_plan(file_with(R"({"vectors": {"size": 4, "distance": "Cosine"}})"), live);
  EXPECT_TRUE(unmanaged.empty());
  const auto managed = make_plan(
      file_with(
          R"({"vectors": {"size": 4, "distance": "Cosine"}, "payload_indexes": {}, "aliases": []})"),
      live);
  ASSERT_EQ(managed.changes.size(), 2U);
  EXPECT_EQ(managed.changes[0].summary, "delete payload index user_id (keyword, not declared)");
  EXPECT_EQ(managed.changes[1].details, (std::vector<std::string>{"current: c -> (none)"}));
}

TEST(QdrantPlanner, ARemovedSparseVectorNeedsARecreate) {
  auto info = live_info({{"size", 4}, {"distance", "Cosine"}});
  info["config"]["params"]["sparse_vectors"] = {{"a", json::object()}, {"b", json::object()}};
  const auto plan = make_plan(
      file_with(R"({"vectors": {"size": 4, "distance": "Cosine"}, "sparse_vectors": {"a": {}}})"),
      live_with(info));
  ASSERT_EQ(plan.changes.size(), 1U);
  EXPECT_EQ(plan.changes[0].details, (std::vector<std::string>{"sparse_vectors.b: removed"}));
}

TEST(QdrantClient, NamesArePercentEncodedInPaths) {
  EXPECT_EQ(path_segment("agent_memory-2"), "agent_memory-2");
  EXPECT_EQ(path_segment("a b/../c?x"), "a%20b%2F..%2Fc%3Fx");
  EXPECT_EQ(parse_version("1.19.0"), std::make_pair(1, 19));
  EXPECT_FALSE(parse_version("dev"));
}

TEST(CollectionsFile, ProblemsNameTheirJsonPath) {
  const auto message = [](const std::string& text) {
    try {
      (void)parse_collections(text, "f.json");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::usage);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message(R"({"collections": {"c": {"vectors": {"size": 4, "distance": "cosine"}}}})"),
            "collections file f.json: $.collections.c.vectors.distance: must be one of Cosine, "
            "Euclid, Dot, Manhattan");
  EXPECT_EQ(
      message(
          R"({"collections": {"c": {"vectors": {"size": 4, "distance": "Dot"}, "payload_indexes": {"x": "string"}}}})"),
      "collections file f.json: $.collections.c.payload_indexes.x: must be one of keyword, "
      "integer, float, bool, geo, datetime, text, uuid (or an object with such a type)");
  EXPECT_EQ(
      message(
          R"({"collections": {"c": {"vectors": {"size": 4, "distance": "Dot"}, "aliases": ["a", 3]}}})"),
      "collections file f.json: $.collections.c.aliases[1]: must be a non-empty string");
  EXPECT_EQ(message(R"({"collection": {}})"),
            "collections file f.json: $.collection: unknown key (the file holds collections)");
}

TEST(CollectionsFile, CollectionsCanBeDeclaredInAgentdbToml) {
  const auto document = toml::parse(R"(
[qdrant]
url = "http://q:6333"

[qdrant.collections.memory]
shard_number = 2
aliases = ["memory_live"]

[qdrant.collections.memory.vectors]
size = 4
distance = "Cosine"

[qdrant.collections.memory.payload_indexes]
user_id = "uuid"
)");
  const auto file = collections_from_config(document, "agentdb.toml");
  ASSERT_TRUE(file);
  ASSERT_EQ(file->collections.size(), 1U);
  const auto& memory = file->collections[0];
  EXPECT_EQ(memory.create_body,
            json({{"shard_number", 2}, {"vectors", {{"size", 4}, {"distance", "Cosine"}}}}));
  EXPECT_EQ(memory.aliases, (std::vector<std::string>{"memory_live"}));
  EXPECT_EQ(memory.payload_indexes.at("user_id"), "uuid");
  EXPECT_FALSE(collections_from_config(toml::parse("[qdrant]\nurl = \"x\"\n"), "a.toml"));
  try {
    (void)collections_from_config(toml::parse("[qdrant.collections.m.vectors]\nsize = \"4\"\n"),
                                  "a.toml");
    FAIL() << "accepted a string size";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "collections file a.toml [qdrant.collections]: $.collections.m.vectors.size: must be "
              "a whole number of at least 1");
  }
}

TEST(CollectionsFile, AFloatInAgentdbTomlReachesTheCreateBody) {
  const auto document = toml::parse(R"(
[qdrant.collections.m.vectors]
size = 4
distance = "Cosine"

[qdrant.collections.m.quantization_config.scalar]
type = "int8"
quantile = 0.99
)");
  const auto file = collections_from_config(document, "agentdb.toml");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->collections[0].create_body.at("quantization_config").at("scalar").at("quantile"),
            0.99);
}

TEST(CollectionsFile, TheShippedFileIsValid) {
  const auto file = load_collections(std::string(AGENTDB_SOURCE_DIR) + "/qdrant/collections.json");
  ASSERT_EQ(file.collections.size(), 3U);
  EXPECT_EQ(file.collections[0].name, "agent_memory");
  for (const auto& collection : file.collections) {
    EXPECT_TRUE(collection.count_sql) << collection.name;
    EXPECT_TRUE(collection.payload_indexes.contains("user_id")) << collection.name;
  }
}

// The renderers beside qdrant_command.cpp: what plan and sync-check print, from results alone.
TEST(QdrantRender, PlanTextMarksDestructiveChangesAndNamesTheCollectionOfIndexChanges) {
  PlanResult result{"http://q:6333", "1.19.0", "c.json", {}, {}};
  result.plan.changes.push_back({ChangeKind::recreate,
                                 "m",
                                 "recreate collection m",
                                 {"vectors.size: 4 -> 6"},
                                 true,
                                 json::object(),
                                 ""});
  result.plan.changes.push_back(
      {ChangeKind::create_index, "m", "create payload index k (keyword)", {}, false, {}, "k"});
  result.plan.undeclared = {"old"};
  EXPECT_EQ(plan_text(result, Output()),
            "Qdrant 1.19.0 at http://q:6333 against c.json:\n"
            "  ! recreate collection m  [destructive]\n"
            "      vectors.size: 4 -> 6\n"
            "  + create payload index k (keyword) on m\n"
            "left alone (not in c.json): old\n"
            "2 change(s), 1 destructive; 'agentdb qdrant apply' makes them");
  EXPECT_EQ(applied_line(result.plan.changes[0]), "  ! done: recreate collection m");
  EXPECT_EQ(applied_line(result.plan.changes[1]),
            "  + done: create payload index k (keyword) on m");
  EXPECT_EQ(plan_json(result)["in_sync"], false);
}

TEST(QdrantRender, SyncCheckCountsAMissingCollectionAsOutOfSync) {
  SyncCheckResult result;
  result.collections.push_back({"a", 5, 5, 0});
  result.collections.push_back({"b", std::nullopt, 0, 0});
  result.drifted = 1;
  EXPECT_EQ(sync_check_text(result),
            "COLLECTION  QDRANT   POSTGRESQL  DRIFT\n"
            "a           5        5           none\n"
            "b           missing  0           0\n"
            "1 collection(s) out of sync");
  EXPECT_EQ(sync_check_json(result)["collections"][1]["qdrant_points"], nullptr);
}

}  // namespace agentdb::qdrant
