// agentdb serve's conversations and messages over real HTTP: row-level security between two users
// through every route (search included), exact message counts under 50 parallel appends, batches
// that go in whole or not at all, streaming messages, and ordered keyset pages.
#include <atomic>
#include <thread>

#include "serve_fixture.hpp"

namespace agentdb::testing {

namespace {

class ConversationTest : public ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    other_key = new_key("other@example.com", "read,write", "unlimited");
    start();
  }

  [[nodiscard]] std::string new_conversation(const std::string& key, const json& extra = {}) const {
    json body = {{"title", "trip to Lisbon"}};
    if (!extra.is_null())
      body.update(extra);
    return post("/api/v1/conversations", body, key, 201)["id"].get<std::string>();
  }

  std::string other_key;
};

}  // namespace

TEST_F(ConversationTest, AConversationStartsWithItsFirstMessageAndReturnsItsLatestMessages) {
  const auto started =
      post("/api/v1/conversations",
           {{"title", "Lisbon"}, {"first_message", {{"role", "user"}, {"content", "hello there"}}}},
           writer_key, 201);
  const auto id = started["id"].get<std::string>();
  EXPECT_EQ(started["message_count"], 1);
  ASSERT_EQ(started["messages"].size(), 1U);
  EXPECT_EQ(started["messages"][0]["content"], "hello there");
  for (int i = 0; i < 30; ++i)
    (void)post("/api/v1/conversations/" + id + "/messages",
               {{"role", i % 2 == 0 ? "assistant" : "user"}, {"content", "m" + std::to_string(i)}},
               writer_key, 201);
  const auto got = get("/api/v1/conversations/" + id, writer_key, 200);
  EXPECT_EQ(got["message_count"], 31);
  ASSERT_EQ(got["messages"].size(), 20U);
  EXPECT_EQ(got["messages"][19]["content"], "m29") << "the latest, oldest first";
  EXPECT_EQ(got["messages"][0]["content"], "m10");
}

TEST_F(ConversationTest, AnotherUsersConversationIsNotFoundThroughAnyRoute) {
  const auto mine = new_conversation(writer_key);
  (void)post("/api/v1/conversations/" + mine + "/messages",
             {{"role", "user"}, {"content", "my secret itinerary zanzibar"}}, writer_key, 201);
  const auto theirs = "/api/v1/conversations/" + mine;
  (void)get(theirs, other_key, 404);
  (void)get(theirs + "/messages", other_key, 404);
  (void)post(theirs + "/messages", {{"role", "user"}, {"content", "intrusion"}}, other_key, 404);
  (void)post(theirs + "/archive", json::object(), other_key, 404);
  EXPECT_EQ(http->Delete(theirs, bearer(other_key))->status, 404);
  EXPECT_EQ(get("/api/v1/conversations", other_key, 200)["items"].size(), 0U);
  EXPECT_EQ(get("/api/v1/messages/search?q=zanzibar", other_key, 200)["items"].size(), 0U);
  EXPECT_EQ(get("/api/v1/messages/search?q=zanzibar", writer_key, 200)["items"].size(), 1U);
  const auto message =
      get(theirs + "/messages", writer_key, 200)["items"][0]["id"].get<std::string>();
  const auto patched = http->Patch(theirs + "/messages/" + message, bearer(other_key),
                                   R"({"append":"x"})", "application/json");
  EXPECT_EQ(patched->status, 404);
  // Nothing of the owner's changed, and the other user's attempt left no message.
  const auto after = get(theirs, writer_key, 200);
  EXPECT_EQ(after["status"], "active");
  EXPECT_EQ(after["message_count"], 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages WHERE content = 'intrusion'"), "0");
}

TEST_F(ConversationTest, FiftyParallelAppendsKeepTheMessageCountExact) {
  const auto id = new_conversation(writer_key);
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t)
    threads.emplace_back([&, t] {
      auto client = server->client();
      for (int i = 0; i < 5; ++i) {
        const json body = {{"role", "user"},
                           {"content", std::to_string(t) + "/" + std::to_string(i)}};
        const auto response = client->Post("/api/v1/conversations/" + id + "/messages",
                                           bearer(writer_key), body.dump(), "application/json");
        if (response && response->status == 201)
          ++acknowledged;
      }
    });
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(acknowledged, 50);
  EXPECT_EQ(get("/api/v1/conversations/" + id, writer_key, 200)["message_count"], 50);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages WHERE conversation_id = '" + id + "'"), "50");
}

TEST_F(ConversationTest, ABatchGoesInWholeOrNotAtAll) {
  const auto id = new_conversation(writer_key);
  const auto path = "/api/v1/conversations/" + id + "/messages";
  const auto batch = post(path,
                          {{"messages",
                            {{{"role", "user"}, {"content", "one"}},
                             {{"role", "assistant"},
                              {"message_type", "tool_call"},
                              {"tool_name", "search_flights"},
                              {"tool_args", {{"to", "LIS"}}}},
                             {{"role", "tool"}, {"content", "three"}}}}},
                          writer_key, 201);
  ASSERT_EQ(batch["items"].size(), 3U);
  EXPECT_EQ(batch["items"][1]["tool_args"]["to"], "LIS");
  // The second message breaks a rule of the schema (a tool call without its tool): none goes in.
  (void)post(path,
             {{"messages",
               {{{"role", "user"}, {"content", "four"}},
                {{"role", "assistant"}, {"message_type", "tool_call"}}}}},
             writer_key, 422);
  (void)post(path, {{"messages", {{{"role", "robot"}}}}}, writer_key, 422);
  (void)post(path, {{"messages", json::array()}}, writer_key, 400);
  (void)post(path, {{"role", 7}}, writer_key, 400);
  const auto listed = get(path, writer_key, 200);
  ASSERT_EQ(listed["items"].size(), 3U);
  EXPECT_EQ(listed["items"][0]["content"], "one");
  EXPECT_EQ(listed["items"][2]["content"], "three");
  EXPECT_EQ(get("/api/v1/conversations/" + id, writer_key, 200)["message_count"], 3);
}

TEST_F(ConversationTest, AStreamingMessageGrowsUntilItIsComplete) {
  const auto id = new_conversation(writer_key);
  const auto path = "/api/v1/conversations/" + id + "/messages";
  const auto created = post(
      path, {{"role", "assistant"}, {"content", "Lis"}, {"is_streaming", true}}, writer_key, 201);
  const auto message = created["items"][0];
  EXPECT_FALSE(message["is_complete"].get<bool>());
  const auto patch = [&](const std::string& body) {
    return http->Patch(path + "/" + message["id"].get<std::string>(), bearer(writer_key), body,
                       "application/json");
  };
  EXPECT_EQ(patch(R"({"append":"bon"})")->status, 200);
  const auto done = patch(R"({"append":" it is","is_complete":true})");
  ASSERT_EQ(done->status, 200) << done->body;
  const auto final_message = json::parse(done->body);
  EXPECT_EQ(final_message["content"], "Lisbon it is");
  EXPECT_TRUE(final_message["is_complete"].get<bool>());
  EXPECT_FALSE(final_message["is_streaming"].get<bool>());
  EXPECT_EQ(patch(R"({"append":"more"})")->status, 409);
}

TEST_F(ConversationTest, MessagesPageInOrderAndConversationsFilterByStatus) {
  const auto id = new_conversation(writer_key);
  json batch = json::array();
  for (int i = 0; i < 25; ++i)
    batch.push_back({{"role", "user"}, {"content", std::to_string(i)}});
  (void)post("/api/v1/conversations/" + id + "/messages", {{"messages", batch}}, writer_key, 201);
  std::vector<std::string> contents;
  std::string next;
  do {
    const auto page = get("/api/v1/conversations/" + id + "/messages?limit=10" +
                              (next.empty() ? "" : "&after=" + next),
                          writer_key, 200);
    for (const auto& message : page["items"])
      contents.push_back(message["content"]);
    next = page["next"].is_null() ? "" : page["next"].get<std::string>();
  } while (!next.empty());
  ASSERT_EQ(contents.size(), 25U);
  for (int i = 0; i < 25; ++i)
    EXPECT_EQ(contents[static_cast<std::size_t>(i)], std::to_string(i));

  const auto other = new_conversation(writer_key);
  (void)post("/api/v1/conversations/" + other + "/archive", json::object(), writer_key, 200);
  EXPECT_EQ(get("/api/v1/conversations?status=archived", writer_key, 200)["items"].size(), 1U);
  EXPECT_EQ(http->Delete("/api/v1/conversations/" + id, bearer(writer_key))->status, 204);
  (void)get("/api/v1/conversations/" + id, writer_key, 404);
  const auto live = get("/api/v1/conversations", writer_key, 200)["items"];
  ASSERT_EQ(live.size(), 1U);
  EXPECT_EQ(live[0]["id"], other);
  EXPECT_EQ(db.scalar("SELECT string_agg(action, ',' ORDER BY created_at, id) FROM audit_logs"
                      " WHERE resource_type = 'conversations' AND resource_id = '" +
                      id + "'"),
            "create,delete");
}

}  // namespace agentdb::testing
