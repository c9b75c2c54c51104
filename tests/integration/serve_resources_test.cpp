// agentdb serve's sessions, travel plans, executions and costs over real HTTP: context merges,
// final states (409), optimistic concurrency with ETag/If-Match (412), a completed run's cost row
// priced from model_prices in the same transaction (and never twice), costs equal to what
// `agentdb cost report --json` prints, and one user never reaching another's rows.
#include "serve_fixture.hpp"

namespace agentdb::testing {

namespace {

class ResourceTest : public ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    other_key = new_key("other@example.com", "read,write", "unlimited");
    start();
  }

  [[nodiscard]] httplib::Result send(const std::string& method, const std::string& path,
                                     const json& body, const std::string& key,
                                     httplib::Headers extra = {}) const {
    auto headers = bearer(key);
    headers.insert(extra.begin(), extra.end());
    if (method == "PATCH")
      return http->Patch(path, headers, body.dump(), "application/json");
    if (method == "DELETE")
      return http->Delete(path, headers);
    return http->Post(path, headers, body.dump(), "application/json");
  }

  [[nodiscard]] std::string user_id(const std::string& email) const {
    return db.scalar("SELECT id FROM users WHERE email = '" + email + "'");
  }

  std::string other_key;
};

}  // namespace

TEST_F(ResourceTest, ASessionMergesItsContextAndIsFinalOnceCompletedOrFailed) {
  const auto made = post("/api/v1/sessions", {{"title", "planning"}, {"context", {{"step", 1}}}},
                         writer_key, 201);
  const auto path = "/api/v1/sessions/" + made["id"].get<std::string>();
  EXPECT_EQ(made["status"], "active");
  auto changed = send("PATCH", path, {{"context", {{"city", "Porto"}}}}, writer_key);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200) << changed->body;
  changed = send("PATCH", path, {{"context", {{"step", 2}}}, {"status", "idle"}}, writer_key);
  ASSERT_TRUE(changed);
  const auto merged = json::parse(changed->body);
  EXPECT_EQ(merged["context"], json({{"step", 2}, {"city", "Porto"}})) << "merged, not replaced";
  EXPECT_EQ(merged["status"], "idle");
  (void)get(path, other_key, 404);
  (void)post(path + "/complete", json::object(), other_key, 404);
  (void)post(path + "/complete", json::object(), reader_key, 403);
  EXPECT_EQ(post(path + "/complete", json::object(), writer_key, 200)["status"], "completed");
  const auto again = post(path + "/fail", {{"reason", "late"}}, writer_key, 409);
  EXPECT_EQ(again["error"]["code"], "conflict");
  const auto late = send("PATCH", path, {{"context", {{"x", 1}}}}, writer_key);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 409);

  const auto second = post("/api/v1/sessions", json::object(), writer_key, 201);
  const auto failed = post("/api/v1/sessions/" + second["id"].get<std::string>() + "/fail",
                           {{"reason", "the model timed out"}}, writer_key, 200);
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(failed["error"], "the model timed out");
  (void)post("/api/v1/sessions", {{"context", "not an object"}}, writer_key, 400);
  (void)post("/api/v1/sessions/" + second["id"].get<std::string>() + "/fail", json::object(),
             writer_key, 400);
  EXPECT_EQ(get("/api/v1/sessions?status=failed", writer_key, 200)["items"].size(), 1U);
  EXPECT_EQ(get("/api/v1/sessions", other_key, 200)["items"].size(), 0U);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM audit_logs WHERE resource_type = 'sessions'"), "6");
}

TEST_F(ResourceTest, APlanChangesOnlyAtTheVersionIfMatchNames) {
  const auto created = http->Post("/api/v1/plans", bearer(writer_key),
                                  json({{"title", "Lisbon in May"},
                                        {"start_date", "2027-05-01"},
                                        {"end_date", "2027-05-08"},
                                        {"budget", 2500.5},
                                        {"plan_data", {{"days", json::array()}}}})
                                      .dump(),
                                  "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(created->get_header_value("ETag"), "\"1\"");
  const auto plan = json::parse(created->body);
  EXPECT_EQ(plan["currency"], "USD");
  EXPECT_FALSE(plan.contains("deleted_at"));
  const auto path = "/api/v1/plans/" + plan["id"].get<std::string>();

  auto changed = send("PATCH", path, {{"status", "ready"}}, writer_key, {{"If-Match", "\"1\""}});
  ASSERT_TRUE(changed);
  ASSERT_EQ(changed->status, 200) << changed->body;
  EXPECT_EQ(changed->get_header_value("ETag"), "\"2\"");
  EXPECT_EQ(json::parse(changed->body)["status"], "ready");

  const auto stale = send("PATCH", path, {{"title", "x"}}, writer_key, {{"If-Match", "\"1\""}});
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 412) << stale->body;
  EXPECT_EQ(json::parse(stale->body)["error"]["details"]["current_version"], 2);
  const auto stale_delete = send("DELETE", path, {}, writer_key, {{"If-Match", "W/\"1\""}});
  ASSERT_TRUE(stale_delete);
  EXPECT_EQ(stale_delete->status, 412);
  EXPECT_EQ(get(path, writer_key, 200)["title"], "Lisbon in May")
      << "a stale write changes nothing";

  const auto bad_dates = send("PATCH", path, {{"end_date", "2027-04-01"}}, writer_key);
  ASSERT_TRUE(bad_dates);
  EXPECT_EQ(bad_dates->status, 422) << "end before start: " << bad_dates->body;
  const auto not_a_date = send("PATCH", path, {{"start_date", "May 1st"}}, writer_key);
  ASSERT_TRUE(not_a_date);
  EXPECT_EQ(not_a_date->status, 422);
  const auto bad_etag = send("PATCH", path, {{"title", "y"}}, writer_key, {{"If-Match", "abc"}});
  ASSERT_TRUE(bad_etag);
  EXPECT_EQ(bad_etag->status, 400);

  (void)get(path, other_key, 404);
  const auto theirs = send("PATCH", path, {{"title", "mine now"}}, other_key);
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->status, 404);
  EXPECT_EQ(get("/api/v1/plans", other_key, 200)["items"].size(), 0U);
  EXPECT_EQ(get("/api/v1/plans?status=ready", writer_key, 200)["items"].size(), 1U);

  const auto deleted = send("DELETE", path, {}, writer_key, {{"If-Match", "\"2\""}});
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204) << deleted->body;
  (void)get(path, writer_key, 404);
  EXPECT_EQ(db.scalar("SELECT deleted_at IS NOT NULL FROM travel_plans"), "t") << "soft delete";
}

TEST_F(ResourceTest, ACompletedRunWritesItsPricedCostRowOnceAndTheCostsRouteMatchesTheCli) {
  (void)db.scalar(
      "INSERT INTO model_prices (provider, model, input_usd_per_million, output_usd_per_million,"
      " effective_from) VALUES ('openai', 'gpt-test', 2.5, 10, now() - interval '1 day')");
  const auto run = post("/api/v1/executions",
                        {{"agent_type", "planner"},
                         {"model_provider", "openai"},
                         {"model_name", "gpt-test"},
                         {"task_data", {{"goal", "Lisbon"}}}},
                        writer_key, 201);
  EXPECT_EQ(run["status"], "running");
  const auto path = "/api/v1/executions/" + run["id"].get<std::string>();
  (void)post(path + "/complete", {{"prompt_tokens", 1000}, {"completion_tokens", 500}}, other_key,
             404);
  const auto done = post(path + "/complete",
                         {{"prompt_tokens", 1000},
                          {"completion_tokens", 500},
                          {"execution_time_ms", 1234},
                          {"result_data", {{"days", 3}}}},
                         writer_key, 200);
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["total_tokens"], 1500);
  EXPECT_EQ(done["cost"]["priced"], true);
  // (1000 * 2.5 + 500 * 10) / 1e6 = 0.0075
  EXPECT_EQ(db.scalar("SELECT total_cost_usd FROM cost_tracking WHERE agent_execution_id = '" +
                      run["id"].get<std::string>() + "'"),
            "0.0075000000");
  (void)post(path + "/complete", {{"prompt_tokens", 1}}, writer_key, 409);
  (void)post(path + "/fail", {{"error", "again"}}, writer_key, 409);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM cost_tracking"), "1") << "billed once";

  const auto unpriced =
      post("/api/v1/executions",
           {{"agent_type", "planner"}, {"model_provider", "acme"}, {"model_name", "unknown-model"}},
           writer_key, 201);
  const auto failed =
      post("/api/v1/executions/" + unpriced["id"].get<std::string>() + "/fail",
           {{"error", "rate limited upstream"}, {"prompt_tokens", 10}}, writer_key, 200);
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(failed["cost"]["priced"], false) << "billed at 0 until cost recompute prices it";
  (void)post("/api/v1/executions", {{"model_name", "x"}}, writer_key, 400);
  (void)post("/api/v1/executions/" + unpriced["id"].get<std::string>() + "/complete",
             {{"prompt_tokens", "many"}}, writer_key, 400);
  const auto my_plan = post("/api/v1/plans", {{"title", "mine"}}, writer_key, 201);
  (void)post("/api/v1/executions", {{"agent_type", "planner"}, {"plan_id", my_plan["id"]}},
             other_key, 422);
  EXPECT_EQ(get("/api/v1/executions", writer_key, 200)["items"].size(), 2U);
  EXPECT_EQ(get("/api/v1/executions", other_key, 200)["items"].size(), 0U);

  // The route and the command line give one document for one question.
  const auto writer = user_id("writer@example.com");
  auto served = get("/api/v1/costs/report?since=2d&group_by=model", writer_key, 200);
  const auto cli = run_agentdb({"--database-url", db.url(), "--json", "cost", "report", "--since",
                                "2d", "--group-by", "model", "--user", writer});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(served, json::parse(cli.out));
  EXPECT_EQ(served["total"]["cost_usd"], "0.0075");
  EXPECT_EQ(get("/api/v1/costs/report?since=2d", other_key, 200)["total"]["cost_usd"], "0")
      << "another user's report has none of the writer's costs";
  (void)get("/api/v1/costs/report?since=2d&user=" + writer, other_key, 403);
  EXPECT_EQ(get("/api/v1/costs/report?since=2d&user=" + writer, admin_key, 200)["total"],
            served["total"]);
  (void)get("/api/v1/costs/report?since=tomorrow", writer_key, 400);
  const auto budget = get("/api/v1/costs/budget?limit_usd=0.008&period=day", writer_key, 200);
  const auto cli_budget =
      run_agentdb({"--database-url", db.url(), "--json", "cost", "budget", "--limit-usd", "0.008",
                   "--period", "day", "--user", writer});
  EXPECT_EQ(budget["spend"], json::parse(cli_budget.out)["spend"]) << cli_budget.err;
  (void)get("/api/v1/costs/budget?limit_usd=1&per_user=true", writer_key, 403);
  (void)get("/api/v1/costs/budget", writer_key, 400);
}

}  // namespace agentdb::testing
