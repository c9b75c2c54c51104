#include "migrate/lint.hpp"

#include <vector>

#include "migrate/file_linter.hpp"
#include "util/sql_lexer.hpp"

namespace agentdb::migrate {

namespace {

const std::vector<LintRule> kRules = {
    {"index-without-concurrently", Severity::error,
     "CREATE INDEX on an existing table blocks all writes to it until the index is built",
     "CREATE INDEX CONCURRENTLY in a revision marked -- agentdb:no-transaction"},
    {"concurrently-in-transaction", Severity::error,
     "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block",
     "mark the revision with -- agentdb:no-transaction"},
    {"transaction-control", Severity::error,
     "BEGIN, COMMIT or ROLLBACK in a revision ends agentdb's transaction early, so a failure "
     "can leave the revision half applied and unrecorded",
     "remove it: each revision already runs in one transaction (or use agentdb:no-transaction)"},
    {"foreign-key-without-not-valid", Severity::error,
     "adding a foreign key checks every row while holding locks on both tables",
     "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later revision"},
    {"check-without-not-valid", Severity::error,
     "adding a CHECK constraint scans the whole table under an ACCESS EXCLUSIVE lock",
     "ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a later revision"},
    {"set-not-null", Severity::error,
     "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
     "add CHECK (col IS NOT NULL) NOT VALID, validate it, then SET NOT NULL (PostgreSQL 12+ "
     "skips the scan) and drop the check"},
    {"alter-column-type", Severity::error,
     "changing a column's type rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
     "add a new column, backfill it in batches, switch the application, then drop the old one"},
    {"unique-without-using-index", Severity::error,
     "ADD UNIQUE or PRIMARY KEY builds its index while holding an ACCESS EXCLUSIVE lock on the "
     "table",
     "CREATE UNIQUE INDEX CONCURRENTLY (in a no-transaction revision), then ADD CONSTRAINT ... "
     "UNIQUE/PRIMARY KEY USING INDEX"},
    {"drop-index-without-concurrently", Severity::error,
     "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table, blocking reads and writes",
     "DROP INDEX CONCURRENTLY in a revision marked -- agentdb:no-transaction"},
    {"add-column-with-foreign-key", Severity::error,
     "ADD COLUMN ... REFERENCES adds a foreign key, locking both tables (SHARE ROW EXCLUSIVE on "
     "the referenced one) while it is checked",
     "add the column, then ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID and VALIDATE CONSTRAINT "
     "in a later revision"},
    {"volatile-default", Severity::error,
     "a column added with a volatile default rewrites the whole table",
     "add the column without a default (or with a constant), then backfill in batches"},
    {"stored-generated-column", Severity::error,
     "adding a stored generated column rewrites the whole table under an ACCESS EXCLUSIVE lock",
     "add a plain column, backfill it in batches and keep it current with a trigger, or use a "
     "VIRTUAL generated column (PostgreSQL 18+)"},
    {"not-null-without-default", Severity::error,
     "ADD COLUMN ... NOT NULL (or PRIMARY KEY) without a DEFAULT fails on a table that has rows",
     "add it with a constant DEFAULT (no rewrite since PostgreSQL 11), or add it nullable, "
     "backfill, then make it NOT NULL as set-not-null describes"},
    {"rename-column", Severity::error,
     "renaming a column breaks application code that still uses the old name",
     "add the new column, write to both, move readers, then drop the old one later"},
    {"rename-table", Severity::error,
     "renaming a table breaks application code that still uses the old name",
     "create a view with the old name during the transition, or deploy code first"},
    {"drop-column", Severity::error,
     "dropping a column breaks application code that still reads it",
     "stop using the column in the application first, then drop it in a later release"},
    {"drop-table", Severity::error,
     "dropping a table breaks application code that still uses it and loses its data",
     "stop using the table first; keep a backup; drop it in a later release"},
    {"missing-lock-timeout", Severity::warning,
     "DDL on an existing table queues behind long transactions and blocks everything behind it",
     "start the revision with SET lock_timeout = '5s' (and retry on timeout)"},
    {"timestamp-without-time-zone", Severity::warning,
     "timestamp without time zone stores wall-clock values that shift with the session time zone",
     "use timestamptz"},
    {"char-n", Severity::warning, "char(n) pads with spaces and is no faster than text",
     "use text (with a CHECK on length if needed) or varchar(n)"},
    {"int-primary-key", Severity::warning,
     "a 32-bit primary key runs out at 2.1 billion rows, and widening it rewrites the table",
     "use bigint (GENERATED ALWAYS AS IDENTITY) or uuid"},
    {"identifier-too-long", Severity::warning,
     "PostgreSQL silently truncates identifiers to 63 bytes, so two long names can collide and "
     "the name in the catalog is not the one written",
     "use a name of at most 63 bytes"},
    {"lint-ignore-without-reason", Severity::warning,
     "a lint-ignore directive without a reason is not applied",
     "write -- agentdb:lint-ignore RULE_ID why this is safe here"},
    {"parse-error", Severity::error, "the file cannot be split into statements",
     "close the quote or comment that runs to the end of the file"},
};

}  // namespace

namespace lint_detail {

const LintRule& find_rule(std::string_view id) {
  for (const auto& r : kRules) {
    if (r.id == id)
      return r;
  }
  return kRules.back();
}

}  // namespace lint_detail

const std::vector<LintRule>& lint_rules() {
  return kRules;
}

std::string to_string(Severity severity) {
  return severity == Severity::error ? "error" : "warning";
}

std::vector<LintFinding> lint_sql(std::string_view sql, const std::string& file,
                                  TransactionMode mode, SchemaModel& model) {
  lint_detail::FileLinter linter(file, mode, model);
  std::vector<util::SqlStatement> statements;
  try {
    statements = util::split_sql(sql);
  } catch (const util::SqlLexError& e) {
    linter.report("parse-error", e.line(), e.what());
    return linter.take();
  }
  for (const auto& statement : statements)
    linter.statement(statement);
  return linter.take();
}

std::vector<LintFinding> lint_sql(std::string_view sql, const std::string& file,
                                  TransactionMode mode) {
  SchemaModel model;
  return lint_sql(sql, file, mode, model);
}

}  // namespace agentdb::migrate
