// Cost analytics for any front end (`agentdb cost`, the coming `serve`): each function takes a
// request and a session and returns a result. Nothing here prints or keeps state, so threads may
// call it on sessions of their own. Input a person got wrong is Error(ExitCode::usage) with the
// message the command line prints. Money stays PostgreSQL numeric and arrives as decimal text.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cost/window.hpp"

namespace agentdb::db {
class Session;
}

namespace agentdb::cost {

// The period as a person writes it: --since, or --from and --to, as whole days in `tz`.
struct PeriodRequest {
  std::string since;  // "30d", "12w"; empty: --from/--to, or the last 30 days
  std::string from;   // YYYY-MM-DD
  std::string to;     // YYYY-MM-DD; empty: today in `tz`
  std::string tz = "UTC";
};

// ---- report and top ------------------------------------------------------------------------

enum class GroupBy { day, week, month, model, provider, user, agent, category };

[[nodiscard]] std::optional<GroupBy> parse_group_by(std::string_view text);
[[nodiscard]] const char* to_string(GroupBy group_by);

struct Filters {
  std::string tz = "UTC";
  std::string user;   // a user id, or empty
  std::string model;  // a model name, or empty
};

struct Figures {
  std::string key;
  std::string label;       // e-mail of a user, name of an agent; else empty
  std::string cost_usd;    // exact sum, e.g. "12.3456780000"
  std::string cost_cents;  // rounded half up to the cent, e.g. "12.35"
  long long requests = 0;
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  long long total_tokens = 0;
  std::optional<double> avg_ms;  // execution time of the agent executions in the group
  std::optional<double> p95_ms;
};

struct Report {
  Window window;
  GroupBy group_by = GroupBy::day;
  Filters filters;
  bool from_rollup = false;  // answered from cost_daily (UTC, no user filter or dimension)
  std::vector<Figures> groups;
  Figures total;
  Figures previous;                       // the same length just before
  std::optional<std::string> change_pct;  // total against previous, e.g. "-12.5"; none when 0
  // Every day of the window, for charts; filled only when asked for (DailySeries::fill).
  std::vector<std::pair<std::string, double>> daily_cost;
  std::map<std::string, std::vector<double>> daily_cost_by_provider;  // aligned with daily_cost
  std::vector<std::string> unpriced_models;  // "provider/model" with no row in model_prices
};

enum class DailySeries { omit, fill };  // Report::daily_cost*, for a sparkline or a chart

struct ReportRequest {
  PeriodRequest period;
  GroupBy group_by = GroupBy::day;
  std::string user;   // a user's uuid, or empty for everyone
  std::string model;  // a model name, or empty for every model
  DailySeries daily_series = DailySeries::omit;
};

// What can be checked without a server (the period's syntax, the user id); Error(usage).
void validate(const ReportRequest& request);
// Cost, tokens, requests and execution times per group, totals and the period before.
[[nodiscard]] Report report(db::Session& session, const ReportRequest& request);

struct TopRequest {
  PeriodRequest period;        // in `period.tz`; no user or model filter
  GroupBy by = GroupBy::user;  // user, model or agent
  int limit = 10;              // 1 or more
};

void validate(const TopRequest& request);
// The `limit` groups that cost the most, the most expensive first, with the window's totals.
[[nodiscard]] Report top(db::Session& session, const TopRequest& request);

enum class ShareColumn { hidden, shown };  // each group's share of the total (cost top)

// The document `--json` prints for report (ShareColumn::hidden) and top (shown).
[[nodiscard]] nlohmann::json report_json(const Report& report, ShareColumn share);

// ---- budget --------------------------------------------------------------------------------

enum class BudgetPeriod { day, month };             // UTC, from the period's start to now
enum class BudgetStatus { ok, warning, critical };  // under 80% of the limit, 80% or more, over

[[nodiscard]] const char* to_string(BudgetPeriod period);
[[nodiscard]] const char* to_string(BudgetStatus status);  // "OK", "WARNING", "CRITICAL"

struct BudgetRequest {
  std::string limit_usd;  // a positive decimal amount, e.g. "500" or "12.50"
  BudgetPeriod period = BudgetPeriod::month;
  std::string user;       // only this user's spend (uuid), or empty
  bool per_user = false;  // each user against the limit (not with `user`)
};

struct BudgetSpend {
  std::string key;            // a user id, or "total"
  std::string label;          // the user's e-mail, or empty
  std::string spent_usd;      // exact
  std::string spent_cents;    // rounded to the cent
  std::string used_pct;       // of the limit, one decimal
  std::string projected_usd;  // at the run rate so far, to the period's end
  BudgetStatus status = BudgetStatus::ok;
};

struct BudgetResult {
  BudgetPeriod period = BudgetPeriod::month;
  std::string period_start;  // "2026-12-01 00:00:00" (UTC)
  std::string period_end;
  double elapsed_fraction = 0;  // of the period, at least 1e-6
  std::string limit_usd;
  std::string user;                // as requested
  bool per_user = false;           // as requested
  std::vector<BudgetSpend> spend;  // the biggest spender first; empty when nothing was spent
  BudgetStatus worst = BudgetStatus::ok;
};

void validate(const BudgetRequest& request);
// Error(usage) unless `limit_usd` is a positive amount (checked first of all the budget's input).
void validate_limit_usd(const std::string& limit_usd);
// Spend so far in this UTC day or month, its projection to the period's end, and its status.
[[nodiscard]] BudgetResult budget(db::Session& session, const BudgetRequest& request);

// The document `cost budget --json` prints.
[[nodiscard]] nlohmann::json budget_json(const BudgetResult& result);

// ---- prices --------------------------------------------------------------------------------

struct PricesRequest {
  std::string at;  // YYYY-MM-DD: in force at the end of that day (UTC); empty: now
};

struct Price {
  std::string provider;
  std::string model;
  std::string input_usd_per_million;
  std::string output_usd_per_million;
  std::string effective_from;  // "2024-10-02T00:00:00Z"
};

struct PricesResult {
  std::string at;  // the day asked for, or "now"
  std::vector<Price> prices;
};

void validate(const PricesRequest& request);
[[nodiscard]] PricesResult prices(db::Session& session, const PricesRequest& request);

// ---- recompute -----------------------------------------------------------------------------

struct RecomputeRequest {
  PeriodRequest period;  // --since or --from is required
  bool dry_run = false;  // compute and report, then roll back
};

struct ModelRecompute {
  std::string model;  // "provider/model"
  long long rows = 0;
  std::string old_cost_usd;
  std::string new_cost_usd;
  std::string difference_usd;
};

struct UnpricedRows {
  std::string model;  // "provider/model"
  long long rows = 0;
};

struct RecomputeResult {
  Window window;
  bool dry_run = false;
  long long rows_changed = 0;
  std::vector<ModelRecompute> models;  // the models whose rows changed
  std::vector<UnpricedRows> unpriced;  // rows left as they were: no price at their time
};

void validate(const RecomputeRequest& request);
// Costs again from tokens and the prices in force at each row's time, in one transaction.
[[nodiscard]] RecomputeResult recompute(db::Session& session, const RecomputeRequest& request);

// ---- rollup --------------------------------------------------------------------------------

enum class RollupStep { rebuilt, compacted };

struct RollupRequest {
  bool rebuild = false;  // recompute cost_daily from the ledger
  bool compact = false;  // fold the pending deltas into cost_daily
  bool check = false;    // compare the rollup with the ledger
  // Called after each step that changed the rollup, with the rows it wrote or folded.
  std::function<void(RollupStep step, long long rows)> on_step;
};

struct RollupMismatch {
  std::string day;
  std::string model;
  std::string category;
  std::string ledger_cost_usd;
  std::string rollup_cost_usd;
};

// A check lists at most this many keys where the rollup and the ledger differ.
inline constexpr std::size_t kMaxRollupMismatches = 20;

struct RollupResult {
  std::optional<long long> rebuilt_rows;   // with `rebuild`
  std::optional<long long> folded_deltas;  // with `compact`
  long long rollup_rows = 0;
  long long delta_rows = 0;                               // not yet folded in
  std::optional<std::vector<RollupMismatch>> mismatches;  // with `check`; empty when they match
};

[[nodiscard]] RollupResult rollup(db::Session& session, const RollupRequest& request);

}  // namespace agentdb::cost
