// The API document is true: for every route /openapi.json lists and every status it documents
// for that route, a request that must get that status gets it (a documented status without such
// a request fails the test). Then the database stops under the running service: every keyed route
// answers 503 with Retry-After at once, and when the database is back the same process serves
// again. On a cluster of the test's own, so that stopping it disturbs no other test.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <regex>

#include "local/cluster.hpp"
#include "serve_fixture.hpp"
#include "util/random.hpp"

namespace agentdb::testing {

namespace {

using Clock = std::chrono::steady_clock;

struct Call {
  std::string method;
  std::string path;
  std::string body = {};  // sent when not empty
  std::string key = {};   // none when empty
  std::string content_type = "application/json";
  httplib::Headers headers = {};
};

std::string random_uuid() {
  const auto hex = util::random_hex(16);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-4" + hex.substr(13, 3) + "-8" +
         hex.substr(17, 3) + "-" + hex.substr(20, 12);
}

// The pattern with each {name} replaced: by `values` when it names it, else a fresh UUID.
std::string fill(const std::string& pattern, const std::map<std::string, std::string>& values) {
  std::string path;
  std::size_t at = 0;
  while (true) {
    const auto open = pattern.find('{', at);
    if (open == std::string::npos)
      return path + pattern.substr(at);
    const auto close = pattern.find('}', open);
    const auto name = pattern.substr(open + 1, close - open - 1);
    const auto given = values.find(name);
    path += pattern.substr(at, open - at) + (given != values.end() ? given->second : random_uuid());
    at = close + 1;
  }
}

class ContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    cluster_.start(quiet_);
    url_ = db::conninfo_with_password(cluster_.target());
    const auto up = run_agentdb(
        {"--database-url", url_, "migrate", "--dir", AGENTDB_SOURCE_DIR "/migrations", "up"});
    ASSERT_EQ(up.exit_code, 0) << up.err;
    admin_ = key("admin@example.com", "read,write,admin", "unlimited");
    writer_ = key("writer@example.com", "read,write", "unlimited");
    reader_ = key("reader@example.com", "read", "unlimited");
    limited_ = key("limited@example.com", "read,write,admin", "free");
    // One request per hour for the free tier: after the first, every request is 429.
    server_ = std::make_unique<ServeProcess>(
        url_, std::vector<std::string>{"--rate-limits", "free=0.0003/1", "--log-level", "off"});
    ASSERT_TRUE(server_->listening()) << server_->stderr_text();
    http_ = server_->client();
  }
  void TearDown() override {
    server_.reset();
    cluster_.destroy(quiet_);
  }

  std::string key(const std::string& email, const std::string& scopes, const std::string& tier) {
    const auto made = run_agentdb({"--database-url", url_, "keys", "create", "--user", email,
                                   "--scope", scopes, "--tier", tier});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return std::string(util::trim(made.out));
  }

  httplib::Result send(const Call& call) const {
    httplib::Request request;
    request.method = call.method;
    request.path = call.path;
    request.headers = call.headers;
    if (!call.key.empty())
      request.headers.emplace("Authorization", "Bearer " + call.key);
    if (!call.body.empty()) {
      request.body = call.body;
      request.headers.emplace("Content-Type", call.content_type);
    }
    return http_->send(request);
  }

  // Creates through the API as the writer and returns the new resource's field.
  std::string make(const std::string& path, const json& body, const std::string& field = "id") {
    const auto response = send({"POST", path, body.dump(), writer_});
    EXPECT_TRUE(response && response->status == 201)
        << path << ": " << (response ? response->body : "no response");
    return response ? json::parse(response->body).value(field, std::string()) : std::string();
  }

  TempDir dir_;
  const Output quiet_{OutputSettings{OutputFormat::text, true, 0, false}};
  local::LocalCluster cluster_{dir_.path() / "home"};
  std::string url_;
  std::string admin_, writer_, reader_, limited_;
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace

TEST_F(ContractTest, EveryDocumentedStatusOfEveryRouteIsWhatTheServiceAnswers) {
  const auto fetched = http_->Get("/openapi.json");
  ASSERT_TRUE(fetched);
  ASSERT_EQ(fetched->status, 200);
  const auto document = json::parse(fetched->body);
  EXPECT_EQ(document["openapi"], "3.1.0");

  // The resources the requests work on, all the writer's.
  const auto agent = make("/api/v1/agents", {{"name", "contract agent"}});
  const auto conversation = make("/api/v1/conversations", {{"title", "contract"}});
  const auto session = make("/api/v1/sessions", json::object());
  const auto plan = make("/api/v1/plans", {{"title", "contract plan"}});
  const auto execution = make("/api/v1/executions", {{"agent_type", "planner"}});
  const auto other_user = json::parse(send({"POST", "/api/v1/users",
                                            json({{"email", "other@example.com"}}).dump(), admin_})
                                          ->body)
                              .value("id", "");
  ASSERT_FALSE(other_user.empty());
  const auto message_in = [&](bool streaming) {
    const auto made = send({"POST", "/api/v1/conversations/" + conversation + "/messages",
                            json({{"role", "assistant"},
                                  {"content", "hello"},
                                  {"is_streaming", streaming},
                                  {"is_complete", !streaming}})
                                .dump(),
                            writer_});
    return json::parse(made->body)["items"][0].value("id", "");
  };
  const auto finished = [&](const std::string& path, const json& body) {
    EXPECT_EQ(send({"POST", path, body.dump(), writer_})->status, 200) << path;
    return path;
  };
  const auto fresh_key_prefix = [&] {
    const auto made =
        send({"POST", "/api/v1/api-keys",
              json({{"email", "keys@example.com"}, {"scopes", {"read"}}}).dump(), admin_});
    return json::parse(made->body).value("prefix", "");
  };

  // A request that succeeds, for every route.
  using Recipe = std::function<Call()>;
  const std::string v1 = "/api/v1";
  const std::map<std::string, Recipe> ok = {
      {"GET /health",
       [&] {
         return Call{"GET", "/health"};
       }},
      {"GET /health/ready",
       [&] {
         return Call{"GET", "/health/ready"};
       }},
      {"GET /health/detailed",
       [&] {
         return Call{"GET", "/health/detailed", "", admin_};
       }},
      {"GET /metrics",
       [&] {
         return Call{"GET", "/metrics"};
       }},
      {"GET /openapi.json",
       [&] {
         return Call{"GET", "/openapi.json"};
       }},
      {"POST /api/v1/agents",
       [&] {
         return Call{"POST", v1 + "/agents", json({{"name", util::random_hex(6)}}).dump(), writer_};
       }},
      {"GET /api/v1/agents",
       [&] {
         return Call{"GET", v1 + "/agents", "", writer_};
       }},
      {"GET /api/v1/agents/{id}",
       [&] {
         return Call{"GET", v1 + "/agents/" + agent, "", writer_};
       }},
      {"PATCH /api/v1/agents/{id}",
       [&] {
         return Call{"PATCH", v1 + "/agents/" + agent, R"({"description":"changed"})", writer_};
       }},
      {"DELETE /api/v1/agents/{id}",
       [&] {
         return Call{"DELETE",
                     v1 + "/agents/" + make(v1 + "/agents", {{"name", util::random_hex(6)}}), "",
                     writer_};
       }},
      {"POST /api/v1/agents/{id}/use",
       [&] {
         return Call{"POST", v1 + "/agents/" + agent + "/use", "", writer_};
       }},
      {"POST /api/v1/conversations",
       [&] {
         return Call{"POST", v1 + "/conversations", R"({"title":"t"})", writer_};
       }},
      {"GET /api/v1/conversations",
       [&] {
         return Call{"GET", v1 + "/conversations", "", writer_};
       }},
      {"GET /api/v1/conversations/{id}",
       [&] {
         return Call{"GET", v1 + "/conversations/" + conversation, "", writer_};
       }},
      {"POST /api/v1/conversations/{id}/archive",
       [&] {
         return Call{
             "POST",
             v1 + "/conversations/" + make(v1 + "/conversations", json::object()) + "/archive", "",
             writer_};
       }},
      {"DELETE /api/v1/conversations/{id}",
       [&] {
         return Call{"DELETE", v1 + "/conversations/" + make(v1 + "/conversations", json::object()),
                     "", writer_};
       }},
      {"POST /api/v1/conversations/{id}/messages",
       [&] {
         return Call{"POST", v1 + "/conversations/" + conversation + "/messages",
                     R"({"role":"user","content":"hello there"})", writer_};
       }},
      {"GET /api/v1/conversations/{id}/messages",
       [&] {
         return Call{"GET", v1 + "/conversations/" + conversation + "/messages", "", writer_};
       }},
      {"PATCH /api/v1/conversations/{id}/messages/{message_id}",
       [&] {
         return Call{"PATCH",
                     fill(v1 + "/conversations/{id}/messages/{message_id}",
                          {{"id", conversation}, {"message_id", message_in(true)}}),
                     R"({"append":" world","is_complete":true})", writer_};
       }},
      {"GET /api/v1/messages/search",
       [&] {
         return Call{"GET", v1 + "/messages/search?q=hello", "", writer_};
       }},
      {"POST /api/v1/sessions",
       [&] {
         return Call{"POST", v1 + "/sessions", "{}", writer_};
       }},
      {"GET /api/v1/sessions",
       [&] {
         return Call{"GET", v1 + "/sessions", "", writer_};
       }},
      {"GET /api/v1/sessions/{id}",
       [&] {
         return Call{"GET", v1 + "/sessions/" + session, "", writer_};
       }},
      {"PATCH /api/v1/sessions/{id}",
       [&] {
         return Call{"PATCH", v1 + "/sessions/" + session, R"({"context":{"step":2}})", writer_};
       }},
      {"POST /api/v1/sessions/{id}/complete",
       [&] {
         return Call{"POST",
                     v1 + "/sessions/" + make(v1 + "/sessions", json::object()) + "/complete", "",
                     writer_};
       }},
      {"POST /api/v1/sessions/{id}/fail",
       [&] {
         return Call{"POST", v1 + "/sessions/" + make(v1 + "/sessions", json::object()) + "/fail",
                     R"({"reason":"contract"})", writer_};
       }},
      {"POST /api/v1/plans",
       [&] {
         return Call{"POST", v1 + "/plans", R"({"title":"another plan"})", writer_};
       }},
      {"GET /api/v1/plans",
       [&] {
         return Call{"GET", v1 + "/plans", "", writer_};
       }},
      {"GET /api/v1/plans/{id}",
       [&] {
         return Call{"GET", v1 + "/plans/" + plan, "", writer_};
       }},
      {"PATCH /api/v1/plans/{id}",
       [&] {
         return Call{"PATCH", v1 + "/plans/" + plan, R"({"title":"renamed"})", writer_};
       }},
      {"DELETE /api/v1/plans/{id}",
       [&] {
         return Call{"DELETE", v1 + "/plans/" + make(v1 + "/plans", {{"title", "gone"}}), "",
                     writer_};
       }},
      {"POST /api/v1/executions",
       [&] {
         return Call{"POST", v1 + "/executions", R"({"agent_type":"planner"})", writer_};
       }},
      {"GET /api/v1/executions",
       [&] {
         return Call{"GET", v1 + "/executions", "", writer_};
       }},
      {"GET /api/v1/executions/{id}",
       [&] {
         return Call{"GET", v1 + "/executions/" + execution, "", writer_};
       }},
      {"POST /api/v1/executions/{id}/complete",
       [&] {
         return Call{"POST",
                     v1 + "/executions/" + make(v1 + "/executions", {{"agent_type", "planner"}}) +
                         "/complete",
                     R"({"prompt_tokens":10,"completion_tokens":5})", writer_};
       }},
      {"POST /api/v1/executions/{id}/fail",
       [&] {
         return Call{
             "POST",
             v1 + "/executions/" + make(v1 + "/executions", {{"agent_type", "planner"}}) + "/fail",
             R"({"error":"contract"})", writer_};
       }},
      {"GET /api/v1/costs/report",
       [&] {
         return Call{"GET", v1 + "/costs/report", "", writer_};
       }},
      {"GET /api/v1/costs/budget",
       [&] {
         return Call{"GET", v1 + "/costs/budget?limit_usd=100", "", writer_};
       }},
      {"POST /api/v1/users",
       [&] {
         return Call{"POST", v1 + "/users",
                     json({{"email", util::random_hex(4) + "@example.com"}}).dump(), admin_};
       }},
      {"POST /api/v1/api-keys",
       [&] {
         return Call{"POST", v1 + "/api-keys", R"({"email":"keys@example.com","scopes":["read"]})",
                     admin_};
       }},
      {"GET /api/v1/api-keys",
       [&] {
         return Call{"GET", v1 + "/api-keys", "", admin_};
       }},
      {"DELETE /api/v1/api-keys/{prefix}",
       [&] {
         return Call{"DELETE", v1 + "/api-keys/" + fresh_key_prefix(), "", admin_};
       }},
      {"GET /api/v1/audit",
       [&] {
         return Call{"GET", v1 + "/audit", "", admin_};
       }},
  };

  // Requests for the statuses a route has for reasons of its own.
  const std::map<std::string, Recipe> special = {
      {"GET /health/ready 503", nullptr},  // below, with the database stopped
      {"GET /api/v1/messages/search 400",
       [&] {
         return Call{"GET", v1 + "/messages/search", "", writer_};
       }},
      {"GET /api/v1/costs/report 400",
       [&] {
         return Call{"GET", v1 + "/costs/report?group_by=planet", "", writer_};
       }},
      {"GET /api/v1/costs/budget 400",
       [&] {
         return Call{"GET", v1 + "/costs/budget", "", writer_};
       }},
      {"GET /api/v1/costs/report 403",
       [&] {
         return Call{"GET", v1 + "/costs/report?user=" + other_user, "", writer_};
       }},
      {"GET /api/v1/costs/budget 403",
       [&] {
         return Call{"GET", v1 + "/costs/budget?limit_usd=1&per_user=true", "", writer_};
       }},
      {"POST /api/v1/agents 422",
       [&] {
         return Call{"POST", v1 + "/agents", R"({"name":""})", writer_};
       }},
      {"POST /api/v1/conversations 422",
       [&] {
         return Call{"POST", v1 + "/conversations", json({{"agent_id", random_uuid()}}).dump(),
                     writer_};
       }},
      {"POST /api/v1/plans 422",
       [&] {
         return Call{"POST", v1 + "/plans",
                     R"({"title":"t","start_date":"2027-05-08","end_date":"2027-05-01"})", writer_};
       }},
      {"PATCH /api/v1/plans/{id} 422",
       [&] {
         return Call{"PATCH", v1 + "/plans/" + plan, R"({"start_date":"May 1st"})", writer_};
       }},
      {"POST /api/v1/executions 422",
       [&] {
         return Call{"POST", v1 + "/executions",
                     json({{"agent_type", "planner"}, {"plan_id", random_uuid()}}).dump(), writer_};
       }},
      {"PATCH /api/v1/plans/{id} 412",
       [&] {
         return Call{"PATCH", v1 + "/plans/" + plan, R"({"title":"stale"})",
                     writer_, "application/json",    {{"If-Match", "\"999\""}}};
       }},
      {"DELETE /api/v1/plans/{id} 412",
       [&] {
         return Call{"DELETE", v1 + "/plans/" + plan, "",
                     writer_,  "application/json",    {{"If-Match", "\"999\""}}};
       }},
      {"PATCH /api/v1/conversations/{id}/messages/{message_id} 409",
       [&] {
         return Call{"PATCH",
                     fill(v1 + "/conversations/{id}/messages/{message_id}",
                          {{"id", conversation}, {"message_id", message_in(false)}}),
                     R"({"append":"late"})", writer_};
       }},
      {"PATCH /api/v1/sessions/{id} 409",
       [&] {
         const auto done = make(v1 + "/sessions", json::object());
         finished(v1 + "/sessions/" + done + "/complete", json::object());
         return Call{"PATCH", v1 + "/sessions/" + done, R"({"title":"late"})", writer_};
       }},
      {"POST /api/v1/sessions/{id}/complete 409",
       [&] {
         const auto done = make(v1 + "/sessions", json::object());
         return Call{"POST", finished(v1 + "/sessions/" + done + "/complete", json::object()), "",
                     writer_};
       }},
      {"POST /api/v1/sessions/{id}/fail 409",
       [&] {
         const auto done = make(v1 + "/sessions", json::object());
         return Call{"POST", finished(v1 + "/sessions/" + done + "/fail", {{"reason", "x"}}),
                     R"({"reason":"again"})", writer_};
       }},
      {"POST /api/v1/executions/{id}/complete 409",
       [&] {
         const auto run = make(v1 + "/executions", {{"agent_type", "planner"}});
         return Call{"POST", finished(v1 + "/executions/" + run + "/complete", json::object()),
                     "{}", writer_};
       }},
      {"POST /api/v1/executions/{id}/fail 409",
       [&] {
         const auto run = make(v1 + "/executions", {{"agent_type", "planner"}});
         finished(v1 + "/executions/" + run + "/complete", json::object());
         return Call{"POST", v1 + "/executions/" + run + "/fail", R"({"error":"late"})", writer_};
       }},
      {"POST /api/v1/users 409",
       [&] {
         return Call{"POST", v1 + "/users", R"({"email":"writer@example.com"})", admin_};
       }},
      {"DELETE /api/v1/api-keys/{prefix} 404",
       [&] {
         return Call{"DELETE", v1 + "/api-keys/adb_nosuchkey", "", admin_};
       }},
      {"DELETE /api/v1/api-keys/{prefix} 409",
       [&] {
         // Two live keys with one prefix (8 random characters: rare, but not impossible).
         const auto prefix = fresh_key_prefix();
         (void)db::Session::open(cluster_.target())
             ->exec_params(
                 "INSERT INTO api_keys (user_id, name, key_hash, key_prefix, scopes)"
                 " SELECT user_id, name, encode(sha256(gen_random_uuid()::text::bytea),"
                 " 'hex'), key_prefix, scopes FROM api_keys WHERE key_prefix = $1",
                 prefix);
         return Call{"DELETE", v1 + "/api-keys/" + prefix, "", admin_};
       }},
  };

  // The statuses every route of a kind has, made from its successful request.
  const auto generic = [&](const std::string& method, const std::string& pattern, int status,
                           const json& operation) -> std::optional<Call> {
    const auto found = ok.find(method + " " + pattern);
    if (found == ok.end())
      return std::nullopt;
    auto call = found->second();
    const bool has_body = operation.contains("requestBody");
    switch (status) {
      case 401:
        call.key.clear();
        return call;
      case 403:
        call.key = call.key == admin_ ? writer_ : reader_;
        return call;
      case 429:
        call.key = limited_;
        return call;
      case 404:
        call.path = fill(pattern, {{"prefix", "adb_nosuchkey"}});
        return call;
      case 400:
        if (pattern.find("{id}") != std::string::npos)
          call.path = fill(pattern, {{"id", "not-a-uuid"}});
        else if (has_body)
          call.body = "{\"unclosed\": ";
        else if (operation.dump().find(R"("name":"limit")") != std::string::npos)
          call.path += "?limit=0";
        else
          call.path += "?x=%zz";  // every route refuses a broken %-escape
        return call;
      case 413:
        call.body = "{\"name\": \"" + std::string(2 << 20, 'a') + "\"}";
        return call;
      case 415:
        call.body = "{}";
        call.content_type = "text/plain";
        return call;
      default:
        if (status >= 200 && status < 300)
          return call;
        return std::nullopt;
    }
  };

  (void)send({"GET", "/api/v1/agents", "", limited_});  // the limited key's one request
  int checked = 0;
  for (const auto& [pattern, operations] : document["paths"].items()) {
    for (const auto& [method_lower, operation] : operations.items()) {
      const auto method = util::to_upper(method_lower);
      ASSERT_TRUE(ok.contains(method + " " + pattern))
          << "no request for " << method << " " << pattern;
      for (const auto& [code, response] : operation["responses"].items()) {
        const int status = std::stoi(code);
        if (status == 503)
          continue;  // below, with the database stopped
        const auto name = method + " " + pattern + " " + code;
        std::optional<Call> call;
        if (const auto own = special.find(name); own != special.end() && own->second)
          call = own->second();
        else
          call = generic(method, pattern, status, operation);
        ASSERT_TRUE(call) << "no request gets the documented " << name;
        const auto answer = send(*call);
        ASSERT_TRUE(answer) << name << ": no response";
        EXPECT_EQ(answer->status, status) << name << ": " << answer->body.substr(0, 300);
        if (status >= 400 && answer->status == status) {
          const auto error = json::parse(answer->body, nullptr, false);
          EXPECT_TRUE(error.contains("error") && error["error"]["code"].is_string()) << name;
        }
        if (status == 429) {
          EXPECT_FALSE(answer->get_header_value("Retry-After").empty()) << name;
        }
        if (status == 401) {
          EXPECT_EQ(answer->get_header_value("WWW-Authenticate"), "Bearer realm=\"agentdb\"");
        }
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 250) << "every route has its statuses documented";

  // The database goes away: every keyed route is 503 with Retry-After, at once; liveness stays.
  cluster_.stop(quiet_);
  for (const auto& [pattern, operations] : document["paths"].items()) {
    for (const auto& [method_lower, operation] : operations.items()) {
      if (!operation["responses"].contains("503"))
        continue;
      const auto method = util::to_upper(method_lower);
      const bool admin =
          operation["summary"].get<std::string>().find("(admin") != std::string::npos;
      const Call call{method, fill(pattern, {{"prefix", "adb_x"}}),
                      operation.contains("requestBody") ? "{}" : "",
                      pattern.starts_with("/health/ready") ? ""
                      : admin                              ? admin_
                                                           : writer_};
      const auto started = Clock::now();
      const auto answer = send(call);
      ASSERT_TRUE(answer) << method << " " << pattern;
      EXPECT_EQ(answer->status, 503) << method << " " << pattern << ": " << answer->body;
      EXPECT_EQ(answer->get_header_value("Retry-After"), "1") << method << " " << pattern;
      EXPECT_LT(Clock::now() - started, std::chrono::seconds(3)) << "fails fast: " << pattern;
    }
  }
  EXPECT_EQ(http_->Get("/health")->status, 200) << "liveness needs no database";

  // Back: the same process serves again, its pool reconnected.
  cluster_.start(quiet_);
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    status = send({"GET", "/api/v1/agents", "", writer_})->status;
    if (status != 200)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(send({"POST", "/api/v1/agents", R"({"name":"after the restart"})", writer_})->status,
            201);
  EXPECT_TRUE(server_->running()) << "recovered without a restart";
}

}  // namespace agentdb::testing
