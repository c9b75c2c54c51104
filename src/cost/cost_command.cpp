#include "cost/cost_command.hpp"

#include <unistd.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>

#include "cost/render.hpp"
#include "cost/report.hpp"
#include "cost/window.hpp"
#include "db/session.hpp"
#include "db/transaction.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace agentdb::cost {

namespace {

using nlohmann::json;

struct CostOptions {
  std::string since;
  std::string from;
  std::string to;
  std::string group_by = "day";
  std::string user;
  std::string model;
  std::string tz = "UTC";
  std::string format = "table";
  std::string html;
  std::string by = "user";
  int limit = 10;
  std::string limit_usd;
  std::string period = "month";
  bool per_user = false;
  std::string at;
  bool dry_run = false;
  bool compact = false;
  bool rebuild = false;
  bool check = false;
};

// The period's syntax is checked before connecting (a typo is exit 2 even with the server down);
// "today" needs the server's clock in the chosen zone.
void check_window_syntax(const CostOptions& options) {
  // With --from alone the window ends today, which is not known yet: end it at --from here.
  const auto stand_in_today = parse_date(options.from).value_or(Date{2000, 1, 1});
  (void)resolve_window(options.since, options.from, options.to, stand_in_today);
}

Window window_of(db::Session& session, const CostOptions& options) {
  check_time_zone(session, options.tz);
  return resolve_window(options.since, options.from, options.to, today_in(session, options.tz));
}

ExitCode run_report(Context& ctx, const CostOptions& options) {
  const auto group_by = parse_group_by(options.group_by);
  if (!group_by) {
    throw Error(ExitCode::usage, "unknown --group-by '" + options.group_by + "'",
                "use day, week, month, model, provider, user, agent or category");
  }
  if (options.format != "table" && options.format != "csv" && options.format != "json")
    throw Error(ExitCode::usage, "unknown --format '" + options.format + "'",
                "use table, csv or json");
  check_window_syntax(options);
  check_user_id(options.user);
  if (!options.html.empty()) {
    const auto dir = std::filesystem::absolute(options.html).parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      throw Error(ExitCode::usage,
                  "cannot write " + options.html + ": no directory " + dir.string(),
                  "create the directory or choose another --html path");
    }
  }
  // The sparkline of daily cost is for a person at a terminal, in the table.
  const bool sparkline =
      options.format == "table" && !ctx.out.json() && ::isatty(STDOUT_FILENO) == 1;
  auto& session = ctx.session();
  const auto window = window_of(session, options);
  const auto report =
      build_report(session, window, *group_by, Filters{options.tz, options.user, options.model},
                   Details{std::nullopt, !options.html.empty() || sparkline});
  for (const auto& model : report.unpriced_models) {
    ctx.out.warn("model " + model +
                 " has costs in this period but no price in model_prices; its stored costs are "
                 "shown as recorded");
  }
  if (!options.html.empty()) {
    util::write_file_atomic(options.html, render_html(report));
    ctx.out.note("wrote " + options.html);
  }
  if (ctx.out.json() || options.format == "json") {
    ctx.out.emit(report_json(report, false));
  } else if (options.format == "csv") {
    ctx.out.print_always(render_csv(report));
  } else {
    ctx.out.print(render_table(report, sparkline, false));
  }
  return ExitCode::ok;
}

ExitCode run_top(Context& ctx, const CostOptions& options) {
  GroupBy group_by;
  if (options.by == "user")
    group_by = GroupBy::user;
  else if (options.by == "model")
    group_by = GroupBy::model;
  else if (options.by == "agent")
    group_by = GroupBy::agent;
  else
    throw Error(ExitCode::usage, "unknown --by '" + options.by + "'", "use user, model or agent");
  if (options.limit < 1)
    throw Error(ExitCode::usage, "--limit must be 1 or more");
  check_window_syntax(options);
  auto& session = ctx.session();
  const auto window = window_of(session, options);
  const auto report = build_report(session, window, group_by, Filters{options.tz, "", ""},
                                   Details{options.limit, false});
  if (ctx.out.json())
    ctx.out.emit(report_json(report, true));
  else
    ctx.out.print(render_table(report, false, true));
  return ExitCode::ok;
}

// Spend so far in this UTC day or month, its projection to the period's end at the run rate so
// far, and a monitoring status against the limit.
Outcome run_budget(Context& ctx, const CostOptions& options) {
  const auto limit = options.limit_usd;
  if (limit.empty())
    throw Error(ExitCode::usage, "--limit-usd is required", "e.g. --limit-usd 500");
  static const std::regex amount("[0-9]{1,15}(\\.[0-9]{1,10})?");
  if (!std::regex_match(limit, amount) || !(std::strtod(limit.c_str(), nullptr) > 0)) {
    throw Error(ExitCode::usage, "invalid --limit-usd '" + limit + "'",
                "give a positive amount in USD, e.g. 500 or 12.50");
  }
  if (options.period != "day" && options.period != "month")
    throw Error(ExitCode::usage, "unknown --period '" + options.period + "'", "use day or month");
  if (options.per_user && !options.user.empty())
    throw Error(ExitCode::usage, "--user and --per-user both given", "choose one");
  check_user_id(options.user);
  auto& session = ctx.session();
  const std::string unit = options.period == "day" ? "day" : "month";
  // One snapshot of the clock: period start and end, the fraction gone.
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
  const auto start = clock["start"].as<std::string>();
  const auto finish = clock["finish"].as<std::string>();
  const double fraction = std::max(clock["fraction"].as<double>(), 1e-6);

  // Spend per user (or in total), exact; the status compares the exact sum with the limit.
  std::string sql;
  if (options.per_user || !options.user.empty()) {
    sql =
        "SELECT c.user_id::text AS who, coalesce(u.email, '') AS label, sum(c.total_cost_usd) AS "
        "spend"
        " FROM cost_tracking c LEFT JOIN users u ON u.id = c.user_id"
        " WHERE c.created_at >= ($1::timestamp AT TIME ZONE 'UTC')"
        " AND ($2 = '' OR c.user_id = nullif($2, '')::uuid)"
        " GROUP BY 1, 2 ORDER BY 3 DESC";
  } else {
    sql =
        "SELECT 'total' AS who, '' AS label, coalesce(sum(cost_usd), 0) AS spend FROM ("
        " SELECT cost_usd FROM cost_daily WHERE day >= $1::date"
        " UNION ALL SELECT cost_usd FROM cost_daily_delta WHERE day >= $1::date) r"
        " WHERE $2::text IS NOT NULL";
  }
  const auto rows = session.exec_params(
      "WITH spend AS (" + sql +
          ") SELECT who, label, spend::text, round(spend, 2)::text AS cents,"
          " round(spend / $4::float8::numeric, 2)::text AS projected,"
          " round(spend / $3::numeric * 100, 1)::text AS used_pct,"
          " CASE WHEN spend > $3::numeric THEN 2 WHEN spend >= 0.8 * $3::numeric THEN 1 ELSE 0 END"
          " AS status FROM spend",
      start, options.user, limit, std::to_string(fraction));
  int worst = 0;
  json people = json::array();
  Table table({"WHO", "SPENT USD", "OF LIMIT", "PROJECTED USD", "STATUS"});
  static constexpr const char* kStatus[] = {"OK", "WARNING", "CRITICAL"};
  for (const auto& row : rows) {
    const int status = row["status"].as<int>();
    worst = std::max(worst, status);
    const auto who = row["who"].as<std::string>();
    const auto label = row["label"].as<std::string>();
    people.push_back({{"key", who},
                      {"label", label},
                      {"spent_usd", row["spend"].as<std::string>()},
                      {"used_pct", row["used_pct"].as<std::string>()},
                      {"projected_usd", row["projected"].as<std::string>()},
                      {"status", kStatus[status]}});
    // Per user, list those that need attention and the top spenders; all with --verbose.
    if (!options.per_user || status > 0 || people.size() <= 10 || ctx.out.verbose()) {
      table.add_row({label.empty() ? who : label, row["cents"].as<std::string>(),
                     row["used_pct"].as<std::string>() + "%", row["projected"].as<std::string>(),
                     kStatus[status]});
    }
  }
  if (rows.empty()) {
    table.add_row({options.user.empty() ? "total" : options.user, "0.00", "0.0%", "0.00", "OK"});
  }
  const std::string summary = std::string(kStatus[worst]) + ": " + unit + " from " + start +
                              " UTC, limit " + limit + " USD" +
                              (options.per_user ? " per user" : "");
  if (ctx.out.json()) {
    ctx.out.emit({{"status", kStatus[worst]},
                  {"exit_code", worst},
                  {"period", unit},
                  {"period_start", start},
                  {"period_end", finish},
                  {"elapsed_fraction", fraction},
                  {"limit_usd", limit},
                  {"spend", people}});
  } else {
    ctx.out.print(table.render());
    ctx.out.print(summary);
  }
  constexpr PluginStatus kByRank[] = {PluginStatus::ok, PluginStatus::warning,
                                      PluginStatus::critical};
  return kByRank[worst];
}

ExitCode run_prices(Context& ctx, const CostOptions& options) {
  std::string at = "now";
  if (!options.at.empty()) {
    if (!parse_date(options.at))
      throw Error(ExitCode::usage, "invalid date '" + options.at + "'", "write YYYY-MM-DD");
    at = options.at;
  }
  auto& session = ctx.session();
  // In force at the end of the given day (UTC), or now.
  const auto rows = session.exec_params(
      "SELECT DISTINCT ON (provider, model) provider, model, input_usd_per_million::text,"
      " output_usd_per_million::text, to_char(effective_from AT TIME ZONE 'UTC',"
      " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM model_prices"
      " WHERE effective_from < CASE WHEN $1 = 'now' THEN now()"
      " ELSE ($1::date + 1)::timestamp AT TIME ZONE 'UTC' END"
      " ORDER BY provider, model, effective_from DESC",
      at);
  if (ctx.out.json()) {
    json prices = json::array();
    for (const auto& row : rows) {
      prices.push_back({{"provider", row[0].as<std::string>()},
                        {"model", row[1].as<std::string>()},
                        {"input_usd_per_million", row[2].as<std::string>()},
                        {"output_usd_per_million", row[3].as<std::string>()},
                        {"effective_from", row[4].as<std::string>()}});
    }
    ctx.out.emit({{"at", at}, {"prices", prices}});
    return ExitCode::ok;
  }
  Table table({"PROVIDER", "MODEL", "INPUT USD/M", "OUTPUT USD/M", "SINCE"});
  for (const auto& row : rows) {
    table.add_row({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                   row[3].as<std::string>(), row[4].as<std::string>()});
  }
  ctx.out.print(table.render());
  ctx.out.print(std::to_string(rows.size()) + " models priced at " + at);
  return ExitCode::ok;
}

// Recomputes costs from tokens and the prices in force at each row's time, in one transaction.
ExitCode run_recompute(Context& ctx, const CostOptions& options) {
  if (options.since.empty() && options.from.empty())
    throw Error(ExitCode::usage, "recompute needs a period", "give --since 30d or --from DATE");
  check_window_syntax(options);
  auto& session = ctx.session();
  const auto window = window_of(session, options);
  db::Transaction transaction(session);
  (void)session.exec("SET LOCAL agentdb.cost_recompute = 'on'");
  const auto bounds = [&](const std::string& column) {
    return column + " >= ($1::date::timestamp AT TIME ZONE $3) AND " + column +
           " < (($2::date + 1)::timestamp AT TIME ZONE $3)";
  };
  const auto changed = session.exec_params(
      "WITH priced AS (SELECT id, created_at, model_provider, model_name, total_cost_usd AS "
      "old_cost,"
      " model_cost_usd(model_provider, model_name, prompt_tokens, completion_tokens, created_at)"
      "::numeric(20,10) AS new_cost FROM cost_tracking WHERE " +
          bounds("created_at") +
          "), updated AS (UPDATE cost_tracking c SET total_cost_usd = p.new_cost FROM priced p"
          " WHERE c.id = p.id AND c.created_at = p.created_at AND p.new_cost IS NOT NULL"
          " AND p.new_cost <> p.old_cost AND " +
          bounds("c.created_at") +
          " RETURNING p.model_provider, p.model_name, p.old_cost, p.new_cost)"
          " SELECT model_provider || '/' || model_name, count(*), sum(old_cost)::text,"
          " sum(new_cost)::text, (sum(new_cost) - sum(old_cost))::text FROM updated"
          " GROUP BY 1 ORDER BY 1",
      window.from.text(), window.to.text(), options.tz);
  const auto unpriced = session.exec_params(
      "SELECT model_provider || '/' || model_name, count(*) FROM cost_tracking WHERE " +
          bounds("created_at") +
          " AND model_cost_usd(model_provider, model_name, prompt_tokens, completion_tokens,"
          " created_at) IS NULL GROUP BY 1 ORDER BY 1",
      window.from.text(), window.to.text(), options.tz);
  if (options.dry_run) {
    transaction.rollback();
  } else {
    transaction.commit();
  }
  long long rows_changed = 0;
  json models = json::array();
  Table table({"MODEL", "ROWS CHANGED", "OLD USD", "NEW USD", "DIFFERENCE"});
  for (const auto& row : changed) {
    rows_changed += row[1].as<long long>();
    models.push_back({{"model", row[0].as<std::string>()},
                      {"rows", row[1].as<long long>()},
                      {"old_cost_usd", row[2].as<std::string>()},
                      {"new_cost_usd", row[3].as<std::string>()},
                      {"difference_usd", row[4].as<std::string>()}});
    table.add_row({row[0].as<std::string>(), std::to_string(row[1].as<long long>()),
                   row[2].as<std::string>(), row[3].as<std::string>(), row[4].as<std::string>()});
  }
  json missing = json::array();
  for (const auto& row : unpriced) {
    missing.push_back({{"model", row[0].as<std::string>()}, {"rows", row[1].as<long long>()}});
    ctx.out.warn(std::to_string(row[1].as<long long>()) + " rows of " + row[0].as<std::string>() +
                 " have no price in force at their time and were left as they are; add the "
                 "price to model_prices and run recompute again");
  }
  if (ctx.out.json()) {
    ctx.out.emit({{"from", window.from.text()},
                  {"to", window.to.text()},
                  {"dry_run", options.dry_run},
                  {"rows_changed", rows_changed},
                  {"models", models},
                  {"unpriced", missing}});
  } else {
    if (!changed.empty())
      ctx.out.print(table.render());
    ctx.out.print((options.dry_run ? "would change " : "changed ") + std::to_string(rows_changed) +
                  " cost rows from " + window.from.text() + " to " + window.to.text() +
                  (options.dry_run ? " (dry run, rolled back)" : ""));
  }
  return ExitCode::ok;
}

ExitCode run_rollup(Context& ctx, const CostOptions& options) {
  auto& session = ctx.session();
  json result = json::object();
  if (options.rebuild) {
    result["rebuilt_rows"] = session.exec("SELECT cost_daily_rebuild()")[0][0].as<long long>();
    ctx.out.print("rebuilt the rollup from the ledger: " +
                  std::to_string(result["rebuilt_rows"].get<long long>()) + " rows");
  }
  if (options.compact) {
    result["folded_deltas"] = session.exec("SELECT cost_daily_compact()")[0][0].as<long long>();
    ctx.out.print("folded " + std::to_string(result["folded_deltas"].get<long long>()) +
                  " delta rows into the rollup");
  }
  const auto sizes = session.exec(
      "SELECT (SELECT count(*) FROM cost_daily), (SELECT count(*) FROM cost_daily_delta)")[0];
  result["rollup_rows"] = sizes[0].as<long long>();
  result["delta_rows"] = sizes[1].as<long long>();
  ExitCode code = ExitCode::ok;
  if (options.check) {
    // The rollup against the ledger, key by key, in one snapshot.
    db::Transaction snapshot(session, db::Isolation::repeatable_read, db::Access::read_only);
    const auto differences = session.exec(
        "WITH rollup AS (SELECT day, model_provider, model_name, usage_category,"
        " sum(requests) AS requests, sum(total_tokens) AS total_tokens, sum(cost_usd) AS cost"
        " FROM (SELECT * FROM cost_daily UNION ALL SELECT * FROM cost_daily_delta) r"
        " GROUP BY 1, 2, 3, 4),"
        " ledger AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, model_provider,"
        " model_name, usage_category, count(*) AS requests, sum(total_tokens) AS total_tokens,"
        " sum(total_cost_usd) AS cost FROM cost_tracking GROUP BY 1, 2, 3, 4)"
        " SELECT coalesce(l.day, r.day)::text, coalesce(l.model_name, r.model_name),"
        " coalesce(l.usage_category, r.usage_category), coalesce(l.cost, 0)::text,"
        " coalesce(r.cost, 0)::text FROM ledger l FULL JOIN rollup r"
        " USING (day, model_provider, model_name, usage_category)"
        " WHERE l.requests IS DISTINCT FROM r.requests AND NOT (l.requests IS NULL AND r.requests "
        "= 0)"
        " OR l.total_tokens IS DISTINCT FROM r.total_tokens AND NOT (l.requests IS NULL AND "
        "r.requests = 0)"
        " OR coalesce(l.cost, 0) <> coalesce(r.cost, 0) ORDER BY 1 LIMIT 20");
    snapshot.commit();
    json mismatches = json::array();
    for (const auto& row : differences) {
      mismatches.push_back({{"day", row[0].as<std::string>()},
                            {"model", row[1].as<std::string>()},
                            {"category", row[2].as<std::string>()},
                            {"ledger_cost_usd", row[3].as<std::string>()},
                            {"rollup_cost_usd", row[4].as<std::string>()}});
    }
    result["mismatches"] = mismatches;
    if (!differences.empty()) {
      code = ExitCode::conflict;
      ctx.out.warn("the rollup differs from the ledger on " + std::to_string(differences.size()) +
                   (differences.size() == 20 ? "+" : "") +
                   " keys (first: " + mismatches[0]["day"].get<std::string>() + " " +
                   mismatches[0]["model"].get<std::string>() +
                   "); were partitions dropped or truncated? run 'agentdb cost rollup --rebuild'");
    } else {
      ctx.out.print("the rollup matches the ledger");
    }
  }
  if (ctx.out.json())
    ctx.out.emit(result);
  else
    ctx.out.print("rollup: " + std::to_string(result["rollup_rows"].get<long long>()) + " rows, " +
                  std::to_string(result["delta_rows"].get<long long>()) +
                  " delta rows not yet folded in");
  return code;
}

void add_window_options(CLI::App* app, CostOptions& options, bool required = false) {
  app->add_option("--since", options.since,
                  required ? "The last N days or weeks, e.g. 30d, 12w (this or --from is required)"
                           : "The last N days or weeks, e.g. 30d, 365d, 12w (default 30d)");
  app->add_option("--from", options.from, "First day, YYYY-MM-DD (with --to: instead of --since)");
  app->add_option("--to", options.to, "Last day, YYYY-MM-DD (default today)");
  app->add_option("--tz", options.tz, "Time zone of the days (default UTC)");
}

}  // namespace

void register_commands(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<CostOptions>();
  auto* group = &family;
  group->require_subcommand(1);

  auto* report = group->add_subcommand(
      "report",
      "Cost, tokens, requests and execution times per group, with totals and the change "
      "against the previous period");
  add_window_options(report, *options);
  report->add_option("--group-by", options->group_by,
                     "day, week, month, model, provider, user, agent or category (default day)");
  report->add_option("--user", options->user, "Only this user (uuid)");
  report->add_option("--model", options->model, "Only this model name");
  report->add_option("--format", options->format, "table, csv or json (default table)");
  report->add_option("--html", options->html, "Also write a self-contained HTML report to FILE");
  commands.push_back(
      {report, [options](Context& ctx) { return run_report(ctx, *options); }, Needs::session});

  auto* top = group->add_subcommand("top", "The biggest spenders and their share of the total");
  add_window_options(top, *options);
  top->add_option("--by", options->by, "user, model or agent (default user)");
  top->add_option("--limit", options->limit, "How many (default 10)");
  commands.push_back(
      {top, [options](Context& ctx) { return run_top(ctx, *options); }, Needs::session});

  auto* budget = group->add_subcommand(
      "budget",
      "Spend so far this day or month against a limit, projected to the period's end; "
      "exit 0 under 80%, 1 at 80% or more, 2 over the limit");
  budget->add_option("--limit-usd", options->limit_usd, "The limit in USD");
  budget->add_option("--period", options->period, "day or month (UTC; default month)");
  budget->add_option("--user", options->user, "Only this user's spend (uuid)");
  budget->add_flag("--per-user", options->per_user, "Each user's spend against the limit");
  commands.push_back({budget, [options](Context& ctx) { return run_budget(ctx, *options); },
                      Needs::session, ExitConvention::plugin_result});

  auto* prices = group->add_subcommand("prices", "The model prices in force");
  prices->add_option("--at", options->at,
                     "In force at the end of this day, YYYY-MM-DD (default now)");
  commands.push_back(
      {prices, [options](Context& ctx) { return run_prices(ctx, *options); }, Needs::session});

  auto* recompute = group->add_subcommand(
      "recompute",
      "Recompute stored costs from tokens and the prices in force at their time, in "
      "one transaction");
  add_window_options(recompute, *options, true);
  recompute->add_flag("--dry-run", options->dry_run, "Report what would change, change nothing");
  commands.push_back({recompute, [options](Context& ctx) { return run_recompute(ctx, *options); },
                      Needs::session});

  auto* rollup = group->add_subcommand(
      "rollup", "The daily rollup behind fast reports: its size, --compact, --rebuild, --check");
  rollup->add_flag("--compact", options->compact, "Fold the pending deltas into the rollup");
  rollup->add_flag("--rebuild", options->rebuild, "Recompute the rollup from the ledger");
  rollup->add_flag("--check", options->check,
                   "Compare the rollup with the ledger; exit 4 when they differ");
  commands.push_back(
      {rollup, [options](Context& ctx) { return run_rollup(ctx, *options); }, Needs::session});
}

}  // namespace agentdb::cost
