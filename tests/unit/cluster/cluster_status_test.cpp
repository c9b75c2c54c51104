#include <gtest/gtest.h>

#include "cluster/cluster.hpp"
#include "core/error.hpp"

namespace agentdb::cluster {

namespace {

PatroniMember member(const std::string& name, const std::string& role, int port,
                     std::int64_t timeline = 1, std::optional<std::int64_t> lag = 0,
                     const std::string& state = "running") {
  return {name, role, state, "127.0.0.1", port, timeline, role == "leader" ? std::nullopt : lag};
}

PatroniView view(const std::string& url, std::vector<PatroniMember> members) {
  PatroniView source;
  source.url = url;
  source.answered = true;
  source.members = std::move(members);
  return source;
}

PostgresView postgres(bool in_recovery, std::uint64_t position) {
  PostgresView pg;
  pg.asked = pg.reached = true;
  pg.in_recovery = in_recovery;
  pg.timeline = 1;
  pg.wal_position = position;
  return pg;
}

std::vector<MemberStatus> with_postgres(const PatroniView& source,
                                        std::vector<PostgresView> views) {
  std::vector<MemberStatus> members;
  for (std::size_t i = 0; i < source.members.size(); ++i)
    members.push_back({source.members[i], views.at(i), Level::ok, {}});
  return members;
}

std::vector<MemberStatus> patroni_only(const PatroniView& source) {
  return with_postgres(source, std::vector<PostgresView>(source.members.size()));
}

const std::vector<PatroniMember> kHealthy = {member("node1", "leader", 5432),
                                             member("node2", "replica", 5433),
                                             member("node3", "replica", 5434)};

}  // namespace

TEST(ClusterStatus, ParsesPatronisClusterDocument) {
  const auto members = parse_patroni_cluster(
      R"({"members": [{"name": "node1", "role": "leader", "state": "running", "host": "10.0.0.1",
          "port": 5432, "timeline": 2},
         {"name": "node2", "role": "replica", "state": "streaming", "host": "10.0.0.2",
          "port": 5432, "timeline": 2, "lag": "unknown"}]})");
  ASSERT_EQ(members.size(), 2U);
  EXPECT_EQ(members[0].role, "leader");
  EXPECT_EQ(members[0].timeline, 2);
  EXPECT_EQ(members[1].state, "streaming");
  EXPECT_FALSE(members[1].lag_bytes.has_value());
  EXPECT_THROW((void)parse_patroni_cluster("<html>"), Error);
  EXPECT_THROW((void)parse_patroni_cluster(R"({"members": 3})"), Error);
}

TEST(ClusterStatus, ParsesLsns) {
  EXPECT_EQ(parse_lsn("0/3000060"), 0x3000060U);
  EXPECT_EQ(parse_lsn("16/B374D848"), (0x16ULL << 32) | 0xB374D848ULL);
  EXPECT_FALSE(parse_lsn("3000060").has_value());
  EXPECT_FALSE(parse_lsn("0/").has_value());
  EXPECT_FALSE(parse_lsn("G/1").has_value());
  EXPECT_FALSE(parse_lsn("0/123456789").has_value());
  EXPECT_EQ(db::format_lsn((0x16ULL << 32) | 0xB374D848ULL), "16/B374D848");
  EXPECT_EQ(parse_lsn(db::format_lsn(0x3000060)), 0x3000060U);
}

TEST(ClusterStatus, HealthyIsOk) {
  const auto source = view("http://a:8008", kHealthy);
  const auto result = evaluate(
      {source},
      with_postgres(source, {postgres(false, 1000), postgres(true, 1000), postgres(true, 990)}),
      100);
  EXPECT_EQ(result.level, Level::ok);
  EXPECT_TRUE(result.problems.empty());
  EXPECT_EQ(result.members[2].postgres.lag_bytes, 10);
}

TEST(ClusterStatus, NoSourceIsUnknown) {
  PatroniView silent;
  silent.url = "http://a:8008";
  silent.error = "no answer";
  EXPECT_EQ(evaluate({silent}, {}, 100).level, Level::unknown);
}

TEST(ClusterStatus, NoLeaderIsCritical) {
  auto members = kHealthy;
  members[0].role = "replica";
  EXPECT_EQ(evaluate({view("http://a:8008", members)}, {}, 100).level, Level::critical);
}

TEST(ClusterStatus, SplitViewIsCritical) {
  auto other = kHealthy;
  other[0].role = "replica";
  other[1].role = "leader";
  const auto result =
      evaluate({view("http://a:8008", kHealthy), view("http://b:8008", other)}, {}, 100);
  EXPECT_EQ(result.level, Level::critical);
  EXPECT_NE(result.problems.at(0).find("split view"), std::string::npos);
}

TEST(ClusterStatus, TwoPrimariesAreCritical) {
  const auto source = view("http://a:8008", kHealthy);
  const auto result = evaluate(
      {source},
      with_postgres(source, {postgres(false, 1000), postgres(false, 1000), postgres(true, 990)}),
      100);
  EXPECT_EQ(result.level, Level::critical);
  EXPECT_EQ(result.members[1].level, Level::critical);
}

TEST(ClusterStatus, ADeadLeaderIsCriticalADeadReplicaAWarning) {
  const auto source = view("http://a:8008", kHealthy);
  auto dead = postgres(false, 0);
  dead.reached = false;
  dead.error = "connection refused";
  auto result =
      evaluate({source}, with_postgres(source, {dead, postgres(true, 1), postgres(true, 1)}), 100);
  EXPECT_EQ(result.level, Level::critical);
  result =
      evaluate({source}, with_postgres(source, {postgres(false, 1), dead, postgres(true, 1)}), 100);
  EXPECT_EQ(result.level, Level::warning);
}

TEST(ClusterStatus, LaggingOrStoppedReplicaIsAWarning) {
  auto members = kHealthy;
  members[1].lag_bytes = 5000;
  auto source = view("http://a:8008", members);
  auto result = evaluate({source}, patroni_only(source), 100);
  EXPECT_EQ(result.level, Level::warning);
  EXPECT_EQ(result.members[1].level, Level::warning);
  members = kHealthy;
  members[2].state = "stopped";
  source = view("http://a:8008", members);
  result = evaluate({source}, patroni_only(source), 100);
  EXPECT_EQ(result.level, Level::warning);
  EXPECT_NE(result.members[2].problems.at(0).find("stopped"), std::string::npos);
  // A replica on an old timeline after a failover.
  members = kHealthy;
  members[0].timeline = 2;
  source = view("http://a:8008", members);
  EXPECT_EQ(evaluate({source}, patroni_only(source), 100).level, Level::warning);
}

TEST(ClusterStatus, ASilentApiBesideAnswersIsAWarning) {
  PatroniView silent;
  silent.url = "http://c:8008";
  silent.error = "no answer";
  const auto source = view("http://a:8008", kHealthy);
  EXPECT_EQ(evaluate({source, silent}, patroni_only(source), 100).level, Level::warning);
  EXPECT_EQ(evaluate({source}, patroni_only(source), 100).level, Level::ok);
}

}  // namespace agentdb::cluster
