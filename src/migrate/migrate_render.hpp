// The migrate subcommands' results as text and JSON: each function shows one result through
// `out`, as one JSON document under --json and as lines of text otherwise.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "core/output.hpp"
#include "migrate/migrate.hpp"

namespace agentdb::db {
struct ServerNotice;
}

namespace agentdb::migrate {

// migrate_apply_render.cpp
void show_dry_run(const Output& out, const PlanStep& step);
// "applied   3 add_users  (12 ms)" as each revision finishes.
void show_revision_run(const Output& out, const RevisionRun& run);
// WARNINGs always, NOTICEs and the rest with --verbose, each naming the revision that raised it.
void show_notice(const Output& out, const std::string& revision, const db::ServerNotice& notice);
// An observer that shows lint findings on stderr, each revision as it finishes and the server's
// notices, as the commands that change the database print them.
[[nodiscard]] ApplyObserver printing_observer(const Output& out);
// up and down: what ran and where the database is now.
void show_applied(const Output& out, const ApplyResult& result, Direction direction);
// redo: a document under --json; the revisions' lines were the text.
void show_redone(const Output& out, const ApplyResult& result);
void show_baseline(const Output& out, const BaselineResult& result);
void show_repair(const Output& out, const RepairResult& result);

// migrate_inspect_render.cpp
void show_status(const Output& out, const StatusResult& result);
void show_history(const Output& out, const HistoryResult& result);
void show_new_revision(const Output& out, const NewRevisionResult& result);
// verify: each drift line (text only), then the summary, then the roundtrip report if it ran.
void show_drift(const Output& out, const ChecksumResult& checksums);
void show_verify(const Output& out, const ChecksumResult& checksums,
                 const std::optional<RoundtripResult>& roundtrip);
void show_lint(const Output& out, const LintResult& result);

// "file:line: error: problem (subject) [rule]" and the safe alternative, as compilers print.
[[nodiscard]] std::string finding_text(const Output& out, const LintFinding& finding);
[[nodiscard]] nlohmann::json lint_json(const std::vector<LintFinding>& findings);

}  // namespace agentdb::migrate
