// `cost report` and `cost top`.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>

#include "cost/choice.hpp"
#include "cost/commands.hpp"
#include "cost/render.hpp"
#include "db/transaction.hpp"
#include "util/files.hpp"

namespace agentdb::cost {

namespace {

enum class ReportFormat { table, csv, json };

struct ReportOptions {
  PeriodRequest period;
  Choice<GroupBy> group_by{GroupBy::day};
  std::string user;
  std::string model;
  Choice<ReportFormat> format{ReportFormat::table};
  std::string html;
};

struct TopOptions {
  PeriodRequest period;
  Choice<GroupBy> by{GroupBy::user};
  int limit = 10;
};

// Before the query, so a bad path costs no database work; write_html still reports what only
// the write finds (permissions, a full disk).
void check_html_path(const std::string& html) {
  if (html.empty())
    return;
  std::error_code ec;
  if (std::filesystem::is_directory(html, ec) || html.ends_with('/')) {
    throw Error(ExitCode::usage, "--html " + html + " names a folder, not a file",
                "name the file to write, e.g. --html " +
                    (std::filesystem::path(html) / "report.html").string());
  }
  const auto dir = std::filesystem::absolute(html).parent_path();
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(ExitCode::usage, "cannot write " + html + ": no directory " + dir.string(),
                "create the directory or choose another --html path");
  }
}

void write_html(const std::string& html, const std::string& page) {
  try {
    util::write_file_atomic(html, page);
  } catch (const util::FileWriteError& e) {
    throw Error(e.names_unusable_path() ? ExitCode::usage : ExitCode::failure,
                std::string("--html: ") + e.what(), e.hint());
  }
}

// The several statements of a report see one snapshot, so its groups add up to its totals.
template <typename Fn>
Report in_one_snapshot(db::Session& session, Fn&& fn) {
  db::Transaction snapshot(session, db::Isolation::repeatable_read, db::Access::read_only);
  auto result = fn(session);
  snapshot.commit();
  return result;
}

void print_report(const Context& ctx, const Report& report, ReportFormat format, bool sparkline) {
  if (ctx.out.json() || format == ReportFormat::json) {
    ctx.out.emit(report_json(report, ShareColumn::hidden));
  } else if (format == ReportFormat::csv) {
    ctx.out.print_always(render_csv(report));
  } else {
    ctx.out.print(render_table(report, {.sparkline = sparkline, .share = ShareColumn::hidden}));
  }
}

Outcome run_report(Context& ctx, const ReportOptions& options) {
  ReportRequest request{.period = options.period,
                        .group_by = options.group_by.get(),
                        .user = options.user,
                        .model = options.model,
                        .daily_series = DailySeries::omit};
  const auto format = options.format.get();
  validate(request);
  check_html_path(options.html);
  // The sparkline of daily cost is for a person at a terminal, in the table.
  const bool sparkline =
      format == ReportFormat::table && !ctx.out.json() && ::isatty(STDOUT_FILENO) == 1;
  if (!options.html.empty() || sparkline)
    request.daily_series = DailySeries::fill;
  const auto result =
      in_one_snapshot(ctx.session(), [&](db::Session& s) { return report(s, request); });
  for (const auto& model : result.unpriced_models)
    ctx.out.warn(unpriced_model_warning(model));
  if (!options.html.empty()) {
    write_html(options.html, render_html(result));
    ctx.out.note("wrote " + options.html);
  }
  print_report(ctx, result, format, sparkline);
  return ExitCode::ok;
}

Outcome run_top(Context& ctx, const TopOptions& options) {
  const TopRequest request{
      .period = options.period, .by = options.by.get(), .limit = options.limit};
  validate(request);
  const auto result =
      in_one_snapshot(ctx.session(), [&](db::Session& s) { return top(s, request); });
  if (ctx.out.json())
    ctx.out.emit(report_json(result, ShareColumn::shown));
  else
    ctx.out.print(render_table(result, {.sparkline = false, .share = ShareColumn::shown}));
  return ExitCode::ok;
}

void add_report(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<ReportOptions>();
  auto* report = family.add_subcommand(
      "report",
      "Cost, tokens, requests and execution times per group, with totals and the change "
      "against the previous period");
  add_period_options(report, options->period);
  options->group_by.add_to(report, "--group-by",
                           {{"day", GroupBy::day},
                            {"week", GroupBy::week},
                            {"month", GroupBy::month},
                            {"model", GroupBy::model},
                            {"provider", GroupBy::provider},
                            {"user", GroupBy::user},
                            {"agent", GroupBy::agent},
                            {"category", GroupBy::category}},
                           "use day, week, month, model, provider, user, agent or category",
                           "day, week, month, model, provider, user, agent or category (default "
                           "day)");
  report->add_option("--user", options->user, "Only this user (uuid)");
  report->add_option("--model", options->model, "Only this model name");
  options->format.add_to(
      report, "--format",
      {{"table", ReportFormat::table}, {"csv", ReportFormat::csv}, {"json", ReportFormat::json}},
      "use table, csv or json", "table, csv or json (default table)");
  report->add_option("--html", options->html, "Also write a self-contained HTML report to FILE");
  commands.push_back(
      {report, [options](Context& ctx) { return run_report(ctx, *options); }, Needs::session});
}

void add_top(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<TopOptions>();
  auto* top = family.add_subcommand("top", "The biggest spenders and their share of the total");
  add_period_options(top, options->period);
  options->by.add_to(
      top, "--by", {{"user", GroupBy::user}, {"model", GroupBy::model}, {"agent", GroupBy::agent}},
      "use user, model or agent", "user, model or agent (default user)");
  top->add_option("--limit", options->limit, "How many (default 10)");
  commands.push_back(
      {top, [options](Context& ctx) { return run_top(ctx, *options); }, Needs::session});
}

}  // namespace

void add_report_commands(CLI::App& family, std::vector<Command>& commands) {
  add_report(family, commands);
  add_top(family, commands);
}

}  // namespace agentdb::cost
