#include "cost/period.hpp"

#include <regex>

#include "core/error.hpp"
#include "db/session.hpp"

namespace agentdb::cost {

void check_period_syntax(const PeriodRequest& period) {
  // With --from alone the window ends today, which is not known yet: end it at --from here.
  const auto stand_in_today = parse_date(period.from).value_or(Date{2000, 1, 1});
  (void)resolve_window(period.since, period.from, period.to, stand_in_today);
}

Window resolve_period(db::Session& session, const PeriodRequest& period) {
  check_time_zone(session, period.tz);
  return resolve_window(period.since, period.from, period.to, today_in(session, period.tz));
}

void check_time_zone(db::Session& session, const std::string& tz) {
  if (tz == "UTC")
    return;
  if (session.exec_params("SELECT 1 FROM pg_timezone_names WHERE name = $1", tz).empty()) {
    throw Error(ExitCode::usage, "unknown time zone '" + tz + "'",
                "use a name such as UTC, Europe/Berlin or America/New_York");
  }
}

void check_user_id(const std::string& user) {
  static const std::regex uuid(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  if (!user.empty() && !std::regex_match(user, uuid)) {
    throw Error(ExitCode::usage, "invalid user id '" + user + "'",
                "give the user's uuid, e.g. from 'agentdb cost top --by user'");
  }
}

Date today_in(db::Session& session, const std::string& tz) {
  const auto text =
      session.exec_params("SELECT (now() AT TIME ZONE $1)::date::text", tz)[0][0].as<std::string>();
  return parse_date(text).value_or(Date{});
}

}  // namespace agentdb::cost
