// The parts of serve that need no server: rate limits by tier (text and buckets) and the OpenAPI
// document made from the route table.
#include <gtest/gtest.h>

#include <set>

#include "core/error.hpp"
#include "serve/openapi.hpp"
#include "serve/rate_limit.hpp"
#include "serve/router.hpp"

namespace agentdb::serve {
namespace {

using std::chrono::milliseconds;

TEST(TierLimits, ParseRateAndBurstPerTier) {
  const auto limits = parse_tier_limits(" free=5/10, standard=0.5/1 ,premium=500/1000");
  ASSERT_EQ(limits.size(), 3u);
  EXPECT_DOUBLE_EQ(limits.at("free").per_second, 5);
  EXPECT_DOUBLE_EQ(limits.at("free").burst, 10);
  EXPECT_DOUBLE_EQ(limits.at("standard").per_second, 0.5);
  EXPECT_TRUE(parse_tier_limits("").empty()) << "no tier limited";
}

TEST(TierLimits, MalformedTextIsAUsageErrorNamingThePart) {
  for (const auto* bad : {"free", "free=5", "free=/10", "=5/10", "free=-1/10", "free=5/0.5",
                          "free=5/x", "free=nan/10", "free=1e99/10", "free=5/10x"}) {
    try {
      (void)parse_tier_limits(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ExitCode::usage) << bad;
      EXPECT_NE(std::string(error.what()).find("invalid rate limit"), std::string::npos);
    }
  }
}

TEST(RateLimiter, ABurstThenOneTokenPerIntervalAndReloadKeepsTheBuckets) {
  RateLimiter limiter(parse_tier_limits("free=2/3"));
  const auto start = RateLimiter::Clock::now();
  for (int i = 0; i < 3; ++i)
    EXPECT_FALSE(limiter.take("k", "free", start).has_value()) << i;
  EXPECT_EQ(limiter.take("k", "free", start), 1) << "empty: wait a second";
  EXPECT_FALSE(limiter.take("other", "free", start).has_value()) << "buckets are per key";
  EXPECT_FALSE(limiter.take("k", "free", start + milliseconds(500)).has_value()) << "refilled 1";
  EXPECT_TRUE(limiter.take("k", "free", start + milliseconds(500)).has_value());
  EXPECT_FALSE(limiter.take("k", "unlimited", start).has_value()) << "a tier not named";

  limiter.set_limits(parse_tier_limits("free=0.1/3"));
  EXPECT_EQ(limiter.take("k", "free", start + milliseconds(600)), 10)
      << "the bucket stays empty after a reload; the new rate sets the wait";
  limiter.set_limits({});
  EXPECT_FALSE(limiter.take("k", "free", start + milliseconds(600)).has_value());
}

TEST(OpenApi, EveryRouteIsAnOperationWithUniqueIdAndItsParametersAndStatuses) {
  const auto routes = all_routes();
  const auto document = openapi_document(routes);
  std::set<std::string> ids;
  std::size_t operations = 0;
  for (const auto& [path, methods] : document["paths"].items()) {
    for (const auto& [method, operation] : methods.items()) {
      ++operations;
      EXPECT_TRUE(ids.insert(operation["operationId"].get<std::string>()).second) << path;
      EXPECT_FALSE(operation["summary"].get<std::string>().empty()) << path;
      for (std::size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
        const auto name = path.substr(at + 1, path.find('}', at) - at - 1);
        const auto& parameters = operation["parameters"];
        EXPECT_TRUE(std::any_of(parameters.begin(), parameters.end(),
                                [&](const auto& p) { return p["name"] == name; }))
            << method << " " << path << " lacks {" << name << "}";
      }
    }
  }
  EXPECT_EQ(operations, routes.size());
  EXPECT_TRUE(document["paths"]["/health"]["get"]["security"].empty()) << "public";
}

TEST(OpenApi, KeyedRoutesAddTheStatusesEveryKeyedRouteHas) {
  const Route keyed{"POST",  "/x",      Scope::write, Access::read_write,
                    nullptr, Auth::key, "x",          "201 415"};
  EXPECT_EQ(route_statuses(keyed), (std::vector<int>{201, 401, 403, 415, 429, 503}));
  const Route reading{"GET", "/x", Scope::read, Access::read_only, nullptr, Auth::key, "x", "200"};
  EXPECT_EQ(route_statuses(reading), (std::vector<int>{200, 401, 429, 503})) << "no 403 for read";
  const Route open{"GET",   "/x",       Scope::none, Access::read_only,
                   nullptr, Auth::none, "x",         "200 400"};
  EXPECT_EQ(route_statuses(open), (std::vector<int>{200, 400}));
  const auto body = openapi_document(std::vector<Route>{keyed})["paths"]["/x"]["post"];
  EXPECT_TRUE(body.contains("requestBody")) << "415 means it reads a JSON body";
  EXPECT_TRUE(body["responses"]["429"]["headers"].contains("Retry-After"));
}

}  // namespace
}  // namespace agentdb::serve
