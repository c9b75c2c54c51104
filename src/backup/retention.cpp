#include "backup/retention.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace agentdb::backup {

namespace {

std::string day_of(std::chrono::sys_seconds time) {
  const std::chrono::year_month_day date{std::chrono::floor<std::chrono::days>(time)};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

// ISO 8601 week, "2026-W48": weeks start on Monday and belong to the year of their Thursday.
std::string week_of(std::chrono::sys_seconds time) {
  using namespace std::chrono;
  const sys_days day = floor<days>(time);
  const weekday wd{day};
  const int iso_weekday = wd.iso_encoding();  // Monday 1 .. Sunday 7
  const sys_days thursday = day + days(4 - iso_weekday);
  const year_month_day thursday_date{thursday};
  const sys_days first_of_year = sys_days{thursday_date.year() / January / 1};
  const int week = static_cast<int>((thursday - first_of_year).count() / 7 + 1);  // 1..53
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-W%02d", static_cast<int>(thursday_date.year()), week);
  return buffer;
}

// Keeps the newest backup of each of the first `count` distinct periods, newest first.
void keep_per_period(const std::vector<RetentionCandidate>& candidates,
                     std::vector<RetentionDecision>& decisions, int count, const char* kind,
                     std::string (*period_of)(std::chrono::sys_seconds)) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < candidates.size() && static_cast<int>(seen.size()) < count; ++i) {
    const auto period = period_of(candidates[i].created_at);
    if (!seen.insert(period).second)
      continue;
    decisions[i].keep = true;
    decisions[i].reasons.push_back(std::string(kind) + " " + period);
  }
}

}  // namespace

std::vector<RetentionDecision> plan_retention(std::vector<RetentionCandidate> candidates,
                                              const RetentionPolicy& policy) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const RetentionCandidate& a, const RetentionCandidate& b) {
                     return a.created_at > b.created_at;
                   });
  std::vector<RetentionDecision> decisions;
  for (const auto& candidate : candidates)
    decisions.push_back({candidate.id, false, {}});
  for (std::size_t i = 0; i < candidates.size() && static_cast<int>(i) < policy.keep_last; ++i) {
    decisions[i].keep = true;
    decisions[i].reasons.push_back("last " + std::to_string(policy.keep_last));
  }
  keep_per_period(candidates, decisions, policy.keep_daily, "daily", day_of);
  keep_per_period(candidates, decisions, policy.keep_weekly, "weekly", week_of);

  bool verified_kept = false;
  for (std::size_t i = 0; i < candidates.size(); ++i)
    verified_kept = verified_kept || (candidates[i].verified && decisions[i].keep);
  if (!verified_kept) {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (candidates[i].verified) {
        decisions[i].keep = true;
        decisions[i].reasons.emplace_back("newest verified");
        break;
      }
    }
  }
  return decisions;
}

}  // namespace agentdb::backup
