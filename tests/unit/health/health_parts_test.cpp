#include <gtest/gtest.h>

#include "core/error.hpp"
#include "health/check.hpp"
#include "health/health.hpp"
#include "health/pool_render.hpp"
#include "health/probe.hpp"
#include "health/redis_probe.hpp"
#include "health/report.hpp"
#include "health/selection.hpp"

namespace agentdb::health {

TEST(HealthCheck, ThresholdsAcceptTheCheckUnitOrASuffix) {
  EXPECT_EQ(parse_threshold(Unit::seconds, "90"), 90.0);
  EXPECT_EQ(parse_threshold(Unit::seconds, "2m"), 120.0);
  EXPECT_EQ(parse_threshold(Unit::seconds, "500ms"), 0.5);
  EXPECT_EQ(parse_threshold(Unit::milliseconds, "2s"), 2000.0);
  EXPECT_EQ(parse_threshold(Unit::bytes, "64MB"), 64e6);
  EXPECT_EQ(parse_threshold(Unit::percent, "92.5%"), 92.5);
  EXPECT_EQ(parse_threshold(Unit::count, "12 apples"), std::nullopt);
  EXPECT_EQ(parse_threshold(Unit::seconds, "soon"), std::nullopt);
  EXPECT_EQ(parse_threshold(Unit::bytes, ""), std::nullopt);
}

TEST(HealthCheck, ThresholdsRefuseSignsNonNumbersAndTrailingText) {
  for (const char* text : {"-5", "+5", "-0.1s", "nan", "inf", "-inf", "1e3", "0x10", "5..", ".5",
                           "1.2.3", "5 5", "10%%", "12s extra", "5;", "\x1b[2J"}) {
    EXPECT_EQ(parse_threshold(Unit::seconds, text), std::nullopt) << text;
    EXPECT_EQ(parse_threshold(Unit::percent, text), std::nullopt) << text;
  }
  EXPECT_EQ(parse_threshold(Unit::count, "5%"), std::nullopt);
  EXPECT_EQ(parse_threshold(Unit::bytes, "5s"), std::nullopt);
  EXPECT_EQ(parse_threshold(Unit::seconds, std::string(400, '9')), std::nullopt);
  EXPECT_EQ(parse_threshold(Unit::seconds, "0"), 0.0);
}

TEST(HealthCheck, ThresholdsRefuseValuesBeyondWhatTheUnitMeans) {
  EXPECT_EQ(parse_threshold(Unit::percent, "100"), 100.0);
  EXPECT_EQ(parse_threshold(Unit::percent, "100.1%"), std::nullopt);
  EXPECT_EQ(parse_threshold(Unit::seconds, "30d"), 30 * 86400.0);
  EXPECT_EQ(parse_threshold(Unit::seconds, "721h"), std::nullopt);
  EXPECT_EQ(parse_threshold(Unit::milliseconds, "2592000001"), std::nullopt);
  EXPECT_EQ(parse_threshold(Unit::bytes, "1PB"), 1e15);
  EXPECT_EQ(parse_threshold(Unit::bytes, "1001TB"), std::nullopt);
  EXPECT_EQ(parse_threshold(Unit::count, "2147483648"), 2147483648.0);
  EXPECT_EQ(parse_threshold(Unit::count, "2147483649"), std::nullopt);
  EXPECT_EQ(parse_threshold(Unit::version, "1001"), std::nullopt);
  EXPECT_NE(accepted_thresholds(Unit::percent).find("0 to 100"), std::string::npos);
}

// The error of a threshold option: its message and hint, or "" when it was accepted.
std::string threshold_error(const CheckChoice& choice) {
  try {
    (void)select_checks(Config(), choice);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    return std::string(e.what()) + "; " + e.hint();
  }
  return "";
}

TEST(HealthSelection, AnInvalidThresholdNamesTheCheckTheOptionTheValueAndWhatIsAccepted) {
  const auto error = threshold_error({{}, {"connections=-5"}, {}});
  EXPECT_NE(error.find("connections"), std::string::npos) << error;
  EXPECT_NE(error.find("--warning"), std::string::npos) << error;
  EXPECT_NE(error.find("'-5'"), std::string::npos) << error;
  EXPECT_NE(error.find("from 0 to 100"), std::string::npos) << error;
  EXPECT_NE(threshold_error({{}, {}, {"long_query=400d"}}).find("30 days"), std::string::npos);
}

TEST(HealthSelection, AWarningBeyondTheCriticalThresholdIsRefusedInEitherDirection) {
  auto error = threshold_error({{}, {"connections=96"}, {"connections=90"}});
  EXPECT_NE(error.find("warning threshold of connections"), std::string::npos) << error;
  EXPECT_NE(error.find("above its critical"), std::string::npos) << error;
  error = threshold_error({{}, {"cache_hit=80"}, {"cache_hit=85"}});
  EXPECT_NE(error.find("below its critical"), std::string::npos) << error;
  EXPECT_EQ(threshold_error({{}, {"connections=90"}, {"connections=90"}}), "");
}

TEST(HealthSelection, ADefaultThresholdGivesWayToAGivenOneInsteadOfCrossingIt) {
  const auto checks = select_checks(Config(), {{"lock_waits", "cache_hit"}, {}, {"lock_waits=1s"}});
  ASSERT_EQ(checks.size(), 2U);
  EXPECT_EQ(checks[0].thresholds.warning, 1.0);  // the default 10 s would pass the critical 1 s
  EXPECT_EQ(checks[0].thresholds.critical, 1.0);
  const auto lowered = select_checks(Config(), {{"cache_hit"}, {"cache_hit=80"}, {}});
  EXPECT_EQ(lowered[0].thresholds.critical, 80.0);  // the default 90 would be above the warning
}

TEST(HealthCheck, JudgeHonoursDirectionAndCriticalWins) {
  const Thresholds higher{80, 95};
  EXPECT_EQ(judge(80, higher, Direction::higher_is_worse), Status::ok);
  EXPECT_EQ(judge(80.1, higher, Direction::higher_is_worse), Status::warning);
  EXPECT_EQ(judge(99, higher, Direction::higher_is_worse), Status::critical);
  const Thresholds lower{95, 90};
  EXPECT_EQ(judge(99, lower, Direction::lower_is_worse), Status::ok);
  EXPECT_EQ(judge(94, lower, Direction::lower_is_worse), Status::warning);
  EXPECT_EQ(judge(50, lower, Direction::lower_is_worse), Status::critical);
  EXPECT_EQ(judge(1e12, Thresholds{}, Direction::higher_is_worse), Status::ok);
}

TEST(HealthCheck, CriticalOutranksWarningWhichOutranksUnknown) {
  EXPECT_EQ(worse(Status::unknown, Status::critical), Status::critical);
  EXPECT_EQ(worse(Status::warning, Status::unknown), Status::warning);
  EXPECT_EQ(worse(Status::ok, Status::unknown), Status::unknown);
  EXPECT_EQ(worse(Status::skipped, Status::ok), Status::skipped);
  EXPECT_EQ(exit_code(Status::skipped), 0);
  EXPECT_EQ(exit_code(Status::unknown), 3);
}

TEST(HealthReport, PerfdataFollowsThePluginFormat) {
  EXPECT_EQ(
      perfdata_text(
          {"connect_time", 3.25, "ms", {100, 1000}, Direction::higher_is_worse, 0, std::nullopt}),
      "'connect_time'=3.25ms;100;1000;0");
  EXPECT_EQ(perfdata_text({"cache hit", 99.5, "%", {95, 90}, Direction::lower_is_worse, 0, 100}),
            "'cache_hit'=99.5%;95:;90:;0;100");
  EXPECT_EQ(perfdata_text({"n", 7, "", {}, Direction::higher_is_worse, std::nullopt, std::nullopt}),
            "'n'=7");
}

TEST(HealthReport, AnUnreachableServerIsOneCriticalLineWithTheRestCounted) {
  HealthReport report;
  CheckResult connection;
  connection.name = "connection";
  connection.status = Status::critical;
  connection.summary = "cannot connect to db: connection refused | really";
  report.checks.push_back(connection);
  for (const char* name : {"connections", "long_query"}) {
    CheckResult check;
    check.name = name;
    check.status = Status::unknown;
    check.summary = "not run: cannot connect (connection refused)";
    report.checks.push_back(check);
  }
  EXPECT_EQ(overall(report), Status::critical);
  EXPECT_EQ(render_nagios(report),
            "AGENTDB CRITICAL - connection CRITICAL: cannot connect to db: connection refused / "
            "really; 2 not run (UNKNOWN)");
  EXPECT_EQ(report_json(report)["exit_code"], 2);
}

TEST(HealthRedis, UrlsKeepThePasswordOutOfTheDisplay) {
  const auto endpoint = db::parse_redis_url("redis://:p%40ss@cache.internal:6380/2");
  EXPECT_EQ(endpoint.host, "cache.internal");
  EXPECT_EQ(endpoint.port, 6380);
  EXPECT_EQ(endpoint.database, 2);
  EXPECT_EQ(endpoint.password, "p@ss");
  EXPECT_EQ(endpoint.display, "redis://cache.internal:6380/2");
  const auto v6 = db::parse_redis_url("redis://user:pw@[::1]:7000");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 7000);
  EXPECT_EQ(v6.user, "user");
  EXPECT_EQ(db::parse_redis_url("redis://localhost").port, 6379);
  EXPECT_EQ(db::parse_redis_url("unix:///run/redis.sock").socket_path, "/run/redis.sock");
  EXPECT_THROW((void)db::parse_redis_url("http://x"), Error);
  EXPECT_THROW((void)db::parse_redis_url("redis://x:99999"), Error);
  EXPECT_THROW((void)db::parse_redis_url("rediss://x"), Error);
}

TEST(HealthProbe, PercentilesOfMicroseconds) {
  std::vector<float> micros;
  for (int i = 1; i <= 1000; ++i)
    micros.push_back(static_cast<float>(i * 10));
  const auto summary = summarise(micros);
  EXPECT_EQ(summary.count, 1000u);
  EXPECT_NEAR(summary.p50_ms, 5.0, 0.02);
  EXPECT_NEAR(summary.p95_ms, 9.5, 0.02);
  EXPECT_NEAR(summary.p99_ms, 9.9, 0.02);
  EXPECT_NEAR(summary.max_ms, 10.0, 0.001);
  std::vector<float> none;
  EXPECT_EQ(summarise(none).count, 0u);
}

TEST(HealthRun, UnconfiguredServicesAreSkippedWithoutTouchingADatabase) {
  HealthRequest request;
  for (const char* name : {"qdrant", "redis", "redis_memory"})
    request.checks.push_back(SelectedCheck{find_check(name), {}});
  request.timeout = std::chrono::seconds(5);
  request.deadline = std::chrono::steady_clock::now() + request.timeout;
  const auto report = run_checks(request);
  ASSERT_EQ(report.checks.size(), 3u);
  EXPECT_EQ(report.checks[0].summary, "not configured (set QDRANT_URL)");
  EXPECT_EQ(report.checks[1].summary, "not configured (set REDIS_URL)");
  for (const auto& check : report.checks)
    EXPECT_EQ(check.status, Status::skipped) << check.name;
  EXPECT_EQ(report.database, "");
  EXPECT_FALSE(report.left_running);
  EXPECT_EQ(overall(report), Status::ok);
}

TEST(HealthRun, AMalformedRedisUrlIsThrownToTheCaller) {
  HealthRequest request;
  request.checks.push_back(SelectedCheck{find_check("redis"), {}});
  request.redis_url = "http://not-redis";
  request.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  EXPECT_THROW((void)run_checks(request), Error);
}

TEST(PoolRender, StatusCountsAreListedByNameAndPgBouncerOnlyWhenAsked) {
  PoolStatus status;
  status.database = "postgresql://agentdb@db:5432/agentdb";
  status.connections = ConnectionLimits{5, 100, 3};
  status.by_state = {{"idle", 3}, {"active", 2}};
  const auto blocks = render_pool_status(status);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0],
            "postgresql://agentdb@db:5432/agentdb: 5 of 100 connections in use (3 reserved for "
            "superusers), headroom 92");
  EXPECT_NE(blocks[1].find("active 2, idle 3"), std::string::npos) << blocks[1];
  EXPECT_EQ(blocks[2], "oldest transaction: none open");
  const auto document = pool_status_json(status);
  EXPECT_EQ(document["connections"]["headroom"], 92);
  EXPECT_TRUE(document["pgbouncer"].is_null());
  EXPECT_TRUE(document["oldest_transaction"].is_null());
  status.pgbouncer = std::vector<PgBouncerPool>{};
  EXPECT_TRUE(pool_status_json(status)["pgbouncer"].is_array());
  EXPECT_EQ(render_pool_status(status).size(), 4u);
}

}  // namespace agentdb::health
