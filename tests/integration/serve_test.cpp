// agentdb serve over real HTTP (cpp-httplib's client and raw sockets) against a real PostgreSQL:
// keys by hash and revocation at once, scopes, the agents routes with their audit rows, bad input
// answered with a clear 4xx while the server keeps serving, pipelining, rate limits, pending
// migrations refused, SIGTERM draining under load with no acknowledged write lost, SIGHUP reloads.
#include <atomic>
#include <thread>

#include "serve_fixture.hpp"

namespace agentdb::testing {

TEST_F(ServeTest, LivenessReadinessAndMetricsAnswerWithoutAKey) {
  start();
  const auto live = http->Get("/health");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  const auto ready = http->Get("/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  EXPECT_EQ(json::parse(ready->body)["migrations"]["pending"], 0);
  const auto detailed = get("/health/detailed", admin_key, 200);
  EXPECT_EQ(detailed["pool"]["max_size"], 10);
  EXPECT_GE(detailed["server_version"].get<int>(), 150000);
  (void)get("/health/detailed", writer_key, 403);
  const auto metrics = http->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("agentdb_http_requests_total{method=\"GET\",route=\"/health\","
                               "status=\"200\"} 1"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("agentdb_http_request_duration_seconds_bucket{le=\"+Inf\"}"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("agentdb_pool_connections "), std::string::npos);
}

TEST_F(ServeTest, KeysAreCheckedByHashAndARevokedKeyIsRefusedAtOnce) {
  start();
  EXPECT_EQ(http->Get("/api/v1/agents")->status, 401);
  EXPECT_EQ(http->Get("/api/v1/agents", bearer("not-a-key"))->status, 401);
  EXPECT_EQ(http->Get("/api/v1/agents", bearer("adb_" + std::string(40, 'A')))->status, 401);
  EXPECT_EQ(http->Get("/api/v1/agents", bearer(reader_key))->status, 200);
  EXPECT_EQ(http->Get("/api/v1/agents", httplib::Headers{{"X-API-Key", reader_key}})->status, 200);
  // Only the hash is stored: the raw key is nowhere in the table.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM api_keys WHERE key_hash = '" + reader_key +
                      "' OR key_prefix = '" + reader_key + "'"),
            "0");
  const auto revoked =
      run_agentdb({"--database-url", db.url(), "keys", "revoke", reader_key.substr(0, 12)});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  const auto refused = http->Get("/api/v1/agents", bearer(reader_key));
  EXPECT_EQ(refused->status, 401);
  EXPECT_NE(refused->body.find("revoked"), std::string::npos) << refused->body;
  // The access log names the key by its prefix, never the key.
  (void)server->stop();
  EXPECT_NE(server->stdout_text().find(reader_key.substr(0, 12)), std::string::npos);
  EXPECT_EQ(server->stdout_text().find(reader_key), std::string::npos);
}

TEST_F(ServeTest, ScopesDecideWhatAKeyMayDo) {
  start();
  (void)post("/api/v1/agents", {{"name", "by reader"}}, reader_key, 403);
  (void)post("/api/v1/agents", {{"name", "by writer"}}, writer_key, 201);
  (void)get("/api/v1/api-keys", writer_key, 403);
  (void)get("/api/v1/audit", reader_key, 403);
  const auto keys = get("/api/v1/api-keys", admin_key, 200);
  EXPECT_EQ(keys["items"].size(), 3U);
  EXPECT_EQ(keys.dump().find(writer_key), std::string::npos) << "a listed key shows its raw text";
}

TEST_F(ServeTest, AgentsLiveThroughCreateGetListUpdateUseAndDeleteWithTheirAuditRows) {
  start();
  const auto created = post("/api/v1/agents",
                            {{"name", "Planner"},
                             {"agent_type", "sequential"},
                             {"tools", json::array({{{"name", "search"}}})},
                             {"config", {{"model", "gpt-4o"}}}},
                            writer_key, 201);
  const auto id = created["id"].get<std::string>();
  EXPECT_EQ(created["version"], 1);
  EXPECT_EQ(created["tools"][0]["name"], "search");
  EXPECT_FALSE(created.contains("deleted_at"));
  EXPECT_EQ(get("/api/v1/agents/" + id, reader_key, 200)["name"], "Planner");

  const auto patched =
      http->Patch("/api/v1/agents/" + id, bearer(writer_key),
                  R"({"description":"plans trips","is_active":false})", "application/json");
  ASSERT_TRUE(patched);
  ASSERT_EQ(patched->status, 200) << patched->body;
  const auto after = json::parse(patched->body);
  EXPECT_EQ(after["version"], 2);
  EXPECT_EQ(after["description"], "plans trips");
  EXPECT_EQ(after["name"], "Planner") << "a field not given keeps its value";

  for (int i = 0; i < 3; ++i)
    (void)post("/api/v1/agents", {{"name", "Regular " + std::to_string(i)}}, writer_key, 201);
  const auto inactive = get("/api/v1/agents?active=false", reader_key, 200);
  ASSERT_EQ(inactive["items"].size(), 1U);
  EXPECT_EQ(inactive["items"][0]["id"], id);
  // Keyset pagination: pages of 2 walk all 4 agents once each, in id order.
  std::vector<std::string> seen;
  std::string next;
  do {
    const auto page =
        get("/api/v1/agents?limit=2" + (next.empty() ? "" : "&after=" + next), reader_key, 200);
    for (const auto& agent : page["items"])
      seen.push_back(agent["id"]);
    next = page["next"].is_null() ? "" : page["next"].get<std::string>();
  } while (!next.empty());
  EXPECT_EQ(seen.size(), 4U);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

  (void)post("/api/v1/agents/" + id + "/use", json::object(), writer_key, 200);
  EXPECT_EQ(get("/api/v1/agents/" + id, reader_key, 200)["usage_count"], 1);
  const auto deleted = http->Delete("/api/v1/agents/" + id, bearer(writer_key));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204);
  (void)get("/api/v1/agents/" + id, reader_key, 404);
  EXPECT_EQ(http->Delete("/api/v1/agents/" + id, bearer(writer_key))->status, 404);
  EXPECT_EQ(db.scalar("SELECT deleted_at IS NOT NULL FROM agents WHERE id = '" + id + "'"), "t")
      << "a delete is a soft delete";

  EXPECT_EQ(db.scalar("SELECT string_agg(action, ',' ORDER BY created_at, id) FROM audit_logs"
                      " WHERE resource_type = 'agents' AND resource_id = '" +
                      id + "'"),
            "create,update,delete");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM audit_logs a JOIN users u ON u.id = a.user_id"
                      " WHERE u.email = 'writer@example.com' AND a.details ? 'request_id'"),
            "6");
}

TEST_F(ServeTest, AFailedChangeWritesNoAuditRow) {
  start();
  (void)post("/api/v1/agents", {{"name", "Twin"}}, writer_key, 201);
  const auto conflict = post("/api/v1/agents", {{"name", "twin"}}, writer_key, 409);
  EXPECT_EQ(conflict["error"]["details"]["constraint"], "agents_name_lower_key");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM audit_logs WHERE resource_type = 'agents'"), "1");
}

TEST_F(ServeTest, BadInputGetsAClear4xxAndTheServerKeepsServing) {
  start();
  const auto send = [&](const std::string& body, const std::string& type = "application/json") {
    return http->Post("/api/v1/agents", bearer(writer_key), body, type.c_str());
  };
  const auto code = [](const httplib::Result& response) {
    return json::parse(response->body)["error"]["code"].get<std::string>();
  };
  auto response = send("{\"name\": \"x\"");
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(code(response), "malformed_json");
  response = send(R"({"name": 42})");
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(json::parse(response->body)["error"]["details"]["field"], "name");
  response = send(R"({"name": "x", "colour": "red"})");
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(code(response), "unknown_field");
  response = send(R"({"name": "x", "sub_agents": ["not-a-uuid"]})");
  EXPECT_EQ(response->status, 400);
  response = send(R"({"description": "no name"})");
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(code(response), "missing_field");
  response = send(std::string(10000, '[') + std::string(10000, ']'));
  EXPECT_EQ(response->status, 400);
  response = send(R"({"name": "x"})", "text/plain");
  EXPECT_EQ(response->status, 415);
  response = send("{\"name\": \"" + std::string(2 << 20, 'a') + "\"}");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  response = send(R"({"name": ""})");
  EXPECT_EQ(response->status, 422);
  EXPECT_EQ(json::parse(response->body)["error"]["details"]["constraint"], "agents_name_check");
  EXPECT_EQ(http->Get("/api/v1/agents/12345", bearer(reader_key))->status, 400);
  EXPECT_EQ(http->Get("/api/v1/agents?limit=0", bearer(reader_key))->status, 400);
  EXPECT_EQ(http->Get("/api/v1/agents?limit=%zz", bearer(reader_key))->status, 400);
  EXPECT_EQ(http->Get("/api/v1/nothing", bearer(reader_key))->status, 404);
  const auto wrong_method =
      http->Put("/api/v1/agents", bearer(writer_key), "{}", "application/json");
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "POST, GET");
  // No error shows SQL text.
  EXPECT_EQ(response->body.find("INSERT"), std::string::npos);
  // Not HTTP at all: 400, and the connection is closed.
  EXPECT_NE(raw_exchange(server->port(), "HELLO\r\n\r\n", 1).find("HTTP/1.1 400"),
            std::string::npos);
  // Headers past the limit: 431.
  EXPECT_NE(raw_exchange(server->port(),
                         "GET /health HTTP/1.1\r\nHost: x\r\nX-Flood: " +
                             std::string(64 << 10, 'a') + "\r\n\r\n",
                         1)
                .find("HTTP/1.1 431"),
            std::string::npos);
  EXPECT_EQ(http->Get("/health")->status, 200);
}

TEST_F(ServeTest, PipelinedRequestsAreAnsweredInTheOrderSent) {
  start();
  const std::string request_a = "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n";
  const std::string request_b = "GET /nothing HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\n\r\n";
  const std::string request_c =
      "GET /health/ready HTTP/1.1\r\nHost: x\r\nX-Request-Id: third\r\nConnection: close\r\n\r\n";
  const auto answer = raw_exchange(server->port(), request_a + request_b + request_c, 3);
  const auto first = answer.find("X-Request-Id: first");
  const auto second = answer.find("X-Request-Id: second");
  const auto third = answer.find("X-Request-Id: third");
  ASSERT_NE(first, std::string::npos) << answer;
  ASSERT_NE(second, std::string::npos) << answer;
  ASSERT_NE(third, std::string::npos) << answer;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_NE(answer.find("HTTP/1.1 404"), std::string::npos);
}

TEST_F(ServeTest, ParallelUsesOfOneAgentAreAllCounted) {
  start();
  const auto id =
      post("/api/v1/agents", {{"name", "Popular"}}, writer_key, 201)["id"].get<std::string>();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t)
    threads.emplace_back([&] {
      auto client = server->client();
      for (int i = 0; i < 5; ++i) {
        const auto response = client->Post("/api/v1/agents/" + id + "/use", bearer(writer_key),
                                           "{}", "application/json");
        if (response && response->status == 200)
          ++ok;
      }
    });
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(ok, 50);
  EXPECT_EQ(get("/api/v1/agents/" + id, reader_key, 200)["usage_count"], 50);
}

TEST_F(ServeTest, AdminIssuesKeysThroughTheApiAndTheRawKeyIsShownOnce) {
  start();
  const auto issued =
      post("/api/v1/api-keys",
           {{"email", "new@example.com"}, {"scopes", {"read"}}, {"tier", "free"}}, admin_key, 201);
  const auto raw = issued["key"].get<std::string>();
  EXPECT_TRUE(raw.starts_with(issued["prefix"].get<std::string>()));
  EXPECT_TRUE(issued["user_created"].get<bool>());
  EXPECT_EQ(http->Get("/api/v1/agents", bearer(raw))->status, 200);
  (void)post("/api/v1/api-keys", {{"email", "new@example.com"}, {"scopes", {"root"}}}, admin_key,
             400);
  const auto revoked =
      http->Delete("/api/v1/api-keys/" + issued["prefix"].get<std::string>(), bearer(admin_key));
  ASSERT_EQ(revoked->status, 200) << revoked->body;
  EXPECT_EQ(http->Get("/api/v1/agents", bearer(raw))->status, 401);
  EXPECT_EQ(http->Delete("/api/v1/api-keys/adb_nothing0", bearer(admin_key))->status, 404);
  const auto audit = get("/api/v1/audit?resource_type=api_keys", admin_key, 200);
  ASSERT_EQ(audit["items"].size(), 2U);
  EXPECT_EQ(audit["items"][0]["action"], "revoke");
  EXPECT_EQ(audit["items"][1]["action"], "grant");
}

TEST_F(ServeTest, AFreeTierKeyIsRateLimitedWithRetryAfter) {
  start();
  const auto free_key = new_key("free@example.com", "read", "free");
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 30; ++i) {
    const auto response = http->Get("/api/v1/agents", bearer(free_key));
    if (response->status == 429) {
      ++limited;
      retry_after = response->get_header_value("Retry-After");
    }
  }
  EXPECT_GT(limited, 0);
  EXPECT_EQ(retry_after, "1");
  EXPECT_EQ(http->Get("/api/v1/agents", bearer(reader_key))->status, 200)
      << "another key has a bucket of its own";
}

TEST_F(ServeTest, PendingMigrationsKeepServeFromStarting) {
  ScratchDatabase empty;
  const auto refused =
      run_agentdb({"--database-url", empty.url(), "serve", "--listen", "127.0.0.1:0",
                   "--migrations-dir", AGENTDB_SOURCE_DIR "/migrations"});
  EXPECT_EQ(refused.exit_code, 4);
  EXPECT_NE(refused.err.find("migration(s) pending"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--allow-pending"), std::string::npos) << refused.err;
}

// Eight clients write as fast as they can while SIGTERM arrives: serve exits 0, and every write
// it acknowledged (201) is in the database.
TEST_F(ServeTest, SigtermUnderWriteLoadDrainsExitsZeroAndLosesNoAcknowledgedWrite) {
  start({"--drain-timeout", "5s"});
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stopping{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c)
    clients.emplace_back([&, c] {
      auto client = server->client();
      for (int i = 0; !stopping || i < 5; ++i) {
        const auto made = client->Post(
            "/api/v1/agents", bearer(writer_key),
            json({{"name", "drain " + std::to_string(c) + "-" + std::to_string(i)}}).dump(),
            "application/json");
        if (!made)
          return;  // the server closed: it no longer accepts
        if (made->status == 201)
          ++acknowledged;
      }
    });
  while (acknowledged < 40)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stopping = true;
  EXPECT_EQ(server->stop(SIGTERM), 0) << server->stderr_text();
  for (auto& client : clients)
    client.join();
  EXPECT_NE(server->stderr_text().find("SIGTERM: finishing the requests in flight"),
            std::string::npos);
  EXPECT_GE(std::stoi(db.scalar("SELECT count(*) FROM agents WHERE name LIKE 'drain %'")),
            acknowledged.load())
      << "an acknowledged write is never lost";
}

// SIGHUP reads agentdb.toml again: new rate limits (the bucket kept) and a new access-log level,
// at once and without a restart; a file that no longer reads keeps what runs.
TEST_F(ServeTest, SighupReloadsRateLimitsAndTheLogLevelFromTheConfigFile) {
  TempDir dir;
  const auto file = (dir.path() / "agentdb.toml").string();
  dir.write("agentdb.toml", "[serve]\nrate_limits = \"free=0.001/2\"\nlog_level = \"warn\"\n");
  start({"--config", file});
  const auto free_key = new_key("hup@example.com", "read", "free");
  EXPECT_EQ(http->Get("/api/v1/agents", bearer(free_key))->status, 200);
  EXPECT_EQ(http->Get("/api/v1/agents", bearer(free_key))->status, 200);
  EXPECT_EQ(http->Get("/api/v1/agents", bearer(free_key))->status, 429);
  EXPECT_EQ(server->stdout_text().find("\"status\":200"), std::string::npos)
      << "warn logs no 200: " << server->stdout_text();
  EXPECT_NE(server->stdout_text().find("\"status\":429"), std::string::npos);

  dir.write("agentdb.toml", "[serve]\nrate_limits = \"free=1000/1000\"\nlog_level = \"info\"\n");
  server->signal(SIGHUP);
  ASSERT_TRUE(server->wait_for_stderr("SIGHUP: reloaded")) << server->stderr_text();
  EXPECT_EQ(http->Get("/api/v1/agents", bearer(free_key))->status, 200) << "limits reloaded";
  EXPECT_NE(server->stdout_text().find("\"status\":200"), std::string::npos) << "level reloaded";

  dir.write("agentdb.toml", "[serve]\nrate_limits = \"free=lots\"\n");
  server->signal(SIGHUP);
  ASSERT_TRUE(server->wait_for_stderr("SIGHUP: kept the running settings: invalid rate limit"))
      << server->stderr_text();
  EXPECT_EQ(http->Get("/api/v1/agents", bearer(free_key))->status, 200);
  EXPECT_TRUE(server->running());
}

TEST_F(ServeTest, KeysFromTheCommandLineListAndRefuseBadInput) {
  const auto listed = run_agentdb({"--database-url", db.url(), "--json", "keys", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto keys = json::parse(listed.out)["keys"];
  EXPECT_EQ(keys.size(), 3U);
  EXPECT_EQ(listed.out.find(admin_key), std::string::npos);
  const auto bad_scope = run_agentdb({"--database-url", db.url(), "keys", "create", "--user",
                                      "x@example.com", "--scope", "read,root"});
  EXPECT_EQ(bad_scope.exit_code, 2);
  EXPECT_NE(bad_scope.err.find("unknown scope 'root'"), std::string::npos) << bad_scope.err;
  const auto unknown = run_agentdb({"--database-url", db.url(), "keys", "revoke", "adb_nothing0"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no API key has the prefix"), std::string::npos) << unknown.err;
}

// last_used_at is written in batches, off the request path; what is pending is written at the
// latest when serve stops.
TEST_F(ServeTest, AKeysUseIsRecordedAsItsLastUsedTimeByWhenServeStops) {
  start();
  (void)get("/api/v1/agents", reader_key, 200);
  (void)get("/api/v1/agents", reader_key, 200);
  ASSERT_EQ(server->stop(), 0) << server->stderr_text();
  const auto listed = run_agentdb({"--database-url", db.url(), "--json", "keys", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto document = json::parse(listed.out);
  for (const auto& key : document.at("keys")) {
    const bool used = reader_key.starts_with(key["prefix"].get<std::string>());
    EXPECT_EQ(key["last_used_at"].is_string(), used) << key.dump();
  }
}

}  // namespace agentdb::testing
