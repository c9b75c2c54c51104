#include "migrate/file_linter.hpp"

#include <map>

#include "migrate/column_type.hpp"

namespace agentdb::migrate::lint_detail {

namespace {

const std::set<std::string, std::less<>> kIntTypes = {
    "INT", "INTEGER", "INT4", "SERIAL", "SERIAL4", "SMALLINT", "INT2", "SMALLSERIAL", "SERIAL2"};
// PostgreSQL's NAMEDATALEN - 1.
constexpr std::size_t kMaxIdentifierBytes = 63;

}  // namespace

void FileLinter::statement(const SqlStatement& statement) {
  current_ = &statement;
  ignored_ = ignored_rules(statement);
  const Tokens t(statement.tokens);
  long_identifiers(t);
  const auto first = t.word(0);
  if (util::is_transaction_control(statement)) {
    report("transaction-control", line_of(t, 0));
  } else if (first == "SET" && t.word(t.skip(1, {"LOCAL", "SESSION"})) == "LOCK_TIMEOUT") {
    lock_timeout_set_ = true;
  } else if (first == "CREATE") {
    create(t);
  } else if (first == "ALTER" && t.word(1) == "TABLE") {
    alter_table(t);
  } else if (first == "DROP") {
    drop(t);
  }
}

void FileLinter::report(std::string_view rule_id, int line, std::string subject) {
  if (ignored_.contains(std::string(rule_id)))
    return;
  findings_.push_back(LintFinding{file_, line, &find_rule(rule_id), std::move(subject)});
}

std::set<std::string> FileLinter::ignored_rules(const SqlStatement& statement) {
  std::set<std::string> ignored;
  for (const auto comment : statement.leading_comments) {
    const auto text = util::trim(comment.substr(comment.starts_with("--") ? 2 : 0));
    constexpr std::string_view kIgnore = "agentdb:lint-ignore";
    if (!text.starts_with(kIgnore))
      continue;
    const auto rest = util::trim(text.substr(kIgnore.size()));
    const auto space = rest.find_first_of(" \t");
    const auto ids = rest.substr(0, space);
    const auto reason =
        space == std::string_view::npos ? std::string_view() : util::trim(rest.substr(space));
    if (ids.empty() || reason.empty()) {
      findings_.push_back(LintFinding{file_, statement.line,
                                      &find_rule("lint-ignore-without-reason"), std::string(ids)});
      continue;
    }
    for (const auto& id : util::split(ids, ','))
      ignored.insert(std::string(util::trim(id)));
  }
  return ignored;
}

int FileLinter::line_of(const Tokens& t, std::size_t i) const {
  return i < t.size() ? t.at(i).line : current_->line;
}

void FileLinter::needs_lock_timeout(const Tokens& t) {
  if (lock_timeout_set_ || lock_timeout_reported_)
    return;
  lock_timeout_reported_ = true;
  report("missing-lock-timeout", line_of(t, 0));
}

// Identifiers (words and quoted identifiers, not strings) that PostgreSQL would truncate.
void FileLinter::long_identifiers(const Tokens& t) {
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto& token = t.at(i);
    std::string name;
    if (token.kind == SqlTokenKind::word) {
      name = util::to_lower(token.text);
    } else if (token.kind == SqlTokenKind::quoted_identifier) {
      auto inner = token.text.substr(token.text.starts_with("U&") ? 3 : 1);
      inner.remove_suffix(1);
      for (std::size_t k = 0; k < inner.size(); ++k) {
        name += inner[k];
        if (inner[k] == '"' && k + 1 < inner.size() && inner[k + 1] == '"')
          ++k;  // "" is one quote
      }
    } else {
      continue;
    }
    if (name.size() > kMaxIdentifierBytes && seen.insert(name).second)
      report("identifier-too-long", line_of(t, i), name);
  }
}

void FileLinter::create(const Tokens& t) {
  std::size_t i = t.skip(1, {"OR", "REPLACE", "CONSTRAINT", "UNIQUE", "GLOBAL", "LOCAL", "TEMP",
                             "TEMPORARY", "UNLOGGED"});
  if (t.word(i) == "TABLE") {
    const auto name_at = t.skip(i + 1, {"IF", "NOT", "EXISTS"});
    const bool if_not_exists = name_at != i + 1;
    auto [table, after] = t.name(name_at);
    if (if_not_exists && model_.has_table(table))
      return;  // a no-op: the table exists
    created_.insert(table);
    model_.create_table(table);
    column_types(t, after, table);
  } else if (t.word(i) == "INDEX") {
    create_index(t, i + 1);
  } else if (t.word(i) == "TRIGGER") {
    // CREATE TRIGGER takes SHARE ROW EXCLUSIVE on the table: it waits like other DDL.
    std::size_t on = i + 1;
    while (on < t.size() && t.word(on) != "ON")
      ++on;
    const auto [table, after] = t.name(on + 1);
    (void)after;
    if (on < t.size() && !is_new(table))
      needs_lock_timeout(t);
  }
}

void FileLinter::create_index(const Tokens& t, std::size_t i) {
  const bool concurrently = t.word(i) == "CONCURRENTLY";
  if (concurrently && mode_ == TransactionMode::per_revision) {
    report("concurrently-in-transaction", line_of(t, 0));
  }
  const auto name_at = t.skip(i, {"CONCURRENTLY", "IF", "NOT", "EXISTS"});
  if (t.word(name_at) != "ON")
    created_indexes_.insert(t.name(name_at).first);
  // Find ON [ONLY] table.
  while (i < t.size() && t.word(i) != "ON")
    ++i;
  const auto [table, after] = t.name(t.skip(i + 1, {"ONLY"}));
  (void)after;
  if (concurrently || is_new(table))
    return;
  report("index-without-concurrently", line_of(t, 0), table);
  needs_lock_timeout(t);
}

// Column definitions of CREATE TABLE name (...): type rules and int primary keys.
void FileLinter::column_types(const Tokens& t, std::size_t i, const std::string& table) {
  if (!t.punct(i, '('))
    return;
  const auto end = t.closing(i);
  std::map<std::string, std::string_view> types;
  for (const auto& [from, to] : t.items(i + 1, end)) {
    const auto head = t.word(from);
    if (head == "PRIMARY" && t.word(from + 1) == "KEY" && t.punct(from + 2, '(')) {
      const auto close = t.closing(from + 2);
      const auto columns = t.items(from + 3, close);
      if (columns.size() == 1) {
        const auto [column, next] = t.name(columns[0].first);
        (void)next;
        if (kIntTypes.contains(types[column]))
          report("int-primary-key", line_of(t, from), table + "." + column);
      }
      continue;
    }
    if (head == "CONSTRAINT" || head == "UNIQUE" || head == "CHECK" || head == "FOREIGN" ||
        head == "EXCLUDE" || head == "LIKE") {
      continue;
    }
    const auto [column, type_index] = t.name(from);
    const auto type_to = t.type_end(type_index, to);
    types[column] = t.word(type_index);
    type_rules(t, type_index, type_to);
    model_.set_column(table, column, parse_type(t, type_index, type_to).text);
    if (kIntTypes.contains(t.word(type_index)) && t.has_words(type_index, to, {"PRIMARY", "KEY"})) {
      report("int-primary-key", line_of(t, from), table + "." + column);
    }
  }
}

// Rules about a column's type; [from, to) holds the type's tokens only.
void FileLinter::type_rules(const Tokens& t, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    const auto w = t.word(i);
    if (w == "TIMESTAMP") {
      auto next = i + 1;
      if (t.punct(next, '('))
        next = t.closing(next) + 1;
      if (!(t.word(next) == "WITH" && t.word(next + 1) == "TIME")) {
        report("timestamp-without-time-zone", line_of(t, i));
      }
    } else if ((w == "CHAR" || w == "CHARACTER") && t.word(i + 1) != "VARYING") {
      report("char-n", line_of(t, i));
    }
  }
}

void FileLinter::drop(const Tokens& t) {
  if (t.word(1) == "INDEX") {
    drop_index(t);
    return;
  }
  if (t.word(1) == "TRIGGER") {
    // DROP TRIGGER [IF EXISTS] name ON table: an ACCESS EXCLUSIVE lock on the table.
    const auto on = t.name(t.skip(2, {"IF", "EXISTS"})).second;
    if (t.word(on) == "ON" && !is_new(t.name(on + 1).first))
      needs_lock_timeout(t);
    return;
  }
  if (t.word(1) != "TABLE")
    return;
  for (const auto& [from, to] : t.items(t.skip(2, {"IF", "EXISTS"}), t.size())) {
    const auto [table, after] = t.name(from);
    (void)after;
    (void)to;
    if (!is_new(table))
      report("drop-table", line_of(t, 0), table);
    created_.erase(table);
    model_.drop_table(table);
  }
}

void FileLinter::drop_index(const Tokens& t) {
  if (t.word(2) == "CONCURRENTLY") {
    if (mode_ == TransactionMode::per_revision)
      report("concurrently-in-transaction", line_of(t, 0));
    return;
  }
  bool locking = false;
  for (const auto& [from, to] : t.items(t.skip(2, {"IF", "EXISTS"}), t.size())) {
    (void)to;
    const auto index = t.name(from).first;
    if (index.empty() || created_indexes_.erase(index) > 0)
      continue;
    report("drop-index-without-concurrently", line_of(t, 0), index);
    locking = true;
  }
  if (locking)
    needs_lock_timeout(t);
}
}  // namespace agentdb::migrate::lint_detail
