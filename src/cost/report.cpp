#include "cost/report.hpp"

#include "core/error.hpp"
#include "cost/period.hpp"
#include "cost/report_query.hpp"
#include "cost/timing.hpp"
#include "db/session.hpp"

namespace agentdb::cost {

namespace {

constexpr const char* kGroupNames[] = {"day",      "week", "month", "model",
                                       "provider", "user", "agent", "category"};

constexpr const char* kSums =
    "sum(s.requests)::bigint AS requests, sum(s.prompt_tokens)::bigint AS prompt_tokens,"
    " sum(s.completion_tokens)::bigint AS completion_tokens,"
    " sum(s.total_tokens)::bigint AS total_tokens, sum(s.cost_usd) AS cost";

std::string trim_zeros(std::string number) {
  if (number.find('.') == std::string::npos)
    return number;
  while (number.back() == '0')
    number.pop_back();
  if (number.back() == '.')
    number.pop_back();
  return number;
}

Figures figures_of(const db::Row& row) {
  Figures f;
  f.key = row["key"].is_null() ? std::string() : row["key"].as<std::string>();
  f.label = row["label"].is_null() ? std::string() : row["label"].as<std::string>();
  f.requests = row["requests"].as<long long>();
  f.prompt_tokens = row["prompt_tokens"].as<long long>();
  f.completion_tokens = row["completion_tokens"].as<long long>();
  f.total_tokens = row["total_tokens"].as<long long>();
  f.cost_usd = trim_zeros(row["cost"].as<std::string>());
  f.cost_cents = row["cents"].as<std::string>();
  return f;
}

// The groups after `with`; day, week and month list every period of the window, used or not.
std::string groups_sql(const std::string& with, GroupBy group_by, const Details& details) {
  std::string label = "NULL::text";
  std::string label_join;
  if (group_by == GroupBy::user) {
    label = "u.email";
    label_join = " LEFT JOIN users u ON u.id::text = g.key";
  } else if (group_by == GroupBy::agent) {
    label = "a.name";
    label_join = " LEFT JOIN agents a ON a.id::text = g.key";
  }
  std::string sql = with + ", grouped AS (SELECT " + key_sql(group_by, "s.day") + " AS key, " +
                    kSums + " FROM source s GROUP BY 1)";
  if (is_time(group_by)) {
    return sql + ", keys AS (SELECT DISTINCT " + key_sql(group_by, "g::date") +
           " AS key FROM params p, generate_series(p.from_day, p.to_day, interval '1 day') g)"
           " SELECT k.key, NULL::text AS label, coalesce(g.requests, 0) AS requests,"
           " coalesce(g.prompt_tokens, 0) AS prompt_tokens,"
           " coalesce(g.completion_tokens, 0) AS completion_tokens,"
           " coalesce(g.total_tokens, 0) AS total_tokens, coalesce(g.cost, 0)::text AS cost,"
           " round(coalesce(g.cost, 0), 2)::text AS cents"
           " FROM keys k LEFT JOIN grouped g USING (key) ORDER BY k.key";
  }
  sql += " SELECT g.key, " + label +
         " AS label, g.requests, g.prompt_tokens, g.completion_tokens, g.total_tokens,"
         " g.cost::text AS cost, round(g.cost, 2)::text AS cents FROM grouped g" +
         label_join + " ORDER BY g.cost DESC, g.key";
  if (details.top_limit)
    sql += " LIMIT " + std::to_string(*details.top_limit);
  return sql;
}

// Totals of this window and of the one before, and the change between them.
void add_totals(Queries& queries, const std::string& with, Report& report) {
  const std::string totals = with +
                             " SELECT 'total' AS key, NULL::text AS label, "
                             "coalesce(sum(s.requests), 0)::bigint AS requests,"
                             " coalesce(sum(s.prompt_tokens), 0)::bigint AS prompt_tokens,"
                             " coalesce(sum(s.completion_tokens), 0)::bigint AS completion_tokens,"
                             " coalesce(sum(s.total_tokens), 0)::bigint AS total_tokens,"
                             " coalesce(sum(s.cost_usd), 0)::text AS cost,"
                             " round(coalesce(sum(s.cost_usd), 0), 2)::text AS cents FROM source s";
  report.total = figures_of(queries.run(totals)[0]);
  report.previous = figures_of(queries.run(totals, report.window.previous())[0]);
  const auto change = queries.session().exec_params(
      "SELECT CASE WHEN $2::numeric = 0 THEN NULL"
      " ELSE round(($1::numeric - $2::numeric) / $2::numeric * 100, 1)::text END",
      report.total.cost_usd, report.previous.cost_usd)[0][0];
  if (!change.is_null())
    report.change_pct = change.as<std::string>();
}

void add_daily_series(Queries& queries, const std::string& with, Report& report) {
  std::map<std::string, std::size_t> day_index;
  for (auto day = report.window.from; day.days_since_epoch() <= report.window.to.days_since_epoch();
       day = day.plus_days(1)) {
    day_index[day.text()] = report.daily_cost.size();
    report.daily_cost.emplace_back(day.text(), 0.0);
  }
  for (const auto& row :
       queries.run(with + " SELECT to_char(s.day, 'YYYY-MM-DD'), s.model_provider,"
                          " sum(s.cost_usd)::float8 FROM source s GROUP BY 1, 2")) {
    const auto it = day_index.find(row[0].as<std::string>());
    if (it == day_index.end())
      continue;
    auto& series = report.daily_cost_by_provider[row[1].as<std::string>()];
    series.resize(report.daily_cost.size(), 0.0);
    series[it->second] += row[2].as<double>();
    report.daily_cost[it->second].second += row[2].as<double>();
  }
}

void add_unpriced_models(Queries& queries, const std::string& with, Report& report) {
  for (const auto& row : queries.run(
           with + " SELECT DISTINCT s.model_provider || '/' || s.model_name FROM source s"
                  " WHERE NOT EXISTS (SELECT 1 FROM model_prices mp"
                  " WHERE mp.provider = s.model_provider AND mp.model = s.model_name) ORDER BY 1"))
    report.unpriced_models.push_back(row[0].as<std::string>());
}

}  // namespace

std::optional<GroupBy> parse_group_by(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kGroupNames); ++i) {
    if (text == kGroupNames[i])
      return static_cast<GroupBy>(i);
  }
  return std::nullopt;
}

const char* to_string(GroupBy group_by) {
  return kGroupNames[static_cast<std::size_t>(group_by)];
}

Report build_report(db::Session& session, const Window& window, GroupBy group_by,
                    const Filters& filters, const Details& details) {
  Report report;
  report.window = window;
  report.group_by = group_by;
  report.filters = filters;
  const bool raw = needs_raw(group_by, filters);
  report.from_rollup = !raw;
  if (!raw) {
    // A few thousand rollup rows: starting parallel workers costs more than it saves. LOCAL: the
    // caller's transaction ends it (serve's pooled connections keep no state between requests).
    (void)session.exec("SET LOCAL max_parallel_workers_per_gather = 0");
  }
  Queries queries(session, window, filters);
  const std::string with =
      std::string("WITH ") + kParams + ", " + source_sql(raw, group_by == GroupBy::agent);
  for (const auto& row : queries.run(groups_sql(with, group_by, details)))
    report.groups.push_back(figures_of(row));
  add_totals(queries, with, report);
  if (group_by != GroupBy::category && !raw) {
    add_timing_from_rollup(queries, group_by, report);
  } else if (group_by != GroupBy::category) {
    add_exact_timing(queries, group_by, report);
  }
  if (details.daily_series == DailySeries::fill)
    add_daily_series(queries, with, report);
  add_unpriced_models(queries, with, report);
  return report;
}

void validate(const ReportRequest& request) {
  check_period_syntax(request.period);
  check_user_id(request.user);
}

Report report(db::Session& session, const ReportRequest& request) {
  validate(request);
  const auto window = resolve_period(session, request.period);
  return build_report(session, window, request.group_by,
                      Filters{request.period.tz, request.user, request.model},
                      Details{std::nullopt, request.daily_series});
}

void validate(const TopRequest& request) {
  if (request.limit < 1)
    throw Error(ExitCode::usage, "--limit must be 1 or more");
  check_period_syntax(request.period);
}

Report top(db::Session& session, const TopRequest& request) {
  validate(request);
  const auto window = resolve_period(session, request.period);
  return build_report(session, window, request.by, Filters{request.period.tz, "", ""},
                      Details{request.limit, DailySeries::omit});
}

}  // namespace agentdb::cost
