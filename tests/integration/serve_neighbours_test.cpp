// serve with the servers beside its database: rate limit buckets shared through a real
// redis-server, the database reached through a real PgBouncer in transaction pooling, and a real
// streaming replica (pg_basebackup) answering the read-only routes.
#include <atomic>
#include <thread>

#include "local/cluster.hpp"
#include "serve_fixture.hpp"
#include "servers.hpp"

namespace agentdb::testing {

namespace {

int status_of(const ServeProcess& server, const std::string& key) {
  const auto response = server.client()->Get("/api/v1/agents", bearer(key));
  return response ? response->status : -1;
}

}  // namespace

TEST_F(ServeTest, TwoServeProcessesShareOneKeysBucketThroughRedis) {
  RedisServer redis;
  const auto free_key = new_key("shared@example.com", "read", "free");
  const std::vector<std::string> flags{"--redis-url", redis.url(), "--rate-limits", "free=0.2/10"};
  ServeProcess first(db.url(), flags);
  ServeProcess second(db.url(), flags);
  ASSERT_TRUE(first.listening()) << first.stderr_text();
  ASSERT_TRUE(second.listening()) << second.stderr_text();
  int allowed = 0;
  int limited = 0;
  for (int i = 0; i < 30; ++i) {
    const int status = status_of(i % 2 == 0 ? first : second, free_key);
    allowed += status == 200 ? 1 : 0;
    limited += status == 429 ? 1 : 0;
  }
  // One bucket of 10 for both processes (refilling at 0.2/s adds at most one in the run); two
  // buckets of their own would have let 20 through.
  EXPECT_GE(allowed, 10);
  EXPECT_LE(allowed, 11);
  EXPECT_EQ(allowed + limited, 30);
  EXPECT_NE(redis_command(redis.port(), {"KEYS", "agentdb:rate:*"}).find("agentdb:rate:"),
            std::string::npos);

  // Redis gone: each process limits with buckets of its own and says so in its metrics.
  redis.stop();
  EXPECT_EQ(status_of(first, reader_key), 200);
  const auto status = status_of(first, free_key);
  EXPECT_TRUE(status == 200 || status == 429) << status;
  const auto metrics = first.client()->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->body.find("agentdb_rate_limit_redis_errors_total 0\n"), std::string::npos);
}

TEST_F(ServeTest, BehindPgBouncerTransactionPoolingEachRequestActsForItsOwnKey) {
  PgBouncer pgbouncer(host_of(cluster().conninfo), 2);
  ServeProcess through(pgbouncer.url(db.target().dbname), {"--pgbouncer", "--pool-size", "8"});
  ASSERT_TRUE(through.listening()) << through.stderr_text();
  const std::string other_key = new_key("other@example.com", "read,write", "unlimited");
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  // Eight connections of serve on two of PostgreSQL: requests of both users interleave on the
  // same server connections, so any state left outside a transaction would show.
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      auto client = through.client();
      const auto& key = t % 2 == 0 ? writer_key : other_key;
      for (int i = 0; i < 5; ++i) {
        const json body = {{"title", "trip-" + std::to_string(t) + "-" + std::to_string(i)}};
        const auto response =
            client->Post("/api/v1/conversations", bearer(key), body.dump(), "application/json");
        if (response && response->status == 201)
          ++created;
      }
    });
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(created, 40);
  auto client = through.client();
  for (const std::string* key : std::vector<const std::string*>{&writer_key, &other_key}) {
    const auto listed = client->Get("/api/v1/conversations?limit=100", bearer(*key));
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->status, 200) << listed->body;
    const auto items = json::parse(listed->body)["items"];
    EXPECT_EQ(items.size(), 20U);
    const int parity = key == &writer_key ? 0 : 1;
    for (const auto& conversation : items) {
      const auto title = conversation["title"].get<std::string>();
      EXPECT_EQ((title[5] - '0') % 2, parity) << title << " listed for the other user";
    }
  }
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT user_id) FROM conversations"), "2");

  const auto refused = run_agentdb({"--database-url",
                                    pgbouncer.url(db.target().dbname) + "?options=-cwork_mem%3D8MB",
                                    "serve", "--pgbouncer", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("PgBouncer refuses"), std::string::npos) << refused.err;
}

TEST(ServeReplica, ReadOnlyRoutesGoToTheReplicaAndToThePrimaryWhileItIsDown) {
  TempDir dir;
  const Output quiet(OutputSettings{OutputFormat::text, true, 0, false});
  local::LocalCluster primary(dir.path() / "primary");
  primary.start(quiet);
  const auto url = db::conninfo_with_password(primary.target());
  const auto up = run_agentdb(
      {"--database-url", url, "migrate", "--dir", AGENTDB_SOURCE_DIR "/migrations", "up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const auto made = run_agentdb({"--database-url", url, "keys", "create", "--user",
                                 "reader@example.com", "--scope", "read,write"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string key(util::trim(made.out));
  auto standby = std::make_unique<Standby>(primary, dir.path());
  {
    ServeProcess server(url, {"--read-url", standby->url()});
    ASSERT_TRUE(server.listening()) << server.stderr_text();
    auto client = server.client();
    const auto detailed = [&] {
      const auto response = client->Get("/metrics");
      return response ? response->body : std::string();
    };
    // The key was made before the backup, so the replica knows it.
    const auto read = client->Get("/api/v1/conversations", bearer(key));
    ASSERT_TRUE(read);
    EXPECT_EQ(read->status, 200) << read->body;
    EXPECT_NE(detailed().find("agentdb_replica_fallbacks_total 0\n"), std::string::npos);
    const auto write = client->Post("/api/v1/conversations", bearer(key),
                                    R"({"title":"written on the primary"})", "application/json");
    ASSERT_TRUE(write);
    EXPECT_EQ(write->status, 201) << write->body;

    standby->stop();
    const auto fallback = client->Get("/api/v1/conversations", bearer(key));
    ASSERT_TRUE(fallback);
    EXPECT_EQ(fallback->status, 200) << fallback->body;
    EXPECT_EQ(json::parse(fallback->body)["items"].size(), 1U) << "the primary answered";
    EXPECT_EQ(detailed().find("agentdb_replica_fallbacks_total 0\n"), std::string::npos);
  }
  standby.reset();
  primary.destroy(quiet);
}

}  // namespace agentdb::testing
