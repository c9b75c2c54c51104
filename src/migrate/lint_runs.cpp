// lint_files(), lint_folder() and lint_pending(): which up files `migrate lint` checks, each
// against the schema the revisions before it built.
#include <algorithm>
#include <set>

#include "migrate/migrate.hpp"
#include "migrate/workspace.hpp"
#include "util/files.hpp"

namespace agentdb::migrate {

namespace {

std::vector<const Revision*> all_of(const std::vector<Revision>& revisions) {
  std::vector<const Revision*> targets;
  for (const auto& revision : revisions)
    targets.push_back(&revision);
  return targets;
}

Revision read_up_file(const std::string& file) {
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
  return revision;
}

}  // namespace

// All of `revisions` are read in version order into one schema model, and only the targets'
// findings are kept, so a type change is judged by the type the column really has.
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

int LintResult::errors() const {
  return static_cast<int>(std::count_if(findings.begin(), findings.end(), [](const LintFinding& f) {
    return f.rule->severity == Severity::error;
  }));
}

int LintResult::warnings() const {
  return static_cast<int>(findings.size()) - errors();
}

LintResult lint_files(const std::vector<std::string>& files) {
  std::vector<Revision> loaded;
  for (const auto& file : files)
    loaded.push_back(read_up_file(file));
  return {loaded.size(), lint_revisions(loaded, all_of(loaded))};
}

LintResult lint_folder(const RevisionFolder& folder) {
  return {folder.revisions.size(), lint_revisions(folder.revisions, all_of(folder.revisions))};
}

LintResult lint_pending(db::Session& session, const RevisionFolder& folder) {
  const Workspace ws(session, folder);
  std::vector<const Revision*> targets;
  for (const auto& entry : ws.status.entries) {
    if (entry.state == RevisionState::pending || entry.state == RevisionState::out_of_order)
      targets.push_back(entry.revision);
  }
  return {targets.size(), lint_revisions(folder.revisions, targets)};
}

}  // namespace agentdb::migrate
