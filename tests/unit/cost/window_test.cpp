#include <gtest/gtest.h>

#include "core/error.hpp"
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

}  // namespace agentdb::cost
