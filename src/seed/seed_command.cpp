#include "seed/seed_command.hpp"
#include "seed/settings.hpp"

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/validators.hpp"
#include "seed/seed_set.hpp"
#include "seed/seeder.hpp"
#include "seed/synth_writer.hpp"

namespace agentdb::seed {

namespace {

using nlohmann::json;

struct SeedOptions {
  std::string dir;
  std::vector<std::string> sets;
  bool list = false;
  bool dry_run = false;
};

struct SynthOptions {
  long long scale = 1;
  long long users = -1;  // -1: from --scale
  long long conversations = -1;
  long long messages = -1;
  long long executions = -1;
  std::uint64_t random_seed = 1;
  int days = 90;
  std::string end;  // YYYY-MM-DD; default: today (UTC)
};

// Midnight UTC at the start of `date`, or of today when empty, as Unix seconds: the data ends
// there, so a run on the same day with the same seed writes the same data.
long long end_of_window(const std::string& date) {
  std::tm parts{};
  if (date.empty()) {
    const std::time_t now = std::time(nullptr);
    ::gmtime_r(&now, &parts);
  } else if (::strptime(date.c_str(), "%Y-%m-%d", &parts) == nullptr) {
    throw Error(ExitCode::usage, "invalid --end '" + date + "'", "use a date such as 2026-11-23");
  }
  parts.tm_hour = parts.tm_min = parts.tm_sec = 0;
  return static_cast<long long>(::timegm(&parts));
}

ExitCode run_synth(Context& ctx, const SynthOptions& options) {
  SynthSettings settings;
  settings.counts = counts_for_scale(options.scale);
  if (options.users >= 0)
    settings.counts.users = options.users;
  if (options.conversations >= 0)
    settings.counts.conversations = options.conversations;
  if (options.messages >= 0)
    settings.counts.messages = options.messages;
  if (options.executions >= 0)
    settings.counts.executions = options.executions;
  const auto& c = settings.counts;
  if (c.users < 1 || c.conversations < 1 || c.messages < 0 || c.executions < 0) {
    throw Error(ExitCode::usage, "synthetic data needs at least one user and one conversation");
  }
  settings.random_seed = options.random_seed;
  settings.days = options.days;
  settings.end_unix = end_of_window(options.end);
  const bool show_progress = !ctx.out.json() && ::isatty(STDERR_FILENO) == 1;
  const auto progress = [&](const std::string& table, long long done, long long planned) {
    if (!show_progress)
      return;
    std::fprintf(stderr, "\r\033[K  %-17s %12lld / %lld rows", table.c_str(), done, planned);
    if (done >= planned)
      std::fputc('\n', stderr);
  };
  const auto report = write_synth(ctx.database(), settings, progress);
  const auto rate =
      report.seconds > 0 ? static_cast<long long>(report.total_rows() / report.seconds) : 0;
  if (ctx.out.json()) {
    json tables = json::array();
    for (const auto& t : report.tables)
      tables.push_back({{"table", t.table}, {"rows", t.rows}});
    ctx.out.emit({{"tables", tables},
                  {"rows", report.total_rows()},
                  {"seconds", report.seconds},
                  {"rows_per_second", rate},
                  {"random_seed", options.random_seed}});
    return ExitCode::ok;
  }
  Table table({"TABLE", "ROWS"});
  for (const auto& t : report.tables)
    table.add_row({t.table, std::to_string(t.rows)});
  ctx.out.print(table.render());
  char summary[160];
  std::snprintf(summary, sizeof summary,
                "wrote %lld rows in %.1f s (%lld rows/s), random seed %llu", report.total_rows(),
                report.seconds, rate, static_cast<unsigned long long>(options.random_seed));
  ctx.out.print(summary);
  return ExitCode::ok;
}

std::filesystem::path seeds_dir(const Context& ctx, const SeedOptions& options) {
  return ctx.config.value(kSeedsDir, options.dir);
}

ExitCode run_list(Context& ctx, const SeedOptions& options) {
  const auto root = seeds_dir(ctx, options);
  json sets = json::array();
  Table table({"SET", "FILES", "ROWS", "TABLES"});
  for (const auto& name : list_sets(root)) {
    const auto set = load_set(root, name);
    std::vector<std::string> tables;
    for (const auto& file : set.files)
      tables.push_back(file.table);
    sets.push_back({{"name", name},
                    {"files", set.files.size()},
                    {"rows", set.row_count()},
                    {"tables", tables}});
    std::string joined;
    for (const auto& t : tables)
      joined += (joined.empty() ? "" : ", ") + t;
    table.add_row(
        {name, std::to_string(set.files.size()), std::to_string(set.row_count()), joined});
  }
  if (ctx.out.json()) {
    ctx.out.emit({{"directory", root.string()}, {"sets", sets}});
  } else {
    ctx.out.print(table.render());
  }
  return ExitCode::ok;
}

void print_outcome(Context& ctx, const SetOutcome& outcome, bool dry_run) {
  Table table({"FILE", "TABLE", "INSERTED", "UPDATED", "UNCHANGED"});
  for (const auto& f : outcome.files) {
    table.add_row({f.file->path.filename().string(), f.file->table, std::to_string(f.inserted),
                   std::to_string(f.updated), std::to_string(f.unchanged)});
  }
  ctx.out.print(table.render());
  const std::string prefix =
      (dry_run ? "dry run, rolled back: set " : "set ") + outcome.set->name + ": ";
  if (outcome.inserted() == 0 && outcome.updated() == 0) {
    ctx.out.print(prefix + "nothing changed (" + std::to_string(outcome.unchanged()) +
                  " rows already as in the files)");
  } else {
    ctx.out.print(prefix + std::to_string(outcome.inserted()) + " inserted, " +
                  std::to_string(outcome.updated()) + " updated, " +
                  std::to_string(outcome.unchanged()) + " unchanged");
  }
}

json outcome_json(const SetOutcome& outcome) {
  json files = json::array();
  for (const auto& f : outcome.files) {
    files.push_back({{"file", f.file->path.string()},
                     {"table", f.file->table},
                     {"inserted", f.inserted},
                     {"updated", f.updated},
                     {"unchanged", f.unchanged}});
  }
  return {{"name", outcome.set->name},
          {"files", files},
          {"inserted", outcome.inserted()},
          {"updated", outcome.updated()},
          {"unchanged", outcome.unchanged()}};
}

ExitCode run_seed(Context& ctx, const SeedOptions& options) {
  if (options.list)
    return run_list(ctx, options);
  const auto root = seeds_dir(ctx, options);
  const auto names = options.sets.empty() ? std::vector<std::string>{"reference"} : options.sets;
  // Load every set before connecting: a malformed file must fail with nothing written.
  std::vector<SeedSet> sets;
  for (const auto& name : names)
    sets.push_back(load_set(root, name));
  auto& session = ctx.session();
  json results = json::array();
  for (const auto& set : sets) {
    const auto outcome = apply_set(session, set, options.dry_run ? Commit::no : Commit::yes);
    if (ctx.out.json()) {
      results.push_back(outcome_json(outcome));
    } else {
      print_outcome(ctx, outcome, options.dry_run);
    }
  }
  if (ctx.out.json())
    ctx.out.emit({{"dry_run", options.dry_run}, {"sets", results}});
  return ExitCode::ok;
}

}  // namespace

void register_commands(CLI::App& family, std::vector<Command>& commands) {
  auto options = std::make_shared<SeedOptions>();
  auto* seed = &family;
  seed->add_option("SET", options->sets, "Seed sets to apply, in order (default: reference)");
  seed->add_option("--dir", options->dir,
                   "Seeds directory (env AGENTDB_SEEDS_DIR; default ./seeds)");
  seed->add_flag("--list", options->list, "List the seed sets and what they hold");
  seed->add_flag("--dry-run", options->dry_run,
                 "Apply in a transaction, report the counts, then roll back");
  commands.push_back(
      {seed, [options](Context& ctx) { return run_seed(ctx, *options); }, Needs::session});

  auto synth_options = std::make_shared<SynthOptions>();
  auto* synth = seed->add_subcommand(
      "synth", "Generate realistic synthetic data at scale with COPY (deterministic per seed)");
  synth
      ->add_option("--scale", synth_options->scale,
                   "Preset size: N x (1,000 users, 10,000 conversations, 200,000 messages, "
                   "40,000 executions); default 1")
      ->check(whole_number(1));
  synth->add_option("--users", synth_options->users, "Number of users (overrides --scale)");
  synth->add_option("--conversations", synth_options->conversations, "Number of conversations");
  synth->add_option("--messages", synth_options->messages, "Number of messages");
  synth->add_option("--executions", synth_options->executions, "Number of agent executions");
  synth->add_option("--random-seed", synth_options->random_seed,
                    "Seed of the generator (default 1)");
  synth
      ->add_option("--days", synth_options->days,
                   "Spread the data over this many days (default 90)")
      ->check(whole_number(1, 3650));
  synth->add_option("--end", synth_options->end,
                    "The data ends at midnight UTC starting this day, YYYY-MM-DD (default today)");
  commands.push_back(
      {synth,
       [options, synth_options](Context& ctx) {
         // seed's own options fall through to synth's command line; none applies.
         if (options->dry_run || options->list || !options->sets.empty() || !options->dir.empty()) {
           throw Error(ExitCode::usage, "seed synth takes none of --dry-run, --list, --dir or SET",
                       "see 'agentdb seed synth --help'");
         }
         return run_synth(ctx, *synth_options);
       },
       Needs::session});
}

}  // namespace agentdb::seed
