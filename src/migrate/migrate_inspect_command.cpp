// `migrate status`, `history`, `new`, `verify` and `lint`: bind the options, call migrate.hpp and
// show the result.
#include "core/validators.hpp"
#include "db/session.hpp"
#include "migrate/migrate_options.hpp"
#include "migrate/migrate_render.hpp"
#include "migrate/roundtrip_render.hpp"

namespace agentdb::migrate {

namespace {

enum class OnDrift { exit_ok, exit_conflict };
enum class Roundtrip { skip, check };
enum class LintScope { pending, all };

struct StatusOptions {
  OnDrift on_drift = OnDrift::exit_ok;
};
struct HistoryOptions {
  int limit = 50;
};
struct NewOptions {
  std::string name;
};
struct VerifyOptions {
  Roundtrip roundtrip = Roundtrip::skip;
  Strictness strictness = Strictness::lenient;
};
struct LintOptions {
  std::vector<std::string> files;
  LintScope scope = LintScope::pending;
};

ExitCode run_verify(Context& ctx, const FamilyOptions& family, const VerifyOptions& options) {
  const auto folder = open_folder(ctx, family);
  const auto checksums = check_checksums(ctx.session(), folder);
  show_drift(ctx.out, checksums);
  std::optional<RoundtripResult> roundtrip;
  if (options.roundtrip == Roundtrip::check) {
    roundtrip = verify_roundtrip(ctx.database(), folder.revisions, options.strictness,
                                 [&out = ctx.out](const std::string& line) { out.detail(line); });
  }
  show_verify(ctx.out, checksums, roundtrip);
  if (roundtrip) {
    if (auto failed =
            roundtrip_error(*roundtrip, ctx.out.json() ? OutputFormat::json : OutputFormat::text))
      throw *failed;
  }
  if (!checksums.drift.empty()) {
    throw Error(ExitCode::conflict,
                std::to_string(checksums.drift.size()) +
                    " applied revision(s) differ from the files on disk",
                "restore the files, or accept them with 'agentdb migrate repair VERSION'");
  }
  return ExitCode::ok;
}

LintResult run_lint(Context& ctx, const FamilyOptions& family, const LintOptions& options) {
  if (!options.files.empty())
    return lint_files(options.files);
  if (options.scope == LintScope::all)
    return lint_folder(read_folder(migrations_dir(ctx, family)));
  const auto folder = open_folder(ctx, family);
  return lint_pending(ctx.session(), folder);
}

}  // namespace

void add_status(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family) {
  auto o = std::make_shared<StatusOptions>();
  auto* status = add_leaf(group, commands, "status", "Show every revision's state", Needs::session,
                          [o, family](Context& ctx) {
                            const auto folder = open_folder(ctx, *family);
                            const auto result = migrate::status(ctx.session(), folder);
                            show_status(ctx.out, result);
                            return o->on_drift == OnDrift::exit_conflict && !result.clean()
                                       ? ExitCode::conflict
                                       : ExitCode::ok;
                          });
  add_enum_flag(*status, "--check", o->on_drift, OnDrift::exit_conflict,
                "Exit 4 if anything is pending, modified, missing, out-of-order or failed");
}

void add_history(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr&) {
  auto o = std::make_shared<HistoryOptions>();
  auto* history =
      add_leaf(group, commands, "history", "Show what was applied, when, by whom, how long",
               Needs::session, [o](Context& ctx) {
                 show_history(ctx.out, migrate::history(ctx.session(), {o->limit}));
                 return ExitCode::ok;
               });
  history->add_option("--limit", o->limit, "Show at most this many entries (default 50)")
      ->check(whole_number(1));
}

void add_new(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family) {
  auto o = std::make_shared<NewOptions>();
  auto* create = add_leaf(
      group, commands, "new", "Create the up and down files of a new revision", Needs::nothing,
      [o, family](Context& ctx) {
        show_new_revision(ctx.out, create_revision({migrations_dir(ctx, *family), o->name}));
        return ExitCode::ok;
      });
  create->add_option("NAME", o->name, "Revision name: lower-case letters, digits and _")
      ->required();
}

void add_verify(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family) {
  auto o = std::make_shared<VerifyOptions>();
  auto* verify = add_leaf(
      group, commands, "verify", "Check applied revisions' checksums against the files on disk",
      Needs::session, [o, family](Context& ctx) { return run_verify(ctx, *family, *o); });
  add_enum_flag(*verify, "--roundtrip", o->roundtrip, Roundtrip::check,
                "Also apply, revert and re-apply everything in a scratch database");
  add_enum_flag(*verify, "--strict", o->strictness, Strictness::strict,
                "With --roundtrip: also fail on column order, enum values and comments");
}

void add_lint(CLI::App& group, std::vector<Command>& commands, const FamilyOptionsPtr& family) {
  auto o = std::make_shared<LintOptions>();
  auto* lint = add_leaf(group, commands, "lint",
                        "Flag statements that lock or rewrite busy tables or break running code",
                        Needs::session, [o, family](Context& ctx) {
                          const auto result = run_lint(ctx, *family, *o);
                          show_lint(ctx.out, result);
                          return result.errors() > 0 ? ExitCode::failure : ExitCode::ok;
                        });
  lint->add_option("FILE", o->files, "Up files to check (default: pending revisions)");
  add_enum_flag(*lint, "--all", o->scope, LintScope::all,
                "Check every revision's up file, without a database");
}

}  // namespace agentdb::migrate
