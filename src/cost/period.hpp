// The checks and look-ups every cost request shares: the period's syntax (before any server is
// asked), the user id, the time zone against the server's list, and today's date in that zone.
#pragma once

#include <string>

#include "cost/cost.hpp"
#include "cost/window.hpp"

namespace agentdb::cost {

// The period's syntax, without the server's clock (so a typo is a usage error even when the
// server is down); Error(usage).
void check_period_syntax(const PeriodRequest& period);

// The window of `period`: its time zone checked, "today" from the server's clock in that zone.
[[nodiscard]] Window resolve_period(db::Session& session, const PeriodRequest& period);

// Error(usage) unless `user` is empty or a uuid.
void check_user_id(const std::string& user);

// Checks the zone against the server's list; Error(usage) when unknown.
void check_time_zone(db::Session& session, const std::string& tz);

// Today's date in the time zone, from the server's clock.
[[nodiscard]] Date today_in(db::Session& session, const std::string& tz);

}  // namespace agentdb::cost
