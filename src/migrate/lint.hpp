// Static checks for revision files: statements that take strong locks on busy tables, rewrite
// them, or break applications still running the old code. Pure functions over SQL text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "migrate/revision.hpp"

namespace agentdb::migrate {

enum class Severity { warning, error };

struct LintRule {
  std::string_view id;
  Severity severity;
  std::string_view problem;  // what goes wrong at run time
  std::string_view instead;  // the safe alternative
};

struct LintFinding {
  std::string file;
  int line = 0;
  const LintRule* rule = nullptr;
  std::string subject;  // the table or column concerned
};

// Every rule, in a stable order (the man page lists the same).
[[nodiscard]] const std::vector<LintRule>& lint_rules();

// Lints one up file. A table created earlier in the same file is new, so rules about existing
// tables do not apply to it. `-- agentdb:lint-ignore RULE reason` before a statement silences RULE.
[[nodiscard]] std::vector<LintFinding> lint_sql(std::string_view sql, const std::string& file,
                                                TransactionMode mode);

[[nodiscard]] std::string to_string(Severity severity);

}  // namespace agentdb::migrate
