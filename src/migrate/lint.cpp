#include "migrate/lint.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "util/sql_lexer.hpp"
#include "util/strings.hpp"

namespace agentdb::migrate {

namespace {

using util::SqlStatement;
using util::SqlToken;
using util::SqlTokenKind;

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
    {"volatile-default", Severity::error,
     "a column added with a volatile default rewrites the whole table",
     "add the column without a default (or with a constant), then backfill in batches"},
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
    {"lint-ignore-without-reason", Severity::warning,
     "a lint-ignore directive without a reason is not applied",
     "write -- agentdb:lint-ignore RULE_ID why this is safe here"},
    {"parse-error", Severity::error, "the file cannot be split into statements",
     "close the quote or comment that runs to the end of the file"},
};

const LintRule& rule(std::string_view id) {
  for (const auto& r : kRules) {
    if (r.id == id)
      return r;
  }
  return kRules.back();
}

const std::set<std::string, std::less<>> kIntTypes = {
    "INT", "INTEGER", "INT4", "SERIAL", "SERIAL4", "SMALLINT", "INT2", "SMALLSERIAL", "SERIAL2"};
const std::set<std::string, std::less<>> kVolatileFunctions = {
    "RANDOM",    "GEN_RANDOM_UUID", "UUID_GENERATE_V1", "UUID_GENERATE_V4",  "CLOCK_TIMESTAMP",
    "TIMEOFDAY", "NEXTVAL",         "TXID_CURRENT",     "PG_CURRENT_XACT_ID"};

// A view over one statement's tokens with the matching helpers the rules need.
class Tokens {
 public:
  explicit Tokens(const std::vector<SqlToken>& tokens) : tokens_(tokens) {}

  [[nodiscard]] std::size_t size() const { return tokens_.size(); }
  [[nodiscard]] const SqlToken& at(std::size_t i) const { return tokens_[i]; }
  [[nodiscard]] std::string_view word(std::size_t i) const {
    return i < tokens_.size() && tokens_[i].kind == SqlTokenKind::word ? tokens_[i].upper
                                                                       : std::string_view();
  }
  [[nodiscard]] bool punct(std::size_t i, char c) const {
    return i < tokens_.size() && tokens_[i].kind == SqlTokenKind::punctuation &&
           tokens_[i].text.size() == 1 && tokens_[i].text[0] == c;
  }
  // Skips the given optional words in order, returning the next index.
  std::size_t skip(std::size_t i, std::initializer_list<std::string_view> words) const {
    for (const auto w : words) {
      if (word(i) == w)
        ++i;
    }
    return i;
  }
  // A possibly qualified name at i: returns its last part in lower case (unquoted) and the index
  // after it.
  std::pair<std::string, std::size_t> name(std::size_t i) const {
    std::string last;
    while (i < tokens_.size()) {
      const auto& t = tokens_[i];
      if (t.kind == SqlTokenKind::word) {
        last = util::to_lower(t.text);
      } else if (t.kind == SqlTokenKind::quoted_identifier) {
        last = std::string(t.text.substr(1, t.text.size() - 2));
      } else {
        break;
      }
      ++i;
      if (!punct(i, '.'))
        break;
      ++i;
    }
    return {last, i};
  }
  [[nodiscard]] bool has_words(std::size_t from, std::size_t to,
                               std::initializer_list<std::string_view> sequence) const {
    for (std::size_t i = from; i + sequence.size() <= to; ++i) {
      std::size_t k = 0;
      for (const auto w : sequence) {
        if (word(i + k) != w)
          break;
        ++k;
      }
      if (k == sequence.size())
        return true;
    }
    return false;
  }
  // Splits [from, to) at commas outside parentheses.
  [[nodiscard]] std::vector<std::pair<std::size_t, std::size_t>> items(std::size_t from,
                                                                       std::size_t to) const {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    int depth = 0;
    std::size_t start = from;
    for (std::size_t i = from; i < to; ++i) {
      if (punct(i, '('))
        ++depth;
      if (punct(i, ')'))
        --depth;
      if (depth == 0 && punct(i, ',')) {
        out.emplace_back(start, i);
        start = i + 1;
      }
    }
    if (start < to)
      out.emplace_back(start, to);
    return out;
  }
  // Index of the ')' matching the '(' at i, or size().
  [[nodiscard]] std::size_t closing(std::size_t i) const {
    int depth = 0;
    for (; i < tokens_.size(); ++i) {
      if (punct(i, '('))
        ++depth;
      if (punct(i, ')') && --depth == 0)
        return i;
    }
    return tokens_.size();
  }

 private:
  const std::vector<SqlToken>& tokens_;
};

class FileLinter {
 public:
  FileLinter(std::string file, TransactionMode mode) : file_(std::move(file)), mode_(mode) {}

  void statement(const SqlStatement& statement) {
    current_ = &statement;
    ignored_ = ignored_rules(statement);
    const Tokens t(statement.tokens);
    const auto first = t.word(0);
    if (first == "BEGIN" || first == "COMMIT" || first == "ROLLBACK" || first == "END" ||
        first == "ABORT" || (first == "START" && t.word(1) == "TRANSACTION")) {
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

  std::vector<LintFinding> take() { return std::move(findings_); }

  void report(std::string_view rule_id, int line, std::string subject = {}) {
    if (ignored_.contains(std::string(rule_id)))
      return;
    findings_.push_back(LintFinding{file_, line, &rule(rule_id), std::move(subject)});
  }

 private:
  std::set<std::string> ignored_rules(const SqlStatement& statement) {
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
        findings_.push_back(LintFinding{file_, statement.line, &rule("lint-ignore-without-reason"),
                                        std::string(ids)});
        continue;
      }
      for (const auto& id : util::split(ids, ','))
        ignored.insert(std::string(util::trim(id)));
    }
    return ignored;
  }

  int line_of(const Tokens& t, std::size_t i) const {
    return i < t.size() ? t.at(i).line : current_->line;
  }

  bool is_new(const std::string& table) const { return created_.contains(table); }

  void needs_lock_timeout(const Tokens& t) {
    if (lock_timeout_set_ || lock_timeout_reported_)
      return;
    lock_timeout_reported_ = true;
    report("missing-lock-timeout", line_of(t, 0));
  }

  void create(const Tokens& t) {
    std::size_t i =
        t.skip(1, {"OR", "REPLACE", "UNIQUE", "GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED"});
    if (t.word(i) == "TABLE") {
      auto [table, after] = t.name(t.skip(i + 1, {"IF", "NOT", "EXISTS"}));
      created_.insert(table);
      column_types(t, after, table);
    } else if (t.word(i) == "INDEX") {
      create_index(t, i + 1);
    }
  }

  void create_index(const Tokens& t, std::size_t i) {
    const bool concurrently = t.word(i) == "CONCURRENTLY";
    if (concurrently && mode_ == TransactionMode::per_revision) {
      report("concurrently-in-transaction", line_of(t, 0));
    }
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
  void column_types(const Tokens& t, std::size_t i, const std::string& table) {
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
      types[column] = t.word(type_index);
      type_rules(t, type_index, to);
      if (kIntTypes.contains(t.word(type_index)) &&
          t.has_words(type_index, to, {"PRIMARY", "KEY"})) {
        report("int-primary-key", line_of(t, from), table + "." + column);
      }
    }
  }

  void type_rules(const Tokens& t, std::size_t from, std::size_t to) {
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

  void alter_table(const Tokens& t) {
    const auto [table, after] = t.name(t.skip(2, {"IF", "EXISTS", "ONLY"}));
    const bool existing = !is_new(table);
    bool locking = false;
    for (const auto& [from, to] : t.items(after, t.size())) {
      locking |= alter_action(t, from, to, table, existing);
    }
    if (existing && locking)
      needs_lock_timeout(t);
  }

  // One action of ALTER TABLE; returns whether it takes a lock worth bounding.
  bool alter_action(const Tokens& t, std::size_t from, std::size_t to, const std::string& table,
                    bool existing) {
    const auto verb = t.word(from);
    const int line = line_of(t, from);
    if (verb == "ADD") {
      auto i = t.skip(from + 1, {"CONSTRAINT"});
      if (t.word(from + 1) == "CONSTRAINT")
        i = t.name(i).second;
      const bool not_valid = t.has_words(from, to, {"NOT", "VALID"});
      if (t.word(i) == "FOREIGN" || t.word(i) == "CHECK") {
        const auto id =
            t.word(i) == "FOREIGN" ? "foreign-key-without-not-valid" : "check-without-not-valid";
        if (existing && !not_valid)
          report(id, line, table);
        return true;
      }
      if (t.word(i) == "PRIMARY" || t.word(i) == "UNIQUE" || t.word(i) == "EXCLUDE")
        return true;
      // ADD [COLUMN] [IF NOT EXISTS] name type ...
      const auto column_at = t.skip(t.skip(from + 1, {"COLUMN"}), {"IF", "NOT", "EXISTS"});
      const auto [column, type_index] = t.name(column_at);
      type_rules(t, type_index, to);
      if (existing && volatile_default(t, type_index, to))
        report("volatile-default", line, table + "." + column);
      return true;
    }
    if (verb == "ALTER") {
      const auto [column, i] = t.name(t.skip(from + 1, {"COLUMN"}));
      if (t.word(i) == "SET" && t.word(i + 1) == "NOT" && t.word(i + 2) == "NULL") {
        if (existing)
          report("set-not-null", line, table + "." + column);
      } else if (t.word(i) == "TYPE" || (t.word(i) == "SET" && t.word(i + 1) == "DATA")) {
        type_rules(t, i, to);
        if (existing)
          report("alter-column-type", line, table + "." + column);
      }
      return true;
    }
    if (verb == "RENAME") {
      if (existing) {
        const bool table_rename = t.word(from + 1) == "TO";
        report(table_rename ? "rename-table" : "rename-column", line, table);
      }
      return true;
    }
    if (verb == "DROP") {
      if (existing && t.word(from + 1) != "CONSTRAINT" && t.word(from + 1) != "DEFAULT") {
        report("drop-column", line, table);
      }
      return true;
    }
    return verb != "OWNER" && verb != "SET";
  }

  static bool volatile_default(const Tokens& t, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      if (t.word(i) != "DEFAULT")
        continue;
      for (std::size_t k = i + 1; k < to; ++k) {
        if (kVolatileFunctions.contains(t.word(k)) && t.punct(k + 1, '('))
          return true;
      }
    }
    return false;
  }

  void drop(const Tokens& t) {
    if (t.word(1) == "INDEX" && t.word(2) == "CONCURRENTLY" &&
        mode_ == TransactionMode::per_revision) {
      report("concurrently-in-transaction", line_of(t, 0));
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
    }
  }

  std::string file_;
  TransactionMode mode_;
  const SqlStatement* current_ = nullptr;
  std::set<std::string> ignored_;
  std::set<std::string> created_;
  bool lock_timeout_set_ = false;
  bool lock_timeout_reported_ = false;
  std::vector<LintFinding> findings_;
};

}  // namespace

const std::vector<LintRule>& lint_rules() {
  return kRules;
}

std::string to_string(Severity severity) {
  return severity == Severity::error ? "error" : "warning";
}

std::vector<LintFinding> lint_sql(std::string_view sql, const std::string& file,
                                  TransactionMode mode) {
  FileLinter linter(file, mode);
  std::vector<SqlStatement> statements;
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

}  // namespace agentdb::migrate
