// The figures behind `cost report` and `cost top`: costs, tokens and requests per group over a
// window, totals, the previous period, execution times, and the daily series.
#pragma once

#include <optional>

#include "cost/cost.hpp"

namespace agentdb::cost {

struct Details {
  std::optional<int> top_limit;  // only the N biggest groups
  DailySeries daily_series = DailySeries::omit;
};

// The caller has checked the time zone (check_time_zone) and the user id (check_user_id).
[[nodiscard]] Report build_report(db::Session& session, const Window& window, GroupBy group_by,
                                  const Filters& filters, const Details& details = {});

}  // namespace agentdb::cost
