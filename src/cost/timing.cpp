#include "cost/timing.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace agentdb::cost {

namespace {

struct Histogram {
  std::map<int, long long> buckets;
  long long executions = 0;
  long long time_ms = 0;
};

// Reports by period read the histogram summed over models (exec_day_total; with --model,
// exec_daily). Deltas not yet compacted are read in full detail.
std::string executions_by_day_sql() {
  return "esrc AS (SELECT r.day, r.bucket, r.executions, r.time_ms FROM exec_day_total r, params p"
         " WHERE r.day BETWEEN p.from_day AND p.to_day AND p.model = ''"
         " UNION ALL SELECT r.day, r.bucket, r.executions, r.time_ms FROM exec_daily r, params p"
         " WHERE p.model <> '' AND r.model_name = p.model AND r.day BETWEEN p.from_day AND p.to_day"
         " UNION ALL SELECT r.day, r.bucket, r.executions, r.time_ms"
         " FROM exec_daily_delta r, params p WHERE r.day BETWEEN p.from_day AND p.to_day"
         " AND (p.model = '' OR r.model_name = p.model))";
}

// Reports by model or provider read whole months of the window [full_from, full_to) from
// exec_monthly, the days before and after from exec_daily. Dates are inlined (they are Date
// values, not text from the user) so that each range is an index range.
std::string executions_by_model_sql(const Window& window) {
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
  return "esrc AS (" + columns + "exec_monthly r, params p WHERE r.month >= " + literal(full_from) +
         " AND r.month < " + literal(full_to) + model + " UNION ALL " + columns +
         "exec_daily r, params p WHERE r.day >= p.from_day AND r.day < " + literal(full_from) +
         model + " UNION ALL " + columns +
         "exec_daily r, params p WHERE r.day >= " + literal(full_to) + " AND r.day <= p.to_day" +
         model + " UNION ALL " + columns +
         "exec_daily_delta r, params p WHERE r.day BETWEEN p.from_day AND p.to_day" + model + ")";
}

// As percentile_cont(0.95): interpolate between the values at ranks floor(h) and floor(h) + 1
// (0-based, h = 0.95 (n - 1)), each known to the middle of its bucket.
double p95_of(const Histogram& histogram) {
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
  return low + (h - static_cast<double>(low_rank)) * (high - low);
}

void apply(const Histogram& histogram, Figures& figures) {
  if (histogram.executions <= 0)
    return;
  figures.avg_ms =
      static_cast<double>(histogram.time_ms) / static_cast<double>(histogram.executions);
  figures.p95_ms = p95_of(histogram);
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

}  // namespace

void add_timing_from_rollup(Queries& queries, GroupBy group_by, Report& report) {
  const bool by_time = is_time(group_by);
  const std::string source =
      by_time ? executions_by_day_sql() : executions_by_model_sql(report.window);
  // Aggregate on the plain columns first; name the periods of the few rows left.
  const std::string inner_key = by_time ? "s.day" : key_sql(group_by, "s.day");
  const std::string outer_key = by_time ? key_sql(group_by, "s.day") : "s.day";
  const std::string histogram_sql =
      std::string("WITH ") + kParams + ", " + source + ", h AS (SELECT " + inner_key +
      " AS day, s.bucket, sum(s.executions)::bigint AS executions,"
      " sum(s.time_ms)::bigint AS time_ms FROM esrc s GROUP BY 1, 2) SELECT " +
      outer_key + ", s.bucket, s.executions, s.time_ms FROM h s";
  std::map<std::string, Histogram> by_key;
  Histogram total;
  for (const auto& row : queries.run(histogram_sql)) {
    const auto executions = row[2].as<long long>();
    const auto time_ms = row[3].as<long long>();
    for (auto* histogram : {&by_key[row[0].as<std::string>()], &total}) {
      histogram->buckets[row[1].as<int>()] += executions;
      histogram->executions += executions;
      histogram->time_ms += time_ms;
    }
  }
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

}  // namespace agentdb::cost
