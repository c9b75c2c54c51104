#include "seed/synth.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "core/error.hpp"
#include "seed/seed.hpp"

namespace agentdb::seed {

TEST(Synth, TheSameSeedGivesTheSameUuids) {
  Random a(42), b(42), c(43);
  const auto first = make_uuid(a);
  EXPECT_EQ(first, make_uuid(b));
  EXPECT_NE(first, make_uuid(c));
  ASSERT_EQ(first.size(), 36u);
  EXPECT_EQ(first[14], '4');                                          // version 4
  EXPECT_NE(std::string("89ab").find(first[19]), std::string::npos);  // RFC 4122 variant
}

TEST(Synth, Version7UuidsCarryTheirMillisecondAndSortByTime) {
  Random random(5);
  const auto first = make_uuid_v7(random, 1'795'427'702'123'456LL);  // ms 0x01a207d4956b
  ASSERT_EQ(first.size(), 36u);
  EXPECT_EQ(first.substr(0, 13), "01a207d4-956b");
  EXPECT_EQ(first[14], '7');
  EXPECT_NE(std::string("89ab").find(first[19]), std::string::npos);
  const auto later = make_uuid_v7(random, 1'795'427'702'124'000LL);
  EXPECT_LT(first, later);  // canonical text sorts like the uuid type: by time first
}

TEST(Synth, FormatsTimestampsInUtc) {
  std::string out;
  append_timestamp(out, 1'795'427'702'123'456LL);
  EXPECT_EQ(out, "2026-11-23 09:55:02.123456+00");  // date -u -d @1795427702
  out.clear();
  append_timestamp(out, 951'782'400'000'000LL);  // a leap day
  EXPECT_EQ(out, "2000-02-29 00:00:00.000000+00");
}

TEST(Synth, ComputesCostsExactlyFromThePricePerMillionTokens) {
  const ModelPrice price{"openai", "gpt-4o", 0, 2'500'000, 10'000'000};  // $2.50 / $10.00
  EXPECT_EQ(cost_usd(1000, 500, price), "0.0075000000");
  EXPECT_EQ(cost_usd(1, 0, price), "0.0000025000");
  EXPECT_EQ(cost_usd(0, 0, price), "0.0000000000");
}

TEST(Synth, UsesThePriceInForceAtTheTime) {
  const std::vector<ModelPrice> prices = {{"openai", "o3", 100, 10'000'000, 40'000'000},
                                          {"openai", "o3", 200, 2'000'000, 8'000'000}};
  EXPECT_EQ(price_at(prices, "openai", "o3", 50), nullptr);
  EXPECT_EQ(price_at(prices, "openai", "o3", 150)->input_micro_usd, 10'000'000);
  EXPECT_EQ(price_at(prices, "openai", "o3", 250)->input_micro_usd, 2'000'000);
}

TEST(Synth, ScalePresetsGrowLinearly) {
  const auto counts = counts_for_scale(50);
  EXPECT_EQ(counts.messages, 10'000'000);
  EXPECT_EQ(counts.users, 50'000);
}

TEST(Synth, GivenCountsOverrideTheScaleAndTheDataEndsAtMidnightUtc) {
  SynthRequest request;
  request.scale = 2;
  request.users = 5;
  request.end_date = "2026-11-23";
  const auto settings = synth_settings(request);
  EXPECT_EQ(settings.counts.users, 5);
  EXPECT_EQ(settings.counts.conversations, counts_for_scale(2).conversations);
  EXPECT_EQ(settings.end_unix, 1795392000);
}

TEST(Synth, SettingsWithoutAConversationOrWithABadEndAreUsageErrors) {
  SynthRequest no_conversation;
  no_conversation.conversations = 0;
  try {
    (void)synth_settings(no_conversation);
    FAIL() << "accepted no conversations";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_EQ(std::string(e.what()), "--conversations 0 is out of range");
    EXPECT_EQ(e.hint(), "--conversations takes a whole number from 1 to 10000000");
  }
  SynthRequest bad_end;
  bad_end.end_date = "23/11/2026";
  try {
    (void)synth_settings(bad_end);
    FAIL() << "accepted a bad end date";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "invalid --end '23/11/2026'");
  }
}

// What synth_settings refuses is refused for any front end, not only by the command line's checks.
TEST(Synth, SettingsRefuseCountsTotalsAndWindowsOutOfBounds) {
  // The error synth_settings gives for the request `change` makes of the default one, or "".
  const auto refused = [](const std::function<void(SynthRequest&)>& change) {
    SynthRequest request;
    request.end_date = "2026-11-23";
    change(request);
    try {
      (void)synth_settings(request);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::usage);
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(refused([](auto& r) { r.scale = 99'999'999'999; }),
            "--scale 99999999999 is out of range");
  EXPECT_EQ(refused([](auto& r) { r.messages = 9'223'372'036'854'775'807LL; }),
            "--messages 9223372036854775807 is out of range");
  EXPECT_EQ(refused([](auto& r) { r.executions = -1; }), "--executions -1 is out of range");
  const auto largest = [](SynthRequest& r) {
    r.users = r.conversations = kMaxSynthHeld;
    r.messages = kMaxSynthRows - 2 * kMaxSynthHeld;
    r.executions = 0;
  };
  EXPECT_EQ(refused(largest), "");
  EXPECT_NE(refused([&](auto& r) {
              largest(r);
              r.executions = 1;
            }).find("rows"),
            std::string::npos);
  EXPECT_EQ(refused([](auto& r) { r.end_date = "2026-02-31"; }), "invalid --end '2026-02-31'");
  EXPECT_EQ(refused([](auto& r) { r.end_date = "2026-11-23 "; }), "invalid --end '2026-11-23 '");
  EXPECT_NE(refused([](auto& r) { r.end_date = "1970-02-01"; }).find("before 1970"),
            std::string::npos);
  EXPECT_EQ(refused([](auto& r) { r.days = 3651; }), "--days 3651 is out of range");
}

}  // namespace agentdb::seed
