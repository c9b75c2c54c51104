// `migrate baseline` and `repair`: bind the options, call migrate.hpp and show the result.
#include "core/validators.hpp"
#include "migrate/migrate_options.hpp"
#include "migrate/migrate_render.hpp"

namespace agentdb::migrate {

namespace {

struct BaselineOptions {
  long long version = 0;
};

struct RepairOptions {
  long long version = 0;
  FailedRevision failed = FailedRevision::rerun;
};

ExitCode run_baseline(Context& ctx, const FamilyOptions& family, const BaselineOptions& o) {
  auto folder = open_folder(ctx, family);
  const BaselineRequest request{std::move(folder), o.version, lock_timeout(ctx, family)};
  show_baseline(ctx.out, baseline(ctx.session(), request));
  return ExitCode::ok;
}

ExitCode run_repair(Context& ctx, const FamilyOptions& family, const RepairOptions& o) {
  auto folder = open_folder(ctx, family);
  const RepairRequest request{std::move(folder), o.version, o.failed, lock_timeout(ctx, family)};
  show_repair(ctx.out, repair(ctx.session(), request));
  return ExitCode::ok;
}

}  // namespace

void add_baseline(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family) {
  auto o = std::make_shared<BaselineOptions>();
  auto* baseline = add_leaf(group, commands, "baseline",
                            "Record revisions up to VERSION as applied without running them",
                            Needs::primary, action(run_baseline, family, o));
  baseline->add_option("VERSION", o->version, "Last version the database already has")
      ->required()
      ->check(whole_number(1));
}

void add_repair(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family) {
  auto o = std::make_shared<RepairOptions>();
  auto* repair = add_leaf(group, commands, "repair",
                          "Reconcile one revision's record with the disk after a failure or edit",
                          Needs::primary, action(run_repair, family, o));
  repair->add_option("VERSION", o->version, "The revision to repair")
      ->required()
      ->check(whole_number(1));
  add_enum_flag(*repair, "--mark-applied", o->failed, FailedRevision::mark_applied,
                "For a failed revision completed by hand: record it as applied");
}

}  // namespace agentdb::migrate
