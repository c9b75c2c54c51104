#include "backup/retention.hpp"

#include <gtest/gtest.h>

#include "util/time.hpp"

namespace agentdb::backup {

namespace {

RetentionCandidate at(const std::string& id, const std::string& iso, bool verified = false) {
  return {id, *util::parse_iso_utc(iso), verified};
}

std::vector<std::string> kept(const std::vector<RetentionDecision>& decisions) {
  std::vector<std::string> ids;
  for (const auto& d : decisions) {
    if (d.keep)
      ids.push_back(d.id);
  }
  return ids;
}

}  // namespace

TEST(Retention, KeepLastKeepsTheNewestOnesWhateverTheInputOrder) {
  const auto decisions =
      plan_retention({at("a", "2026-11-01T10:00:00Z"), at("c", "2026-11-03T10:00:00Z"),
                      at("b", "2026-11-02T10:00:00Z")},
                     {2, 0, 0});
  EXPECT_EQ(kept(decisions), (std::vector<std::string>{"c", "b"}));
  EXPECT_EQ(decisions[2].id, "a");
  EXPECT_FALSE(decisions[2].keep);
}

TEST(Retention, DailyKeepsTheNewestBackupOfEachRecentDay) {
  const auto decisions =
      plan_retention({at("d3-late", "2026-11-03T22:00:00Z"), at("d3-early", "2026-11-03T01:00:00Z"),
                      at("d2", "2026-11-02T12:00:00Z"), at("d1-late", "2026-11-01T23:59:59Z"),
                      at("d1-early", "2026-11-01T00:00:00Z")},
                     {1, 3, 0});
  EXPECT_EQ(kept(decisions), (std::vector<std::string>{"d3-late", "d2", "d1-late"}));
  EXPECT_EQ(decisions[0].reasons, (std::vector<std::string>{"last 1", "daily 2026-11-03"}));
}

TEST(Retention, WeeklyUsesIsoWeeksThatStartOnMonday) {
  // 2026-11-23 is a Monday; 2026-11-22 the Sunday before; 2026-01-01 is in ISO week 2026-W01.
  const auto decisions =
      plan_retention({at("mon", "2026-11-23T08:00:00Z"), at("sun", "2026-11-22T08:00:00Z"),
                      at("sat", "2026-11-21T08:00:00Z"), at("new-year", "2026-01-01T08:00:00Z")},
                     {1, 0, 3});
  EXPECT_EQ(kept(decisions), (std::vector<std::string>{"mon", "sun", "new-year"}));
  EXPECT_EQ(decisions[1].reasons, (std::vector<std::string>{"weekly 2026-W47"}));
  EXPECT_EQ(decisions[3].reasons, (std::vector<std::string>{"weekly 2026-W01"}));
}

TEST(Retention, NeverDeletesTheOnlyVerifiedBackup) {
  const auto decisions = plan_retention(
      {at("new", "2026-11-05T10:00:00Z"), at("old-verified", "2026-10-01T10:00:00Z", true),
       at("oldest", "2026-09-01T10:00:00Z")},
      {1, 0, 0});
  EXPECT_EQ(kept(decisions), (std::vector<std::string>{"new", "old-verified"}));
  EXPECT_EQ(decisions[1].reasons, (std::vector<std::string>{"newest verified"}));
}

TEST(Retention, AKeptVerifiedBackupLetsOlderVerifiedOnesGo) {
  const auto decisions = plan_retention(
      {at("new", "2026-11-05T10:00:00Z", true), at("old", "2026-10-01T10:00:00Z", true)},
      {1, 0, 0});
  EXPECT_EQ(kept(decisions), (std::vector<std::string>{"new"}));
}

}  // namespace agentdb::backup
