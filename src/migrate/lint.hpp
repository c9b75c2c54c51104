// Static checks for revision files: statements that take strong locks on busy tables, rewrite
// them, or break applications still running the old code. Pure functions over SQL text.
#pragma once

#include <functional>
#include <map>
#include <optional>
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

// What the revisions applied so far have created: tables and the declared types of their columns,
// learnt from CREATE TABLE, ALTER TABLE ADD COLUMN / ALTER COLUMN TYPE / DROP COLUMN / RENAME and
// DROP TABLE. Names are the last part of a possibly qualified name, folded to lower case unless
// quoted (schemas are not told apart). Types are normalised: "varchar(20)", "numeric(10,2)",
// "text", "bpchar(1)", "timestamptz", "int4[]"; aliases map to PostgreSQL's names.
//
// The model must be fed every revision's up file in version order, each exactly once: to lint
// revision N, the model holds revisions 1..N-1 (by learn() or by earlier lint_sql calls with it).
// Statements the model does not understand leave it unchanged, so it may know less than the
// database, never more.
class SchemaModel {
 public:
  // Applies what one up file does to the model. Call it for revisions that are not linted.
  void learn(std::string_view sql);

  [[nodiscard]] bool has_table(std::string_view table) const;
  // The column's normalised declared type; nullopt when the table or the column is unknown.
  [[nodiscard]] std::optional<std::string> column_type(std::string_view table,
                                                       std::string_view column) const;

  // The updates learn() makes, statement by statement. set_column adds an unknown table.
  void create_table(const std::string& table);
  void drop_table(std::string_view table);
  void rename_table(std::string_view from, const std::string& to);
  void set_column(const std::string& table, const std::string& column, std::string type);
  void drop_column(std::string_view table, std::string_view column);
  void rename_column(std::string_view table, std::string_view from, const std::string& to);

 private:
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> tables_;
};

// Lints one up file against the schema the earlier revisions built, then records what the file
// did in `model` (so do not also learn() the same file). A table created earlier in the same file
// is new, so rules about existing tables do not apply to it; every other table, whether in the
// model or not, is existing. The model supplies old column types, so a type change PostgreSQL
// makes without a rewrite (varchar(n) to text, ...) is not reported.
// `-- agentdb:lint-ignore RULE reason` before a statement silences RULE.
[[nodiscard]] std::vector<LintFinding> lint_sql(std::string_view sql, const std::string& file,
                                                TransactionMode mode, SchemaModel& model);

// The same with an empty model: every table not created in the file is existing, old column types
// are unknown.
[[nodiscard]] std::vector<LintFinding> lint_sql(std::string_view sql, const std::string& file,
                                                TransactionMode mode);

[[nodiscard]] std::string to_string(Severity severity);

}  // namespace agentdb::migrate
