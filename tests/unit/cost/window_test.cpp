#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "cost/choice.hpp"
#include "cost/cost.hpp"
#include "cost/render.hpp"
#include "cost/report.hpp"
#include "cost/window.hpp"

namespace agentdb::cost {

TEST(CostWindow, DatesRoundTripThroughDaysAndRejectImpossibleOnes) {
  const auto date = parse_date("2024-02-29");
  ASSERT_TRUE(date);
  EXPECT_EQ(Date::from_days(date->days_since_epoch()), *date);
  EXPECT_EQ(date->plus_days(1).text(), "2024-03-01");
  EXPECT_EQ(parse_date("1970-01-01")->days_since_epoch(), 0);
  EXPECT_FALSE(parse_date("2023-02-29"));
  EXPECT_FALSE(parse_date("2026-13-01"));
  EXPECT_FALSE(parse_date("2026-1-01"));
  EXPECT_FALSE(parse_date("yesterday"));
}

TEST(CostWindow, SinceCountsTodayAndThePreviousPeriodHasTheSameLength) {
  const Date today{2026, 11, 23};
  const auto window = resolve_window("30d", "", "", today);
  EXPECT_EQ(window.from.text(), "2026-10-25");
  EXPECT_EQ(window.to.text(), "2026-11-23");
  EXPECT_EQ(window.days(), 30);
  EXPECT_EQ(window.previous().from.text(), "2026-09-25");
  EXPECT_EQ(window.previous().to.text(), "2026-10-24");
  EXPECT_EQ(resolve_window("2w", "", "", today).days(), 14);
  EXPECT_EQ(resolve_window("", "", "", today).days(), 30);
  const auto explicit_window = resolve_window("", "2026-11-01", "2026-11-30", today);
  EXPECT_EQ(explicit_window.days(), 30);
  EXPECT_EQ(resolve_window("", "2026-11-20", "", today).to, today);
}

TEST(CostWindow, MalformedPeriodsAreUsageErrors) {
  const Date today{2026, 11, 23};
  for (const auto& [since, from, to] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"5y", "", ""},
           {"0d", "", ""},
           {"d", "", ""},
           {"30d", "2026-11-01", ""},
           {"", "", "2026-11-01"},
           {"", "2026-11-02", "2026-11-01"},
           {"", "2026-02-30", ""}}) {
    try {
      (void)resolve_window(since, from, to, today);
      ADD_FAILURE() << since << " " << from << " " << to;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::usage);
    }
  }
}

TEST(CostRender, GroupNamesSparklinesAndShares) {
  EXPECT_EQ(parse_group_by("week"), GroupBy::week);
  EXPECT_FALSE(parse_group_by("fortnight"));
  EXPECT_EQ(sparkline({0, 1, 2, 4}), "▁▃▅█");
  EXPECT_EQ(sparkline({0, 0}), "▁▁");
  EXPECT_EQ(share_percent("1.558254", "1.94664286"), "80.0%");
  EXPECT_EQ(share_percent("1", "0"), "0.0%");
}

namespace {

// The message and exit code of the usage error `check` throws, or "" when it throws none.
template <typename Check>
std::string usage_error_of(Check check) {
  try {
    check();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    return e.what();
  }
  return "";
}

BudgetSpend spender(int i, BudgetStatus status) {
  return {.key = "id-" + std::to_string(i),
          .label = "user" + std::to_string(i) + "@example.com",
          .spent_usd = "1.0000000000",
          .spent_cents = "1.00",
          .used_pct = "10.0",
          .projected_usd = "12.00",
          .status = status};
}

}  // namespace

TEST(CostRequests, InputIsCheckedBeforeAnyServerIsAsked) {
  EXPECT_EQ(usage_error_of([] { validate_limit_usd(""); }), "--limit-usd is required");
  for (const char* limit : {"0", "-5", "0x10", "inf", "1e3", "1.12345678901"})
    EXPECT_EQ(usage_error_of([&] { validate_limit_usd(limit); }),
              std::string("invalid --limit-usd '") + limit + "'");
  EXPECT_EQ(usage_error_of([] { validate_limit_usd("12.50"); }), "");
  EXPECT_EQ(usage_error_of([] {
              validate(BudgetRequest{.limit_usd = "10",
                                     .period = BudgetPeriod::day,
                                     .user = "0b5a3c1e-8d1f-4c1e-9d7e-2f1a3b4c5d6e",
                                     .per_user = true});
            }),
            "--user and --per-user both given");
  EXPECT_EQ(usage_error_of([] {
              validate(ReportRequest{.period = {},
                                     .group_by = GroupBy::day,
                                     .user = "not-a-uuid",
                                     .model = "",
                                     .daily_series = DailySeries::omit});
            }),
            "invalid user id 'not-a-uuid'");
  EXPECT_EQ(
      usage_error_of([] { validate(TopRequest{.period = {}, .by = GroupBy::user, .limit = 0}); }),
      "--limit must be 1 or more");
  EXPECT_EQ(usage_error_of([] { validate(RecomputeRequest{}); }), "recompute needs a period");
  EXPECT_EQ(usage_error_of([] { validate(PricesRequest{.at = "yesterday"}); }),
            "invalid date 'yesterday'");
}

TEST(CostChoice, AnUnknownNameIsKeptForTheCommandsOwnUsageError) {
  CLI::App app;
  Choice<BudgetPeriod> period{BudgetPeriod::month};
  period.add_to(&app, "--period", {{"day", BudgetPeriod::day}, {"month", BudgetPeriod::month}},
                "use day or month", "day or month");
  app.parse(std::vector<std::string>{});
  EXPECT_EQ(period.get(), BudgetPeriod::month);
  app.parse(std::vector<std::string>{"day", "--period"});  // CLI11 reads the vector backwards
  EXPECT_EQ(period.get(), BudgetPeriod::day);
  app.parse(std::vector<std::string>{"Year", "--period"});
  try {
    (void)period.get();
    ADD_FAILURE() << "an unknown period was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_EQ(std::string(e.what()), "unknown --period 'Year'");
    EXPECT_EQ(e.hint(), "use day or month");
  }
}

TEST(CostRender, BudgetPerUserListsTheTopTenAndEveryoneWhoNeedsAttention) {
  BudgetResult result{.period = BudgetPeriod::month,
                      .period_start = "2026-12-01 00:00:00",
                      .period_end = "2027-01-01 00:00:00",
                      .elapsed_fraction = 0.5,
                      .limit_usd = "10",
                      .user = "",
                      .per_user = true,
                      .spend = {},
                      .worst = BudgetStatus::warning};
  for (int i = 1; i <= 12; ++i)
    result.spend.push_back(spender(i, i == 12 ? BudgetStatus::warning : BudgetStatus::ok));
  const auto some = render_budget(result, BudgetRows::attention_and_top);
  EXPECT_NE(some.find("user10@example.com"), std::string::npos);
  EXPECT_EQ(some.find("user11@example.com"), std::string::npos);
  EXPECT_NE(some.find("user12@example.com"), std::string::npos);
  EXPECT_NE(some.find("\nWARNING: month from 2026-12-01 00:00:00 UTC, limit 10 USD per user"),
            std::string::npos)
      << some;
  EXPECT_NE(render_budget(result, BudgetRows::all).find("user11@example.com"), std::string::npos);
  const auto document = budget_json(result);
  EXPECT_EQ(document["status"], "WARNING");
  EXPECT_EQ(document["exit_code"], 1);
  EXPECT_EQ(document["spend"].size(), 12u);

  result.spend.clear();
  result.per_user = false;
  result.worst = BudgetStatus::ok;
  EXPECT_EQ(render_budget(result, BudgetRows::all),
            "WHO    SPENT USD  OF LIMIT  PROJECTED USD  STATUS\n"
            "total  0.00       0.0%      0.00           OK\n"
            "OK: month from 2026-12-01 00:00:00 UTC, limit 10 USD");
}

TEST(CostRender, ARollupCheckNamesTheFirstMismatchAndMarksACappedList) {
  RollupResult result;
  EXPECT_EQ(rollup_mismatch_warning(result), "");
  result.mismatches.emplace();
  EXPECT_EQ(rollup_mismatch_warning(result), "");
  EXPECT_EQ(rollup_json(result)["mismatches"], nlohmann::json::array());
  for (std::size_t i = 0; i < kMaxRollupMismatches; ++i)
    result.mismatches->push_back(
        {"2026-11-0" + std::to_string(i % 9 + 1), "gpt-4o", "chat", "1", "0"});
  EXPECT_EQ(rollup_mismatch_warning(result),
            "the rollup differs from the ledger on 20+ keys (first: 2026-11-01 gpt-4o); were "
            "partitions dropped or truncated? run 'agentdb cost rollup --rebuild'");
  result.mismatches->pop_back();
  EXPECT_NE(rollup_mismatch_warning(result).find("on 19 keys"), std::string::npos);
  EXPECT_EQ(rollup_step_line(RollupStep::compacted, 3), "folded 3 delta rows into the rollup");
}

}  // namespace agentdb::cost
