// Grandfather-father-son retention for `backup prune`, as a pure function of the catalogue.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace agentdb::backup {

struct RetentionPolicy {
  int keep_last = 1;    // the N newest backups
  int keep_daily = 0;   // the newest backup of each of the D most recent days that have one
  int keep_weekly = 0;  // the newest backup of each of the W most recent ISO weeks that have one
};

struct RetentionCandidate {
  std::string id;
  std::chrono::sys_seconds created_at;
  bool verified = false;
};

struct RetentionDecision {
  std::string id;
  bool keep = false;
  std::vector<std::string> reasons;  // why it is kept ("last 3", "daily 2026-11-20", ...)
};

// One decision per candidate, newest first. Whatever the policy, the newest verified backup is
// kept when every other verified one would go: pruning never leaves no verified backup behind.
[[nodiscard]] std::vector<RetentionDecision> plan_retention(
    std::vector<RetentionCandidate> candidates, const RetentionPolicy& policy);

}  // namespace agentdb::backup
