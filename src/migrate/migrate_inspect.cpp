// The migrate subcommands that only look: status, history, verify, lint; and new, which writes
// files.
#include <nlohmann/json.hpp>

#include <chrono>
#include <set>

#include "migrate/lint.hpp"
#include "migrate/roundtrip.hpp"
#include "migrate/workspace.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::migrate {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

Colour colour_of(RevisionState state) {
  switch (state) {
    case RevisionState::applied:
      return Colour::green;
    case RevisionState::pending:
      return Colour::yellow;
    default:
      return Colour::red;
  }
}

std::string new_up_file(long long version, const std::string& name) {
  return "-- " + version_text(version) + " " + name +
         ": say what this revision changes and why.\n"
         "-- It runs in one transaction together with its history row. Directives, each on a\n"
         "-- leading comment line of its own: 'agentdb:no-transaction' runs the file statement by\n"
         "-- statement (for CREATE INDEX CONCURRENTLY); 'agentdb:irreversible' marks a revision\n"
         "-- that cannot be undone (then delete the .down.sql file).\n"
         "-- Check it with: agentdb migrate lint " +
         version_text(version) + "_" + name + ".up.sql\n\n";
}

std::string new_down_file(long long version, const std::string& name) {
  return "-- Reverts " + version_text(version) + " " + name +
         ": undo everything the up file does, in reverse order.\n\n";
}

json finding_json(const LintFinding& finding) {
  return {{"file", finding.file},
          {"line", finding.line},
          {"rule", finding.rule->id},
          {"severity", to_string(finding.rule->severity)},
          {"message", finding.rule->problem},
          {"subject", finding.subject},
          {"instead", finding.rule->instead}};
}

// "file:line: error: problem (subject) [rule]" and the safe alternative, as compilers print.
std::string finding_text(const Context& ctx, const LintFinding& finding) {
  const auto severity = finding.rule->severity;
  const auto label = ctx.out.paint(severity == Severity::error ? Colour::red : Colour::yellow,
                                   to_string(severity));
  std::string text = finding.file + ":" + std::to_string(finding.line) + ": " + label + ": " +
                     std::string(finding.rule->problem);
  if (!finding.subject.empty())
    text += " (" + finding.subject + ")";
  text += " [" + std::string(finding.rule->id) +
          "]\n    instead: " + std::string(finding.rule->instead);
  return text;
}

// Lints `targets` (elements of `revisions`) knowing what every earlier revision created: all of
// `revisions` are read in version order into one schema model, and only the targets' findings are
// kept, so a type change is judged by the type the column really has.
std::vector<LintFinding> lint_revisions(const std::vector<Revision>& revisions,
                                        const std::vector<const Revision*>& targets) {
  const std::set<const Revision*> wanted(targets.begin(), targets.end());
  SchemaModel model;
  std::vector<LintFinding> findings;
  for (const auto& revision : revisions) {
    if (!wanted.contains(&revision)) {
      model.learn(revision.up_sql);
      continue;
    }
    auto found = lint_sql(revision.up_sql, revision.up_path.string(),
                          revision.directives.transaction, model);
    findings.insert(findings.end(), found.begin(), found.end());
  }
  return findings;
}

}  // namespace

int count_lint_errors(const std::vector<LintFinding>& findings) {
  return static_cast<int>(std::count_if(findings.begin(), findings.end(), [](const LintFinding& f) {
    return f.rule->severity == Severity::error;
  }));
}

std::vector<LintFinding> lint_and_report(Context& ctx, const std::vector<Revision>& revisions,
                                         const std::vector<const Revision*>& targets) {
  auto findings = lint_revisions(revisions, targets);
  for (const auto& finding : findings)
    ctx.out.diagnostic(finding_text(ctx, finding));
  return findings;
}

nlohmann::json lint_json(const std::vector<LintFinding>& findings) {
  json list = json::array();
  for (const auto& finding : findings)
    list.push_back(finding_json(finding));
  return list;
}

ExitCode run_status(Context& ctx, const MigrateOptions& options) {
  auto ws = open_workspace(ctx, options);
  const auto& status = ws.status;
  if (ctx.out.json()) {
    json migrations = json::array();
    for (const auto& entry : status.entries) {
      migrations.push_back(
          {{"version", version_text(entry.version)},
           {"name", entry.name},
           {"state", to_string(entry.state)},
           {"applied_at", entry.record ? json(entry.record->applied_at) : json(nullptr)}});
    }
    ctx.out.emit({{"current", status.current ? json(version_text(*status.current)) : json(nullptr)},
                  {"database", ws.session->target().display},
                  {"directory", ws.dir.string()},
                  {"migrations", migrations}});
  } else {
    Table table({"VERSION", "NAME", "STATE", "APPLIED AT"});
    for (const auto& entry : status.entries) {
      table.add_row({version_text(entry.version), entry.name,
                     ctx.out.paint(colour_of(entry.state), to_string(entry.state)),
                     entry.record ? entry.record->applied_at : "-"});
    }
    if (!status.entries.empty())
      ctx.out.print(table.render());
    std::string summary =
        "database " + ws.session->target().display + " is at " +
        (status.current ? version_text(*status.current) : std::string("no revision"));
    for (const auto state :
         {RevisionState::pending, RevisionState::out_of_order, RevisionState::modified,
          RevisionState::missing, RevisionState::failed}) {
      if (const int n = status.count(state))
        summary += "; " + std::to_string(n) + " " + to_string(state);
    }
    ctx.out.print(summary);
  }
  return options.check && !status.clean() ? ExitCode::conflict : ExitCode::ok;
}

ExitCode run_history(Context& ctx, const MigrateOptions& options) {
  auto& session = ctx.session();
  History history(session);
  const auto entries = history.log(options.limit);
  if (ctx.out.json()) {
    json rows = json::array();
    for (const auto& e : entries) {
      rows.push_back({{"version", version_text(e.version)},
                      {"name", e.name},
                      {"action", e.action},
                      {"status", e.status},
                      {"at", e.at},
                      {"duration_ms", e.duration_ms},
                      {"by", e.by},
                      {"detail", e.detail.empty() ? json(nullptr) : json(e.detail)}});
    }
    ctx.out.emit({{"history", rows}});
    return ExitCode::ok;
  }
  if (entries.empty()) {
    ctx.out.print("no migrations have been run on " + session.target().display);
    return ExitCode::ok;
  }
  Table table({"AT", "ACTION", "VERSION", "NAME", "STATUS", "DURATION", "BY"});
  for (const auto& e : entries) {
    table.add_row({e.at, e.action, version_text(e.version), e.name, e.status,
                   util::human_duration(std::chrono::milliseconds(e.duration_ms)), e.by});
  }
  ctx.out.print(table.render());
  return ExitCode::ok;
}

ExitCode run_new(Context& ctx, const MigrateOptions& options) {
  if (!is_valid_revision_name(options.name)) {
    throw Error(ExitCode::usage, "invalid revision name '" + options.name + "'",
                "use lower-case letters, digits and _ only, e.g. add_user_email_index");
  }
  const auto dir = migrations_dir(ctx, options);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw Error(ExitCode::usage, "cannot create '" + dir.string() + "': " + ec.message());
  const auto existing = load_revisions(dir);
  std::set<long long> used;
  for (const auto& revision : existing)
    used.insert(revision.version);
  auto version = *util::parse_int64(util::compact_utc(std::chrono::system_clock::now()));
  while (used.contains(version))
    ++version;  // two revisions in one second
  const auto stem = version_text(version) + "_" + options.name;
  const auto up = dir / (stem + ".up.sql");
  const auto down = dir / (stem + ".down.sql");
  if (!util::create_file_exclusive(up, new_up_file(version, options.name)) ||
      !util::create_file_exclusive(down, new_down_file(version, options.name))) {
    throw Error(ExitCode::conflict, "'" + stem + "' already exists in " + dir.string());
  }
  if (ctx.out.json()) {
    ctx.out.emit(
        json{{"version", version_text(version)}, {"up", up.string()}, {"down", down.string()}});
  } else {
    ctx.out.print("created " + up.string());
    ctx.out.print("created " + down.string());
  }
  return ExitCode::ok;
}

ExitCode run_verify(Context& ctx, const MigrateOptions& options) {
  auto ws = open_workspace(ctx, options);
  json drift = json::array();
  int checked = 0;
  for (const auto& entry : ws.status.entries) {
    if (entry.record == nullptr)
      continue;
    ++checked;
    if (entry.state != RevisionState::modified && entry.state != RevisionState::missing)
      continue;
    const std::string why = entry.state == RevisionState::modified
                                ? "recorded checksum " + entry.record->checksum.substr(0, 12) +
                                      ", file has " + entry.revision->checksum.substr(0, 12)
                                : "applied but no file on disk";
    drift.push_back({{"version", version_text(entry.version)},
                     {"name", entry.name},
                     {"state", to_string(entry.state)},
                     {"detail", why}});
    if (!ctx.out.json()) {
      ctx.out.print(ctx.out.paint(Colour::red, to_string(entry.state)) + "  " +
                    version_text(entry.version) + " " + entry.name + ": " + why);
    }
  }
  std::optional<RoundtripResult> roundtrip;
  if (options.roundtrip)
    roundtrip = verify_roundtrip(ctx.database(), ws.revisions, options.strict, ctx.out);
  if (ctx.out.json()) {
    json document = {{"checked", checked}, {"drift", drift}};
    if (roundtrip)
      document["roundtrip"] = roundtrip_json(*roundtrip);
    ctx.out.emit(document);
  } else {
    ctx.out.print("checksums: " + std::to_string(checked - static_cast<int>(drift.size())) +
                  " of " + std::to_string(checked) + " applied revisions match their files");
    if (roundtrip)
      print_roundtrip(ctx.out, *roundtrip);
  }
  if (roundtrip) {
    if (auto failed = roundtrip_error(*roundtrip, ctx.out.json()))
      throw *failed;
  }
  if (!drift.empty()) {
    throw Error(ExitCode::conflict,
                std::to_string(drift.size()) + " applied revision(s) differ from the files on disk",
                "restore the files, or accept them with 'agentdb migrate repair VERSION'");
  }
  return ExitCode::ok;
}

ExitCode run_lint(Context& ctx, const MigrateOptions& options) {
  std::vector<Revision> loaded;
  std::vector<const Revision*> targets;
  std::unique_ptr<Workspace> ws;
  if (!options.files.empty()) {
    for (const auto& file : options.files) {
      const auto text = util::read_file(file);
      if (!text)
        throw Error(ExitCode::usage, "cannot read '" + file + "'");
      Revision revision;
      revision.up_path = file;
      revision.up_sql = *text;
      try {
        revision.directives = parse_directives(*text);
      } catch (const std::invalid_argument& e) {
        throw Error(ExitCode::usage, file + ": " + e.what());
      }
      loaded.push_back(std::move(revision));
    }
    for (const auto& revision : loaded)
      targets.push_back(&revision);
  } else if (options.all) {
    loaded = load_revisions(migrations_dir(ctx, options));
    for (const auto& revision : loaded)
      targets.push_back(&revision);
  } else {
    ws = std::make_unique<Workspace>(open_workspace(ctx, options));
    for (const auto& entry : ws->status.entries) {
      if (entry.state == RevisionState::pending || entry.state == RevisionState::out_of_order) {
        targets.push_back(entry.revision);
      }
    }
  }
  const auto findings = lint_revisions(ws ? ws->revisions : loaded, targets);
  const int errors = count_lint_errors(findings);
  const int warnings = static_cast<int>(findings.size()) - errors;
  if (ctx.out.json()) {
    ctx.out.emit({{"files", targets.size()},
                  {"errors", errors},
                  {"warnings", warnings},
                  {"findings", lint_json(findings)}});
  } else {
    for (const auto& finding : findings)
      ctx.out.print(finding_text(ctx, finding));
    ctx.out.print(std::to_string(targets.size()) + " file(s) checked: " + std::to_string(errors) +
                  " error(s), " + std::to_string(warnings) + " warning(s)");
  }
  return errors > 0 ? ExitCode::failure : ExitCode::ok;
}

}  // namespace agentdb::migrate
