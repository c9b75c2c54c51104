// `cost budget`: spend so far in this UTC day or month, its projection to the period's end at the
// run rate so far, and a monitoring status against the limit.
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "core/error.hpp"
#include "cost/cost.hpp"
#include "cost/period.hpp"
#include "db/session.hpp"

namespace agentdb::cost {

namespace {

struct Clock {
  std::string start;
  std::string finish;
  double fraction = 0;
};

// One snapshot of the clock: period start and end, the fraction gone.
Clock clock_of(db::Session& session, const std::string& unit) {
  const auto clock = session.exec(
      "WITH b AS (SELECT now() AT TIME ZONE 'UTC' AS now_utc,"
      " date_trunc('" +
      unit +
      "', now() AT TIME ZONE 'UTC') AS start)"
      " SELECT start::text AS start, (start + interval '1 " +
      unit +
      "')::text AS finish,"
      " extract(epoch FROM now_utc - start)"
      " / extract(epoch FROM (start + interval '1 " +
      unit + "') - start) AS fraction FROM b")[0];
  return {clock["start"].as<std::string>(), clock["finish"].as<std::string>(),
          std::max(clock["fraction"].as<double>(), 1e-6)};
}

// Spend per user (or in total), exact; the status compares the exact sum with the limit.
std::string spend_sql(const BudgetRequest& request) {
  if (request.per_user || !request.user.empty()) {
    return "SELECT c.user_id::text AS who, coalesce(u.email, '') AS label, sum(c.total_cost_usd) "
           "AS spend"
           " FROM cost_tracking c LEFT JOIN users u ON u.id = c.user_id"
           " WHERE c.created_at >= ($1::timestamp AT TIME ZONE 'UTC')"
           " AND ($2 = '' OR c.user_id = nullif($2, '')::uuid)"
           " GROUP BY 1, 2 ORDER BY 3 DESC";
  }
  return "SELECT 'total' AS who, '' AS label, coalesce(sum(cost_usd), 0) AS spend FROM ("
         " SELECT cost_usd FROM cost_daily WHERE day >= $1::date"
         " UNION ALL SELECT cost_usd FROM cost_daily_delta WHERE day >= $1::date) r"
         " WHERE $2::text IS NOT NULL";
}

// A query error says why the spend could not be measured, in terms a DBA can act on.
[[noreturn]] void cannot_measure(const db::QueryError& error) {
  const auto& state = error.sqlstate();
  // undefined table, column, function or schema: the cost revisions are not applied here.
  if (state == "42P01" || state == "42703" || state == "42883" || state == "3F000") {
    throw Error(
        ExitCode::failure,
        std::string("cannot read the spend: the cost schema is missing (") + error.what() + ")",
        "apply the platform's migrations first: agentdb migrate up");
  }
  if (state == "42501") {
    throw Error(ExitCode::failure,
                std::string("cannot read the spend: permission denied (") + error.what() + ")",
                "run it as a member of agentdb_admin or as a superuser");
  }
  throw Error(ExitCode::failure, std::string("cannot read the spend: ") + error.what(),
              error.hint());
}

}  // namespace

const char* to_string(BudgetPeriod period) {
  return period == BudgetPeriod::day ? "day" : "month";
}

const char* to_string(BudgetStatus status) {
  static constexpr const char* kStatus[] = {"OK", "WARNING", "CRITICAL"};
  return kStatus[static_cast<std::size_t>(status)];
}

namespace {

// Up to 15 digits, then optionally '.' and up to 10 (numeric(25,10) holds it exactly): no sign,
// exponent, "inf" or "nan".
bool is_amount(std::string_view text) {
  const auto digits = [](std::string_view part, std::size_t most) {
    return !part.empty() && part.size() <= most &&
           part.find_first_not_of("0123456789") == std::string_view::npos;
  };
  const auto dot = text.find('.');
  if (dot == std::string_view::npos)
    return digits(text, 15);
  return digits(text.substr(0, dot), 15) && digits(text.substr(dot + 1), 10);
}

}  // namespace

void validate_limit_usd(const std::string& limit) {
  if (limit.empty())
    throw Error(ExitCode::usage, "--limit-usd is required", "e.g. --limit-usd 500");
  if (!is_amount(limit) || !(std::strtod(limit.c_str(), nullptr) > 0)) {
    throw Error(ExitCode::usage, "invalid --limit-usd '" + limit + "'",
                "give a positive amount in USD of up to 15 digits and 10 decimals, e.g. 500 or "
                "12.50");
  }
}

void validate(const BudgetRequest& request) {
  validate_limit_usd(request.limit_usd);
  if (request.per_user && !request.user.empty())
    throw Error(ExitCode::usage, "--user and --per-user both given", "choose one");
  check_user_id(request.user);
}

namespace {

BudgetResult measure(db::Session& session, const BudgetRequest& request) {
  const std::string unit = to_string(request.period);
  const auto clock = clock_of(session, unit);
  const auto rows = session.exec_params(
      "WITH spend AS (" + spend_sql(request) +
          ") SELECT who, label, spend::text, round(spend, 2)::text AS cents,"
          " round(spend / $4::float8::numeric, 2)::text AS projected,"
          " round(spend / $3::numeric * 100, 1)::text AS used_pct,"
          " CASE WHEN spend > $3::numeric THEN 2 WHEN spend >= 0.8 * $3::numeric THEN 1 ELSE 0 END"
          " AS status FROM spend",
      clock.start, request.user, request.limit_usd, std::to_string(clock.fraction));
  BudgetResult result{.period = request.period,
                      .period_start = clock.start,
                      .period_end = clock.finish,
                      .elapsed_fraction = clock.fraction,
                      .limit_usd = request.limit_usd,
                      .user = request.user,
                      .per_user = request.per_user,
                      .spend = {},
                      .worst = BudgetStatus::ok};
  constexpr BudgetStatus kByRank[] = {BudgetStatus::ok, BudgetStatus::warning,
                                      BudgetStatus::critical};
  for (const auto& row : rows) {
    const auto status = kByRank[row["status"].as<int>()];
    result.worst = std::max(result.worst, status);
    result.spend.push_back({.key = row["who"].as<std::string>(),
                            .label = row["label"].as<std::string>(),
                            .spent_usd = row["spend"].as<std::string>(),
                            .spent_cents = row["cents"].as<std::string>(),
                            .used_pct = row["used_pct"].as<std::string>(),
                            .projected_usd = row["projected"].as<std::string>(),
                            .status = status});
  }
  return result;
}

}  // namespace

BudgetResult budget(db::Session& session, const BudgetRequest& request) {
  validate(request);
  try {
    return measure(session, request);
  } catch (const db::QueryError& e) {
    cannot_measure(e);
  }
}

}  // namespace agentdb::cost
