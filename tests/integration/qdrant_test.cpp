// agentdb qdrant against the Qdrant stand-in (tests/qdrant), a real HTTP server on loopback that
// answers as Qdrant's REST API does and records every request Qdrant's OpenAPI spec does not allow.
// Every test ends by asserting that agentdb sent none.
#include <gtest/gtest.h>

#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "qdrant/qdrant.hpp"
#include "qdrant_standin.hpp"
#include "test_support.hpp"
#include "util/files.hpp"

#ifndef AGENTDB_SOURCE_DIR
#define AGENTDB_SOURCE_DIR "."
#endif

extern char** environ;

namespace agentdb::testing {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kTwoCollections = R"({"collections": {
  "memory": {
    "vectors": {"size": 4, "distance": "Cosine"},
    "hnsw_config": {"m": 16},
    "payload_indexes": {"user_id": "uuid", "kind": "keyword"},
    "aliases": ["memory_live"],
    "sync": {"count_sql": "SELECT count(*) FROM items"}
  },
  "docs": {
    "vectors": {"text": {"size": 8, "distance": "Dot"}},
    "sparse_vectors": {"words": {"modifier": "idf"}},
    "quantization_config": {"scalar": {"type": "int8", "always_ram": true}},
    "payload_indexes": {"body": {"type": "text", "tokenizer": "word", "lowercase": true}}
  }
}})";

}  // namespace

class QdrantTest : public ::testing::Test {
 protected:
  void SetUp() override { files.write("collections.json", kTwoCollections); }
  void TearDown() override { EXPECT_EQ(server->violations(), json::array()); }

  [[nodiscard]] CommandResult qdrant(std::vector<std::string> arguments,
                                     std::vector<std::pair<std::string, std::string>> env = {},
                                     const std::string& url = "") const {
    std::vector<std::string> argv{"qdrant", "--url", url.empty() ? server->url() : url, "--file",
                                  (files.path() / "collections.json").string()};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run_agentdb(argv, env);
  }
  [[nodiscard]] json qdrant_json(std::vector<std::string> arguments) const {
    arguments.push_back("--json");
    const auto result = qdrant(arguments);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return json::parse(result.out);
  }
  void edit(const std::string& from, const std::string& to) const {
    auto text = std::string(kTwoCollections);
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, from.size(), to);
    files.write("collections.json", text);
  }

  TempDir files;
  std::unique_ptr<QdrantStandIn> server = std::make_unique<QdrantStandIn>();
};

TEST_F(QdrantTest, ApplyCreatesWhatThePlanShowsAndASecondApplyDoesNothing) {
  const auto plan = qdrant_json({"plan"});
  EXPECT_FALSE(plan["in_sync"]);
  std::vector<std::string> kinds;
  for (const auto& change : plan["changes"])
    kinds.push_back(change["kind"].get<std::string>() + " " +
                    change["collection"].get<std::string>());
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"create memory", "create-index memory", "create-index memory",
                                      "aliases memory", "create docs", "create-index docs"}));
  EXPECT_EQ(qdrant({"plan", "--check"}).exit_code, 4);
  const auto applied = qdrant({"apply"});
  EXPECT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_NE(applied.out.find("applied 6 change(s)"), std::string::npos) << applied.out;
  const auto info = server->get("/collections/docs")["result"];
  EXPECT_EQ(info["config"]["params"]["vectors"]["text"]["size"], 8);
  EXPECT_EQ(info["payload_schema"]["body"]["data_type"], "text");
  EXPECT_EQ(server->get("/aliases")["result"]["aliases"][0]["alias_name"], "memory_live");

  const auto again = qdrant({"apply"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
  EXPECT_EQ(qdrant({"plan", "--check"}).exit_code, 0);
}

TEST_F(QdrantTest, APatchableChangeIsAnInPlaceUpdate) {
  ASSERT_EQ(qdrant({"apply"}).exit_code, 0);
  edit(R"("hnsw_config": {"m": 16})", R"("hnsw_config": {"m": 32}, "on_disk_payload": false)");
  const auto plan = qdrant_json({"plan"});
  ASSERT_EQ(plan["changes"].size(), 1U);
  EXPECT_EQ(plan["changes"][0]["kind"], "update");
  EXPECT_FALSE(plan["changes"][0]["destructive"]);
  EXPECT_EQ(plan["changes"][0]["details"],
            json::array({"on_disk_payload: true -> false", "hnsw_config.m: 16 -> 32"}));
  ASSERT_EQ(qdrant({"apply"}).exit_code, 0);
  EXPECT_EQ(server->get("/collections/memory")["result"]["config"]["hnsw_config"]["m"], 32);
  EXPECT_TRUE(qdrant_json({"plan"})["in_sync"]);
}

TEST_F(QdrantTest, AVectorSizeChangeIsDestructiveAndNeverSilent) {
  ASSERT_EQ(qdrant({"apply"}).exit_code, 0);
  server->post("/__standin/collections/memory/points_count", {{"count", 120}});
  edit(R"("size": 4)", R"("size": 6)");
  const auto plan = qdrant({"plan"});
  EXPECT_NE(plan.out.find("! recreate collection memory (drops its 120 points)  [destructive]"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("vectors.size: 4 -> 6"), std::string::npos) << plan.out;

  const auto refused = qdrant({"apply"});
  EXPECT_EQ(refused.exit_code, 4);
  EXPECT_EQ(refused.err,
            "agentdb: the plan recreates memory, dropping their points; nothing was applied; "
            "hint: review it with 'agentdb qdrant plan', then rerun with --allow-recreate\n");
  const auto unconfirmed = qdrant({"apply", "--allow-recreate"});
  EXPECT_EQ(unconfirmed.exit_code, 2);
  for (const auto& request : server->requests())
    EXPECT_NE(request, "DELETE /collections/memory");

  const auto applied = qdrant({"apply", "--allow-recreate", "--yes"});
  EXPECT_EQ(applied.exit_code, 0) << applied.err;
  const auto info = server->get("/collections/memory")["result"];
  EXPECT_EQ(info["config"]["params"]["vectors"]["size"], 6);
  EXPECT_EQ(info["points_count"], 0);
  EXPECT_EQ(info["payload_schema"].size(), 2U);  // indexes and the alias came back with it
  EXPECT_EQ(server->get("/collections/memory/aliases")["result"]["aliases"].size(), 1U);
}

TEST_F(QdrantTest, IndexAndAliasChangesArePlannedAndApplied) {
  ASSERT_EQ(qdrant({"apply"}).exit_code, 0);
  edit(R"("user_id": "uuid", "kind": "keyword"},
    "aliases": ["memory_live"])",
       R"("user_id": "keyword"},
    "aliases": ["memory_next"])");
  const auto plan = qdrant_json({"plan"});
  std::vector<std::string> summaries;
  for (const auto& change : plan["changes"])
    summaries.push_back(change["summary"]);
  EXPECT_EQ(summaries, (std::vector<std::string>{
                           "delete payload index kind (keyword, not declared)",
                           "replace payload index user_id (uuid -> keyword)",
                           "create payload index user_id (keyword)", "change 2 alias(es)"}));
  ASSERT_EQ(qdrant({"apply"}).exit_code, 0);
  EXPECT_TRUE(qdrant_json({"plan"})["in_sync"]);
}

TEST_F(QdrantTest, StatusShowsHealthCountsAndDrift) {
  ASSERT_EQ(qdrant({"apply"}).exit_code, 0);
  server->post("/__standin/collections/docs/status", {{"status", "yellow"}});
  server->post("/__standin/collections/memory/points_count", {{"count", 7}});
  edit(R"("hnsw_config": {"m": 16})", R"("hnsw_config": {"m": 20})");
  const auto status = qdrant_json({"status"});
  ASSERT_EQ(status["collections"].size(), 2U);
  EXPECT_EQ(status["collections"][0]["name"], "memory");
  EXPECT_EQ(status["collections"][0]["points_count"], 7);
  EXPECT_EQ(status["collections"][0]["drift"], 1);
  EXPECT_EQ(status["collections"][1]["status"], "yellow");
  EXPECT_EQ(status["collections"][1]["drift"], 0);
}

TEST_F(QdrantTest, SnapshotPrintsItsNameAndDropNeedsYes) {
  ASSERT_EQ(qdrant({"apply"}).exit_code, 0);
  const auto snapshot = qdrant({"snapshot", "memory"});
  EXPECT_EQ(snapshot.exit_code, 0) << snapshot.err;
  const auto listed = server->get("/collections/memory/snapshots")["result"];
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(snapshot.out, listed[0]["name"].get<std::string>() + "\n");

  EXPECT_EQ(qdrant({"drop", "docs"}).exit_code, 2);
  EXPECT_EQ(server->get("/collections/docs/exists")["result"]["exists"], true);
  EXPECT_EQ(qdrant({"drop", "docs", "--yes"}).exit_code, 0);
  EXPECT_EQ(server->get("/collections/docs/exists")["result"]["exists"], false);
  EXPECT_EQ(qdrant({"drop", "docs", "--yes"}).exit_code, 1);
  const auto odd = qdrant({"snapshot", "a b/../docs?x"});
  EXPECT_EQ(odd.exit_code, 1);
  EXPECT_EQ(odd.err, "agentdb: Qdrant has no collection 'a b/../docs?x'\n");
}

TEST_F(QdrantTest, SyncCheckComparesPointCountsWithPostgresRows) {
  ASSERT_EQ(qdrant({"apply"}).exit_code, 0);
  ScratchDatabase db;
  db.connect()->exec("CREATE TABLE items AS SELECT g FROM generate_series(1, 5) g");
  server->post("/__standin/collections/memory/points_count", {{"count", 5}});
  auto result = run_agentdb({"--database-url", db.url(), "qdrant", "--url", server->url(), "--file",
                             (files.path() / "collections.json").string(), "sync-check"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("every collection matches"), std::string::npos) << result.out;
  server->post("/__standin/collections/memory/points_count", {{"count", 3}});
  result = run_agentdb({"--database-url", db.url(), "--json", "qdrant", "--url", server->url(),
                        "--file", (files.path() / "collections.json").string(), "sync-check"});
  EXPECT_EQ(result.exit_code, 4);
  const auto report = json::parse(result.out);
  EXPECT_EQ(report["collections"][0]["difference"], -2);
  EXPECT_EQ(report["collections"].size(), 1U);  // docs declares no count
}

TEST_F(QdrantTest, SyncCheckSqlRunsReadOnlyAndChangesNothing) {
  ASSERT_EQ(qdrant({"apply"}).exit_code, 0);
  ScratchDatabase db;
  db.connect()->exec("CREATE TABLE items AS SELECT g FROM generate_series(1, 5) g");
  for (const auto* sql : {"WITH d AS (DELETE FROM items RETURNING 1) SELECT count(*) FROM d",
                          "INSERT INTO items VALUES (6) RETURNING 1",
                          "SELECT count(*) FROM items, LATERAL (SELECT nextval('s')) n"}) {
    edit("SELECT count(*) FROM items", sql);
    if (std::string(sql).find("nextval") != std::string::npos)
      db.connect()->exec("CREATE SEQUENCE IF NOT EXISTS s");
    const auto result =
        run_agentdb({"--database-url", db.url(), "qdrant", "--url", server->url(), "--file",
                     (files.path() / "collections.json").string(), "sync-check"});
    EXPECT_EQ(result.exit_code, 2) << sql << ": " << result.err;
    EXPECT_EQ(result.err.rfind("agentdb: sync.count_sql of memory tried to write: ", 0), 0U)
        << result.err;
    EXPECT_NE(result.err.find("read-only transaction"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("hint: it must be a read-only query returning one count; nothing "
                              "was changed"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(db.scalar("SELECT count(*) FROM items"), "5");
  }
}

TEST_F(QdrantTest, ASyncCheckQueryBeyondItsTimeoutIsCancelled) {
  ASSERT_EQ(qdrant({"apply"}).exit_code, 0);
  edit("SELECT count(*) FROM items", "SELECT count(*) FROM pg_sleep(20)");
  ScratchDatabase db;
  qdrant::ClientSettings settings;
  settings.url = server->url();
  auto connection = qdrant::connect(settings);
  const auto session = db.connect();
  qdrant::SyncCheckRequest request{qdrant::load_collections(files.path() / "collections.json")};
  request.count_timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  try {
    (void)qdrant::sync_check(connection, request, *session);
    ADD_FAILURE() << "pg_sleep(20) was not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::failure);
    EXPECT_EQ(std::string(e.what()), "sync.count_sql of memory was cancelled after 300 ms");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // The timeout was local to the transaction: the session is usable and unlimited again.
  EXPECT_EQ(session->exec("SHOW statement_timeout")[0][0].as<std::string>(), "0");
}

TEST_F(QdrantTest, AServerErrorBodyIsShownEscapedAndShortened) {
  httplib::Server hostile;
  const std::string reason = "\x1b]0;pwned\x07\x1b[2J" + std::string(5000, 'x');
  hostile.Get("/", [&](const httplib::Request&, httplib::Response& response) {
    response.status = 500;
    response.set_content(json{{"status", {{"error", reason}}}}.dump(), "application/json");
  });
  const int port = hostile.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { hostile.listen_after_bind(); });
  const auto result = qdrant({"plan"}, {}, "http://127.0.0.1:" + std::to_string(port));
  hostile.stop();
  serving.join();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err.find('\x1b'), std::string::npos) << "an escape reached the terminal";
  EXPECT_NE(result.err.find("\\x1B]0;pwned\\x07"), std::string::npos) << result.err;
  EXPECT_LT(result.err.size(), 1000U);
  EXPECT_NE(result.err.find("xxx..."), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1);
}

TEST_F(QdrantTest, CollectionsDeclaredInAgentdbTomlAreApplied) {
  files.write("agentdb.toml", "[qdrant]\nurl = \"" + server->url() +
                                  "\"\n\n[qdrant.collections.notes.vectors]\nsize = 3\n"
                                  "distance = \"Euclid\"\n");
  const auto result =
      run_agentdb({"--config", (files.path() / "agentdb.toml").string(), "qdrant", "apply"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(server->get("/collections/notes")["result"]["config"]["params"]["vectors"]["distance"],
            "Euclid");
}

TEST_F(QdrantTest, ARefusedConnectionIsExitThree) {
  const auto closed_url = server->url();
  server.reset();
  server = std::make_unique<QdrantStandIn>();
  const auto result = qdrant({"plan"}, {}, closed_url);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, "agentdb: cannot connect to Qdrant at " + closed_url +
                            ": connection refused; hint: check QDRANT_URL and that Qdrant is "
                            "running\n");
}

TEST_F(QdrantTest, AHangingServerTimesOutWithinTimeout) {
  server->post("/__standin/fault", {{"mode", "hang"}, {"seconds", 5}, {"count", 3}});
  const auto start = std::chrono::steady_clock::now();
  const auto result = qdrant({"plan", "--timeout", "300ms"});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.err.find("did not answer GET / within 300 ms"), std::string::npos) << result.err;
  EXPECT_LT(took, std::chrono::seconds(2));  // a timed-out request is not retried
}

TEST_F(QdrantTest, ServerErrorsAreRetriedWithBackoffThenReported) {
  server->post("/__standin/fault", {{"mode", "close"}, {"count", 1}});
  server->post("/__standin/fault", {{"mode", "status"}, {"code", 503}, {"count", 1}});
  EXPECT_EQ(qdrant({"plan"}).exit_code, 0);
  const auto requests = server->requests();
  ASSERT_GE(requests.size(), 3U);
  EXPECT_EQ(requests[0], "GET /");
  EXPECT_EQ(requests[2], "GET /");
  server->post("/__standin/fault", {{"mode", "status"}, {"code", 500}, {"count", 3}});
  const auto failed = qdrant({"plan"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("failed GET / (HTTP 500)"), std::string::npos) << failed.err;
}

TEST_F(QdrantTest, AMissingOrWrongApiKeyIsExitThree) {
  server = std::make_unique<QdrantStandIn>(std::vector<std::string>{"--api-key", "s3cret"});
  const auto missing = qdrant({"plan"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("refused the credentials (HTTP 401"), std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find("hint: set QDRANT_API_KEY"), std::string::npos);
  const auto wrong = qdrant({"plan"}, {{"QDRANT_API_KEY", "guess"}});
  EXPECT_EQ(wrong.exit_code, 3);
  EXPECT_EQ(wrong.err.find("guess"), std::string::npos) << "the key was printed";
  EXPECT_EQ(qdrant({"plan"}, {{"QDRANT_API_KEY", "s3cret"}}).exit_code, 0);
}

TEST_F(QdrantTest, AReadOnlyKeyCanPlanButApplyIsRefusedWithExitThree) {
  server = std::make_unique<QdrantStandIn>(
      std::vector<std::string>{"--api-key", "s3cret", "--read-only-api-key", "reader"});
  EXPECT_EQ(qdrant({"plan"}, {{"QDRANT_API_KEY", "reader"}}).exit_code, 0);
  const auto refused = qdrant({"apply"}, {{"QDRANT_API_KEY", "reader"}});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("applied 0 of 6 change(s); 'create collection memory' on memory "
                             "failed: Qdrant at " +
                             server->url() + " refused the credentials (HTTP 403"),
            std::string::npos)
      << refused.err;
}

TEST_F(QdrantTest, AnUnsupportedServerVersionIsRefused) {
  server = std::make_unique<QdrantStandIn>(std::vector<std::string>{"--version", "1.9.2"});
  const auto result = qdrant({"plan"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("Qdrant 1.9.2 at " + server->url() + " is not supported"),
            std::string::npos)
      << result.err;
}

TEST_F(QdrantTest, AMalformedFileNamesTheJsonPathAndSendsNothing) {
  edit(R"("hnsw_config")", R"("optimizer_config": {}, "hnsw_config")");
  auto result = qdrant({"plan"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err.substr(0, result.err.find("; hint")),
            "agentdb: collections file " + (files.path() / "collections.json").string() +
                ": $.collections.memory.optimizer_config: unknown key (did you mean "
                "optimizers_config?)");
  files.write("collections.json",
              R"({"collections": {"m": {"vectors": {"size": "4", "distance": "Cosine"}}}})");
  result = qdrant({"plan"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("$.collections.m.vectors.size: must be a whole number"),
            std::string::npos)
      << result.err;
  files.write("collections.json", "{\"collections\": {\n  \"m\": {,}\n}}");
  result = qdrant({"plan"});
  EXPECT_NE(result.err.find(": line 2: not valid JSON"), std::string::npos) << result.err;
  EXPECT_TRUE(server->requests().empty());
}

TEST_F(QdrantTest, AFailureHalfWayReportsWhatWasApplied) {
  ASSERT_EQ(qdrant({"apply"}).exit_code, 0);
  edit(R"("hnsw_config": {"m": 16})", R"("hnsw_config": {"m": 24})");
  // Faults queue up: the plan's five reads (GET /, /collections, two infos, /aliases) pass
  // untouched (a hang of 0 s), then the PATCH is answered with Qdrant's 400.
  server->post("/__standin/fault", {{"mode", "hang"}, {"seconds", 0}, {"count", 5}});
  server->post("/__standin/fault", {{"mode", "status"}, {"code", 400}, {"count", 1}});
  const auto result = qdrant({"apply"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("applied 0 of 1 change(s); 'update collection memory in place' on "
                            "memory failed:"),
            std::string::npos)
      << result.err;
}

// What `serve` will call: the same operations as request -> result functions, progress through
// the request's callbacks, and the destructive guard in the API itself, not in the command line.
TEST_F(QdrantTest, TheApiPlansAndAppliesWithoutTheCommandLine) {
  qdrant::ClientSettings settings;
  settings.url = server->url();
  auto connection = qdrant::connect(settings);
  EXPECT_EQ(connection.server_version, "1.19.0");
  const auto file = qdrant::load_collections(files.path() / "collections.json");
  const auto planned = qdrant::plan(connection, {file});
  ASSERT_EQ(planned.plan.changes.size(), 6U);
  std::vector<std::string> reported;
  const auto applied = qdrant::apply(
      connection, {file, qdrant::Recreation::refuse, nullptr,
                   [&](const qdrant::Change& change) { reported.push_back(change.summary); }});
  EXPECT_EQ(applied.applied.size(), 6U);
  EXPECT_EQ(reported.size(), 6U);
  EXPECT_EQ(reported.front(), "create collection memory");
  EXPECT_TRUE(qdrant::plan(connection, {file}).plan.empty());

  edit(R"("size": 4)", R"("size": 6)");
  const auto resized = qdrant::load_collections(files.path() / "collections.json");
  try {
    (void)qdrant::apply(connection, {resized, qdrant::Recreation::refuse, nullptr, nullptr});
    ADD_FAILURE() << "a destructive plan was applied without Recreation::allow";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::conflict);
  }
  std::vector<std::string> doomed;
  const auto recreated = qdrant::apply(
      connection, {resized, qdrant::Recreation::allow,
                   [&](const std::vector<std::string>& names) { doomed = names; }, nullptr});
  EXPECT_EQ(doomed, std::vector<std::string>{"memory"});
  EXPECT_FALSE(recreated.applied.empty());
  const auto status = qdrant::status(connection, {resized});
  ASSERT_EQ(status.collections.size(), 2U);
  EXPECT_EQ(status.collections[0].drift, 0);
  EXPECT_EQ(qdrant::drop(connection, {"docs"}).dropped, "docs");
  EXPECT_FALSE(qdrant::status(connection, {resized}).collections[1].exists);
}

}  // namespace agentdb::testing
