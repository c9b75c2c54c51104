// Lints one file statement by statement: the rules of lint.cpp's table applied to each statement,
// with what earlier statements of the file created and what the schema model knows.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/lint.hpp"
#include "migrate/lint_tokens.hpp"

namespace agentdb::migrate::lint_detail {

// The rule with this id in lint.cpp's table (parse-error for an unknown id).
[[nodiscard]] const LintRule& find_rule(std::string_view id);

class FileLinter {
 public:
  FileLinter(std::string file, TransactionMode mode, SchemaModel& model)
      : file_(std::move(file)), mode_(mode), model_(model) {}

  void statement(const SqlStatement& statement);
  std::vector<LintFinding> take() { return std::move(findings_); }
  void report(std::string_view rule_id, int line, std::string subject = {});

 private:
  std::set<std::string> ignored_rules(const SqlStatement& statement);
  [[nodiscard]] int line_of(const Tokens& t, std::size_t i) const;
  [[nodiscard]] bool is_new(const std::string& table) const { return created_.contains(table); }
  void needs_lock_timeout(const Tokens& t);
  void long_identifiers(const Tokens& t);

  void create(const Tokens& t);
  void create_index(const Tokens& t, std::size_t i);
  void column_types(const Tokens& t, std::size_t i, const std::string& table);
  void type_rules(const Tokens& t, std::size_t from, std::size_t to);
  void drop(const Tokens& t);
  void drop_index(const Tokens& t);

  // In lint_alter_table.cpp.
  void alter_table(const Tokens& t);
  bool alter_action(const Tokens& t, std::size_t from, std::size_t to, const std::string& table,
                    bool existing);
  void add_column(const Tokens& t, std::size_t from, std::size_t to, const std::string& table,
                  bool existing);
  static bool uses_existing_index(const Tokens& t, std::size_t i, std::size_t to);
  static bool generated_stored(const Tokens& t, std::size_t from, std::size_t to);
  static bool volatile_default(const Tokens& t, std::size_t from, std::size_t to);

  std::string file_;
  TransactionMode mode_;
  SchemaModel& model_;
  const SqlStatement* current_ = nullptr;
  std::set<std::string> ignored_;
  std::set<std::string> created_;
  std::set<std::string> created_indexes_;
  bool lock_timeout_set_ = false;
  bool lock_timeout_reported_ = false;
  std::vector<LintFinding> findings_;
};

}  // namespace agentdb::migrate::lint_detail
