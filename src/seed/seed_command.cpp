#include "seed/seed_command.hpp"

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "seed/seed_set.hpp"
#include "seed/seeder.hpp"

namespace agentdb::seed {

namespace {

using nlohmann::json;

struct SeedOptions {
  std::string dir;
  std::vector<std::string> sets;
  bool list = false;
  bool dry_run = false;
};

std::filesystem::path seeds_dir(const Context& ctx, const SeedOptions& options) {
  return ctx.config.resolve_or(options.dir, "AGENTDB_SEEDS_DIR", "seed.dir", "seeds");
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
  auto session = db::Session::open(ctx.database());
  json results = json::array();
  for (const auto& set : sets) {
    const auto outcome = apply_set(*session, set, options.dry_run ? Commit::no : Commit::yes);
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

void register_commands(CLI::App& parent, std::vector<Command>& commands) {
  auto options = std::make_shared<SeedOptions>();
  auto* seed = parent.add_subcommand(
      "seed", "Load reference and demo data from seeds/ (idempotent; default set: reference)");
  seed->add_option("SET", options->sets, "Seed sets to apply, in order (default: reference)");
  seed->add_option("--dir", options->dir,
                   "Seeds directory (env AGENTDB_SEEDS_DIR; default ./seeds)");
  seed->add_flag("--list", options->list, "List the seed sets and what they hold");
  seed->add_flag("--dry-run", options->dry_run,
                 "Apply in a transaction, report the counts, then roll back");
  commands.push_back({seed, [options](Context& ctx) { return run_seed(ctx, *options); }});
}

}  // namespace agentdb::seed
