#include "seed/seed_command.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdint>
#include <memory>

#include "core/output.hpp"
#include "core/validators.hpp"
#include "seed/seed.hpp"
#include "seed/seed_render.hpp"
#include "seed/settings.hpp"

namespace agentdb::seed {

namespace {

struct SeedOptions {
  std::string dir;
  std::vector<std::string> sets;
  bool list = false;
  bool dry_run = false;
};

struct SynthOptions {
  long long scale = 1;
  long long users = -1;  // -1 (or any negative): from --scale
  long long conversations = -1;
  long long messages = -1;
  long long executions = -1;
  std::uint64_t random_seed = 1;
  int days = 90;
  std::string end;  // YYYY-MM-DD; default: today (UTC)
};

// The generator takes any 64-bit seed; CLI11 alone would read "-1" as 2^64-1.
CLI::Validator any_64_bit_word() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        std::uint64_t parsed = 0;
        const auto* end = value.data() + value.size();
        const auto [stop, error] = std::from_chars(value.data(), end, parsed);
        if (value.empty() || error != std::errc() || stop != end)
          return "'" + value + "' is not a whole number from 0 to 18446744073709551615 (2^64-1)";
        return {};
      },
      "", "0 to 2^64-1");
}

std::optional<long long> given(long long count) {
  return count >= 0 ? std::optional<long long>(count) : std::nullopt;
}

ExitCode run_synth(Context& ctx, const SynthOptions& options) {
  const auto settings = synth_settings(
      {options.scale, given(options.users), given(options.conversations), given(options.messages),
       given(options.executions), options.random_seed, options.days, options.end});
  // Live on a terminal, a line every few seconds in a log, nothing under --json or --quiet.
  ProgressLine progress(ctx.out);
  SynthProgress on_chunk;
  if (progress.enabled()) {
    on_chunk = [&progress](const std::string& table, long long done, long long planned) {
      progress.update(synth_progress_line(table, done, planned));
    };
  }
  // The primary's own target, found by asking (db/primary.hpp): the writer's COPY connections
  // then reach it, as migrate's backup does.
  const auto report = write_synth(ctx.session().target(), settings, on_chunk);
  progress.finish();
  if (ctx.out.json()) {
    ctx.out.emit(synth_json(report, options.random_seed));
    return ExitCode::ok;
  }
  for (const auto& line : synth_lines(report, options.random_seed))
    ctx.out.print(line);
  return ExitCode::ok;
}

ExitCode run_list(Context& ctx, const std::filesystem::path& dir) {
  const auto sets = list_seed_sets(dir);
  if (ctx.out.json()) {
    ctx.out.emit(sets_json(dir, sets));
  } else {
    ctx.out.print(sets_table(sets));
  }
  return ExitCode::ok;
}

ExitCode run_seed(Context& ctx, const SeedOptions& options) {
  const std::filesystem::path dir = ctx.config.value(kSeedsDir, options.dir);
  if (options.list)
    return run_list(ctx, dir);
  SeedRequest request{dir, options.sets, options.dry_run ? Commit::no : Commit::yes, {}};
  if (!ctx.out.json()) {
    request.after_each = [&](const SetOutcome& outcome) {
      for (const auto& line : outcome_lines(outcome, request.commit))
        ctx.out.print(line);
    };
  }
  const auto sets = load_seed_sets(request);  // before connecting
  const auto result = apply_seed_sets(ctx.session(), sets, request);
  if (ctx.out.json())
    ctx.out.emit(seed_json(result));
  return ExitCode::ok;
}

void add_synth(CLI::App& seed, const std::shared_ptr<SeedOptions>& seed_options,
               std::vector<Command>& commands) {
  auto options = std::make_shared<SynthOptions>();
  auto* synth = seed.add_subcommand(
      "synth", "Generate realistic synthetic data at scale with COPY (deterministic per seed)");
  synth
      ->add_option("--scale", options->scale,
                   "Preset size: N x (1,000 users, 10,000 conversations, 200,000 messages, "
                   "40,000 executions); default 1")
      ->check(whole_number(1, kMaxSynthScale));
  synth->add_option("--users", options->users, "Number of users (overrides --scale)")
      ->check(whole_number(1, kMaxSynthHeld));
  synth->add_option("--conversations", options->conversations, "Number of conversations")
      ->check(whole_number(1, kMaxSynthHeld));
  synth->add_option("--messages", options->messages, "Number of messages")
      ->check(whole_number(0, kMaxSynthRows));
  synth->add_option("--executions", options->executions, "Number of agent executions")
      ->check(whole_number(0, kMaxSynthRows));
  synth->add_option("--random-seed", options->random_seed, "Seed of the generator (default 1)")
      ->check(any_64_bit_word());
  synth->add_option("--days", options->days, "Spread the data over this many days (default 90)")
      ->check(whole_number(1, kMaxSynthDays));
  synth->add_option("--end", options->end,
                    "The data ends at midnight UTC starting this day, YYYY-MM-DD (default today)");
  commands.push_back({synth,
                      [seed_options, options](Context& ctx) {
                        // seed's own options fall through to synth's command line; none applies.
                        const auto& s = *seed_options;
                        if (s.dry_run || s.list || !s.sets.empty() || !s.dir.empty()) {
                          throw Error(ExitCode::usage,
                                      "seed synth takes none of --dry-run, --list, --dir or SET",
                                      "see 'agentdb seed synth --help'");
                        }
                        return run_synth(ctx, *options);
                      },
                      Needs::primary});
}

}  // namespace

void register_commands(CLI::App& seed, std::vector<Command>& commands) {
  auto options = std::make_shared<SeedOptions>();
  seed.add_option("SET", options->sets, "Seed sets to apply, in order (default: reference)");
  seed.add_option("--dir", options->dir,
                  "Seeds directory (env AGENTDB_SEEDS_DIR; default ./seeds)");
  seed.add_flag("--list", options->list, "List the seed sets and what they hold");
  seed.add_flag("--dry-run", options->dry_run,
                "Apply in a transaction, report the counts, then roll back");
  commands.push_back(
      {&seed, [options](Context& ctx) { return run_seed(ctx, *options); }, Needs::primary});
  add_synth(seed, options, commands);
}

}  // namespace agentdb::seed
