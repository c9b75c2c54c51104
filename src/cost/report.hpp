// The figures behind `agentdb cost report` and `cost top`: costs, tokens and requests per group
// over a window, totals, the previous period, execution times, and the daily series. Money stays
// PostgreSQL numeric and reaches C++ only as decimal text.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cost/window.hpp"
#include "db/session.hpp"

namespace agentdb::cost {

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
  // Every day of the window, for charts; filled only when asked for (Details::daily_series).
  std::vector<std::pair<std::string, double>> daily_cost;
  std::map<std::string, std::vector<double>> daily_cost_by_provider;  // aligned with daily_cost
  std::vector<std::string> unpriced_models;  // "provider/model" with no row in model_prices
};

struct Details {
  std::optional<int> top_limit;  // only the N biggest groups
  bool daily_series = false;     // fill daily_cost and daily_cost_by_provider (sparkline, HTML)
};

// Error(usage) unless `user` is empty or a uuid.
void check_user_id(const std::string& user);

// The caller has checked the time zone (check_time_zone) and the user id (check_user_id).
[[nodiscard]] Report build_report(db::Session& session, const Window& window, GroupBy group_by,
                                  const Filters& filters, const Details& details = {});

// Today's date in the time zone, from the server's clock.
[[nodiscard]] Date today_in(db::Session& session, const std::string& tz);

// Checks the zone against the server's list; Error(usage) when unknown.
void check_time_zone(db::Session& session, const std::string& tz);

}  // namespace agentdb::cost
