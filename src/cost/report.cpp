#include "cost/report.hpp"

#include <cmath>
#include <regex>

#include "core/error.hpp"

namespace agentdb::cost {

namespace {

constexpr const char* kGroupNames[] = {"day",      "week", "month", "model",
                                       "provider", "user", "agent", "category"};

// Every query starts from these, so that all five parameters are typed in every statement. NOT
// MATERIALIZED lets the planner see them as constants (index ranges on the rollups' days).
constexpr const char* kParams =
    "params AS NOT MATERIALIZED (SELECT $1::date AS from_day, $2::date AS to_day, $3::text AS tz,"
    " $4::text AS model, $5::text AS user_id)";

bool needs_raw(GroupBy group_by, const Filters& filters) {
  return filters.tz != "UTC" || !filters.user.empty() || group_by == GroupBy::user ||
         group_by == GroupBy::agent;
}

// The rows a report aggregates: the rollup (cost_daily plus the deltas not yet folded in) or the
// ledger itself when the question needs users, agents or another time zone.
std::string source_sql(bool raw, bool with_agent) {
  if (!raw) {
    std::string sql;
    for (const char* table : {"cost_daily", "cost_daily_delta"}) {
      sql += std::string(sql.empty() ? "" : " UNION ALL ") +
             "SELECT r.day, r.model_provider, r.model_name, r.usage_category,"
             " NULL::text AS user_key, NULL::text AS agent_key, r.requests, r.prompt_tokens,"
             " r.completion_tokens, r.total_tokens, r.cost_usd FROM " +
             table +
             " r, params p WHERE r.day BETWEEN p.from_day AND p.to_day"
             " AND (p.model = '' OR r.model_name = p.model)";
    }
    return "source AS (" + sql + ")";
  }
  return std::string(
             "source AS (SELECT (c.created_at AT TIME ZONE p.tz)::date AS day, c.model_provider,"
             " c.model_name, c.usage_category, c.user_id::text AS user_key, ") +
         (with_agent ? "e.agent_id::text" : "NULL::text") +
         " AS agent_key, 1::bigint AS requests, c.prompt_tokens, c.completion_tokens,"
         " c.total_tokens, c.total_cost_usd AS cost_usd FROM params p, cost_tracking c" +
         (with_agent ? " LEFT JOIN agent_executions e ON e.id = c.agent_execution_id" : "") +
         " WHERE c.created_at >= (p.from_day::timestamp AT TIME ZONE p.tz)"
         " AND c.created_at < ((p.to_day + 1)::timestamp AT TIME ZONE p.tz)"
         " AND (p.model = '' OR c.model_name = p.model)"
         " AND (p.user_id = '' OR c.user_id = nullif(p.user_id, '')::uuid))";
}

// The group key of a row of `source` (alias s) whose date column is `day`.
std::string key_sql(GroupBy group_by, const std::string& day) {
  switch (group_by) {
    case GroupBy::day:
      return "to_char(" + day + ", 'YYYY-MM-DD')";
    case GroupBy::week:
      return "to_char(date_trunc('week', " + day + "), 'IYYY-\"W\"IW')";
    case GroupBy::month:
      return "to_char(" + day + ", 'YYYY-MM')";
    case GroupBy::model:
      return "s.model_name";
    case GroupBy::provider:
      return "s.model_provider";
    case GroupBy::user:
      return "s.user_key";
    case GroupBy::agent:
      return "coalesce(s.agent_key, '(none)')";
    case GroupBy::category:
      return "s.usage_category";
  }
  return "''";
}

bool is_time(GroupBy group_by) {
  return group_by == GroupBy::day || group_by == GroupBy::week || group_by == GroupBy::month;
}

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

class Queries {
 public:
  Queries(db::Session& session, const Window& window, const Filters& filters)
      : session_(session), window_(window), filters_(filters) {}

  db::Rows run(const std::string& sql, const Window& window) {
    return session_.exec_params(sql, window.from.text(), window.to.text(), filters_.tz,
                                filters_.model, filters_.user);
  }
  db::Rows run(const std::string& sql) { return run(sql, window_); }

 private:
  db::Session& session_;
  Window window_;
  const Filters& filters_;
};

std::string with_params_only() {
  return std::string("WITH ") + kParams;
}

Figures* find_group(Report& report, const db::Value& key) {
  if (key.is_null())
    return &report.total;
  const auto text = key.as<std::string>();
  for (auto& group : report.groups) {
    if (group.key == text)
      return &group;
  }
  return nullptr;
}

// Average (exact) and p95 (the values around the 95th percentile known to the middle of their
// buckets, so within about 4.5%) from exec_daily's histogram of buckets floor(8 * log2(ms + 1)).
void add_timing_from_rollup(Queries& queries, const std::string& with, GroupBy group_by,
                            Report& report) {
  // Reports by period read the histogram summed over models (exec_day_total; with --model,
  // exec_daily); reports by model or provider read whole months from exec_monthly and the days at
  // the window's edges from exec_daily. Deltas not yet compacted are read in full detail.
  const bool by_time = is_time(group_by);
  std::string sql;
  if (by_time) {
    sql =
        "esrc AS (SELECT r.day, r.bucket, r.executions, r.time_ms FROM exec_day_total r, params p"
        " WHERE r.day BETWEEN p.from_day AND p.to_day AND p.model = ''"
        " UNION ALL SELECT r.day, r.bucket, r.executions, r.time_ms FROM exec_daily r, params p"
        " WHERE p.model <> '' AND r.model_name = p.model AND r.day BETWEEN p.from_day AND p.to_day"
        " UNION ALL SELECT r.day, r.bucket, r.executions, r.time_ms"
        " FROM exec_daily_delta r, params p WHERE r.day BETWEEN p.from_day AND p.to_day"
        " AND (p.model = '' OR r.model_name = p.model))";
  } else {
    // Whole months of the window [full_from, full_to) come from exec_monthly, the days before and
    // after from exec_daily. Dates are inlined (they are Date values, not text from the user) so
    // that each range is an index range.
    const auto& window = report.window;
    Date full_from = window.from.day == 1
                         ? window.from
                         : Date{window.from.month == 12 ? window.from.year + 1 : window.from.year,
                                window.from.month % 12 + 1, 1};
    const auto after = window.to.plus_days(1);
    Date full_to{after.year, after.month, 1};
    if (full_from.days_since_epoch() >= full_to.days_since_epoch())
      full_from = full_to = window.from;  // no whole month: every day from exec_daily
    const auto literal = [](const Date& date) { return "'" + date.text() + "'::date"; };
    const std::string columns =
        "SELECT r.model_provider, r.model_name, r.bucket, r.executions, r.time_ms FROM ";
    const std::string model = " AND (p.model = '' OR r.model_name = p.model)";
    sql = "esrc AS (" + columns +
          "exec_monthly r, params p WHERE r.month >= " + literal(full_from) + " AND r.month < " +
          literal(full_to) + model + " UNION ALL " + columns +
          "exec_daily r, params p WHERE r.day >= p.from_day AND r.day < " + literal(full_from) +
          model + " UNION ALL " + columns +
          "exec_daily r, params p WHERE r.day >= " + literal(full_to) + " AND r.day <= p.to_day" +
          model + " UNION ALL " + columns +
          "exec_daily_delta r, params p WHERE r.day BETWEEN p.from_day AND p.to_day" + model + ")";
  }
  struct Histogram {
    std::map<int, long long> buckets;
    long long executions = 0;
    long long time_ms = 0;
  };
  std::map<std::string, Histogram> by_key;
  Histogram total;
  // Aggregate on the plain columns first; name the periods of the few rows left.
  const std::string inner_key = by_time ? "s.day" : key_sql(group_by, "s.day");
  const std::string outer_key = by_time ? key_sql(group_by, "s.day") : "s.day";
  const std::string histogram_sql =
      with + ", " + sql + ", h AS (SELECT " + inner_key +
      " AS day, s.bucket, sum(s.executions)::bigint AS executions,"
      " sum(s.time_ms)::bigint AS time_ms FROM esrc s GROUP BY 1, 2) SELECT " +
      outer_key + ", s.bucket, s.executions, s.time_ms FROM h s";
  for (const auto& row : queries.run(histogram_sql)) {
    const auto executions = row[2].as<long long>();
    const auto time_ms = row[3].as<long long>();
    for (auto* histogram : {&by_key[row[0].as<std::string>()], &total}) {
      histogram->buckets[row[1].as<int>()] += executions;
      histogram->executions += executions;
      histogram->time_ms += time_ms;
    }
  }
  const auto apply = [](const Histogram& histogram, Figures& figures) {
    if (histogram.executions <= 0)
      return;
    figures.avg_ms =
        static_cast<double>(histogram.time_ms) / static_cast<double>(histogram.executions);
    // As percentile_cont(0.95): interpolate between the values at ranks floor(h) and floor(h) + 1
    // (0-based, h = 0.95 (n - 1)), each known to the middle of its bucket.
    const double h = 0.95 * static_cast<double>(histogram.executions - 1);
    const auto value_at = [&](long long rank) {
      long long seen = 0;
      for (const auto& [bucket, count] : histogram.buckets) {
        seen += count;
        if (seen > rank)
          return (std::exp2(bucket / 8.0) + std::exp2((bucket + 1) / 8.0)) / 2 - 1;
      }
      return std::exp2((histogram.buckets.rbegin()->first + 1) / 8.0) - 1;
    };
    const auto low_rank = static_cast<long long>(std::floor(h));
    const double low = value_at(low_rank);
    const double high = value_at(std::min(low_rank + 1, histogram.executions - 1));
    figures.p95_ms = low + (h - static_cast<double>(low_rank)) * (high - low);
  };
  for (auto& group : report.groups) {
    if (const auto it = by_key.find(group.key); it != by_key.end())
      apply(it->second, group);
  }
  apply(total, report.total);
}

void add_exact_timing(Queries& queries, GroupBy group_by, Report& report) {
  std::string e_key;
  const std::string e_day = "(e.created_at AT TIME ZONE p.tz)::date";
  switch (group_by) {
    case GroupBy::model:
      e_key = "coalesce(e.model_name, '(none)')";
      break;
    case GroupBy::provider:
      e_key = "coalesce(e.model_provider, '(none)')";
      break;
    case GroupBy::user:
      e_key = "e.user_id::text";
      break;
    case GroupBy::agent:
      e_key = "coalesce(e.agent_id::text, '(none)')";
      break;
    default:
      e_key = key_sql(group_by, e_day);
  }
  const std::string timing =
      std::string("WITH ") + kParams + " SELECT " + e_key +
      " AS key, avg(e.execution_time_ms)::float8,"
      " (percentile_cont(0.95) WITHIN GROUP (ORDER BY e.execution_time_ms))::float8"
      " FROM params p, agent_executions e"
      " WHERE e.created_at >= (p.from_day::timestamp AT TIME ZONE p.tz)"
      " AND e.created_at < ((p.to_day + 1)::timestamp AT TIME ZONE p.tz)"
      " AND e.execution_time_ms IS NOT NULL AND (p.model = '' OR e.model_name = p.model)"
      " AND (p.user_id = '' OR e.user_id = nullif(p.user_id, '')::uuid)"
      " GROUP BY ROLLUP (1)";
  for (const auto& row : queries.run(timing)) {
    auto* target = find_group(report, row[0]);
    if (target != nullptr && !row[1].is_null()) {
      target->avg_ms = row[1].as<double>();
      target->p95_ms = row[2].as<double>();
    }
  }
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

Report build_report(db::Session& session, const Window& window, GroupBy group_by,
                    const Filters& filters, const Details& details) {
  Report report;
  report.window = window;
  report.group_by = group_by;
  report.filters = filters;
  const bool raw = needs_raw(group_by, filters);
  report.from_rollup = !raw;
  if (!raw) {
    // A few thousand rollup rows: starting parallel workers costs more than it saves.
    (void)session.exec("SET max_parallel_workers_per_gather = 0");
  }
  Queries queries(session, window, filters);
  const std::string with =
      std::string("WITH ") + kParams + ", " + source_sql(raw, group_by == GroupBy::agent);

  // Groups; day, week and month list every period of the window, used or not.
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
    sql += ", keys AS (SELECT DISTINCT " + key_sql(group_by, "g::date") +
           " AS key FROM params p, generate_series(p.from_day, p.to_day, interval '1 day') g)"
           " SELECT k.key, NULL::text AS label, coalesce(g.requests, 0) AS requests,"
           " coalesce(g.prompt_tokens, 0) AS prompt_tokens,"
           " coalesce(g.completion_tokens, 0) AS completion_tokens,"
           " coalesce(g.total_tokens, 0) AS total_tokens, coalesce(g.cost, 0)::text AS cost,"
           " round(coalesce(g.cost, 0), 2)::text AS cents"
           " FROM keys k LEFT JOIN grouped g USING (key) ORDER BY k.key";
  } else {
    sql += " SELECT g.key, " + label +
           " AS label, g.requests, g.prompt_tokens, g.completion_tokens, g.total_tokens,"
           " g.cost::text AS cost, round(g.cost, 2)::text AS cents FROM grouped g" +
           label_join + " ORDER BY g.cost DESC, g.key";
    if (details.top_limit)
      sql += " LIMIT " + std::to_string(*details.top_limit);
  }
  for (const auto& row : queries.run(sql))
    report.groups.push_back(figures_of(row));

  // Totals of this window and of the one before.
  const std::string totals = with +
                             " SELECT 'total' AS key, NULL::text AS label, "
                             "coalesce(sum(s.requests), 0)::bigint AS requests,"
                             " coalesce(sum(s.prompt_tokens), 0)::bigint AS prompt_tokens,"
                             " coalesce(sum(s.completion_tokens), 0)::bigint AS completion_tokens,"
                             " coalesce(sum(s.total_tokens), 0)::bigint AS total_tokens,"
                             " coalesce(sum(s.cost_usd), 0)::text AS cost,"
                             " round(coalesce(sum(s.cost_usd), 0), 2)::text AS cents FROM source s";
  report.total = figures_of(queries.run(totals)[0]);
  report.previous = figures_of(queries.run(totals, window.previous())[0]);
  const auto change = session.exec_params(
      "SELECT CASE WHEN $2::numeric = 0 THEN NULL"
      " ELSE round(($1::numeric - $2::numeric) / $2::numeric * 100, 1)::text END",
      report.total.cost_usd, report.previous.cost_usd)[0][0];
  if (!change.is_null())
    report.change_pct = change.as<std::string>();

  // Execution times come from agent_executions (categories are a property of cost rows only):
  // from the histogram rollup when the costs came from theirs, else exactly from the table.
  if (group_by != GroupBy::category && !raw) {
    add_timing_from_rollup(queries, with_params_only(), group_by, report);
  } else if (group_by != GroupBy::category) {
    add_exact_timing(queries, group_by, report);
  }

  if (details.daily_series)
    add_daily_series(queries, with, report);

  for (const auto& row : queries.run(
           with + " SELECT DISTINCT s.model_provider || '/' || s.model_name FROM source s"
                  " WHERE NOT EXISTS (SELECT 1 FROM model_prices mp"
                  " WHERE mp.provider = s.model_provider AND mp.model = s.model_name) ORDER BY 1"))
    report.unpriced_models.push_back(row[0].as<std::string>());
  return report;
}

}  // namespace agentdb::cost
