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

const LintRule& rule(std::string_view id) {
  for (const auto& r : kRules) {
    if (r.id == id)
      return r;
  }
  return kRules.back();
}

const std::set<std::string, std::less<>> kIntTypes = {
    "INT", "INTEGER", "INT4", "SERIAL", "SERIAL4", "SMALLINT", "INT2", "SMALLSERIAL", "SERIAL2"};
const std::set<std::string, std::less<>> kSerialTypes = {"SERIAL",  "SERIAL4",     "BIGSERIAL",
                                                         "SERIAL8", "SMALLSERIAL", "SERIAL2"};
const std::set<std::string, std::less<>> kVolatileFunctions = {
    "RANDOM",    "GEN_RANDOM_UUID", "UUID_GENERATE_V1", "UUID_GENERATE_V4",  "CLOCK_TIMESTAMP",
    "TIMEOFDAY", "NEXTVAL",         "TXID_CURRENT",     "PG_CURRENT_XACT_ID"};
// Words that end a column's type in a column definition or ALTER COLUMN ... TYPE.
const std::set<std::string, std::less<>> kAfterType = {
    "USING",   "DEFAULT",    "COLLATE",   "NOT",        "NULL",      "CONSTRAINT",
    "PRIMARY", "UNIQUE",     "CHECK",     "REFERENCES", "GENERATED", "COMPRESSION",
    "STORAGE", "DEFERRABLE", "INITIALLY", "ENCODING",   "OPTIONS"};
// PostgreSQL's NAMEDATALEN - 1.
constexpr std::size_t kMaxIdentifierBytes = 63;

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
    return find_words(from, to, sequence, false) < to;
  }
  // The same, outside parentheses (not inside a CHECK or DEFAULT expression, say).
  [[nodiscard]] bool has_top_words(std::size_t from, std::size_t to,
                                   std::initializer_list<std::string_view> sequence) const {
    return find_words(from, to, sequence, true) < to;
  }
  // Index of the first occurrence of `sequence` in [from, to), or `to`.
  [[nodiscard]] std::size_t find_words(std::size_t from, std::size_t to,
                                       std::initializer_list<std::string_view> sequence,
                                       bool top_level_only) const {
    int depth = 0;
    for (std::size_t i = from; i + sequence.size() <= to; ++i) {
      if (punct(i, '('))
        ++depth;
      if (punct(i, ')'))
        --depth;
      if (top_level_only && depth != 0)
        continue;
      std::size_t k = 0;
      for (const auto w : sequence) {
        if (word(i + k) != w)
          break;
        ++k;
      }
      if (k == sequence.size())
        return i;
    }
    return to;
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
  // The end of the column type that starts at `from`: the first word at parenthesis depth 0 that
  // begins a constraint, default, collation, USING expression or other clause, or `to`.
  [[nodiscard]] std::size_t type_end(std::size_t from, std::size_t to) const {
    int depth = 0;
    for (std::size_t i = from; i < to; ++i) {
      if (punct(i, '(') || punct(i, '['))
        ++depth;
      if (punct(i, ')') || punct(i, ']'))
        --depth;
      if (depth == 0 && kAfterType.contains(word(i)))
        return i;
    }
    return to;
  }

 private:
  const std::vector<SqlToken>& tokens_;
};

// A declared column type, normalised: `text` is what SchemaModel stores.
struct ColumnType {
  std::string base;             // "varchar", "numeric", "timestamptz", "myschema.mytype"
  std::vector<long long> args;  // type modifiers, when all are integers
  bool args_known = true;       // false when a modifier is not an integer
  bool array = false;
  std::string text;
};

const std::map<std::string, std::string, std::less<>> kTypeAliases = {
    {"character varying", "varchar"},
    {"char varying", "varchar"},
    {"character", "bpchar"},
    {"char", "bpchar"},
    {"decimal", "numeric"},
    {"dec", "numeric"},
    {"bit varying", "varbit"},
    {"int", "int4"},
    {"integer", "int4"},
    {"serial", "int4"},
    {"serial4", "int4"},
    {"smallint", "int2"},
    {"smallserial", "int2"},
    {"serial2", "int2"},
    {"bigint", "int8"},
    {"bigserial", "int8"},
    {"serial8", "int8"},
    {"boolean", "bool"},
    {"real", "float4"},
    {"double precision", "float8"},
    {"timestamp without time zone", "timestamp"},
    {"timestamp with time zone", "timestamptz"},
    {"time without time zone", "time"},
    {"time with time zone", "timetz"},
};

ColumnType parse_type(const Tokens& t, std::size_t from, std::size_t to) {
  ColumnType type;
  std::string raw_args;
  std::size_t i = from;
  if (t.word(i) == "PG_CATALOG" && t.punct(i + 1, '.'))
    i += 2;
  for (; i < to; ++i) {
    const auto& token = t.at(i);
    if (token.kind == SqlTokenKind::word || token.kind == SqlTokenKind::quoted_identifier) {
      if (token.upper == "ARRAY") {
        type.array = true;
        continue;
      }
      if (!type.base.empty() && !type.base.ends_with('.'))
        type.base += ' ';
      type.base +=
          token.kind == SqlTokenKind::word ? util::to_lower(token.text) : std::string(token.text);
    } else if (t.punct(i, '.')) {
      type.base += '.';
    } else if (t.punct(i, '[')) {
      type.array = true;
      while (i < to && !t.punct(i, ']'))
        ++i;
    } else if (t.punct(i, '(')) {
      const auto close = std::min(t.closing(i), to);
      long long sign = 1;
      for (std::size_t k = i + 1; k < close; ++k) {
        const auto& arg = t.at(k);
        raw_args += util::to_lower(arg.text);
        if (t.punct(k, ',')) {
          continue;
        } else if (t.punct(k, '-')) {
          sign = -1;
        } else if (const auto n = arg.kind == SqlTokenKind::number ? util::parse_int64(arg.text)
                                                                   : std::nullopt) {
          type.args.push_back(sign * *n);
          sign = 1;
        } else {
          type.args_known = false;
        }
      }
      i = close;
    }
  }
  if (const auto alias = kTypeAliases.find(type.base); alias != kTypeAliases.end()) {
    if (alias->first == "character" || alias->first == "char") {
      if (type.args.empty() && type.args_known)
        type.args.push_back(1);  // char is char(1)
    }
    type.base = alias->second;
  }
  if (type.base == "float") {  // float(p) is real up to 24 bits of precision
    type.base =
        type.args_known && type.args.size() == 1 && type.args[0] <= 24 ? "float4" : "float8";
    type.args.clear();
    type.args_known = true;
  }
  type.text = type.base;
  if (!type.args_known) {
    type.text += "(" + raw_args + ")";
  } else if (!type.args.empty()) {
    type.text += "(";
    for (std::size_t k = 0; k < type.args.size(); ++k)
      type.text += (k ? "," : "") + std::to_string(type.args[k]);
    type.text += ")";
  }
  if (type.array)
    type.text += "[]";
  return type;
}

ColumnType parse_type(std::string_view text) {
  try {
    const auto statements = util::split_sql(text);
    if (statements.size() == 1) {
      const Tokens t(statements[0].tokens);
      return parse_type(t, 0, t.size());
    }
  } catch (const util::SqlLexError&) {
  }
  return ColumnType{};
}

// Whether ALTER COLUMN ... TYPE from `old_type` to `new_type` (without USING or COLLATE) keeps the
// table as it is: the types are binary coercible and the new modifier admits every old value, so
// PostgreSQL neither rewrites nor scans it (see the *_support functions of varchar, numeric,
// varbit and timestamp).
bool changes_without_rewrite(const ColumnType& old_type, const ColumnType& new_type) {
  if (old_type.base.empty() || new_type.base.empty())
    return false;
  if (old_type.text == new_type.text)
    return true;
  if (old_type.array || new_type.array || !old_type.args_known || !new_type.args_known)
    return false;
  const auto& from = old_type.base;
  const auto& to = new_type.base;
  const auto widens = [&](long long unbounded_from = -1) {
    if (new_type.args.empty())
      return true;
    if (unbounded_from >= 0 && new_type.args[0] >= unbounded_from)
      return true;
    return !old_type.args.empty() && new_type.args[0] >= old_type.args[0];
  };
  if ((from == "varchar" || from == "text") && to == "text")
    return true;
  if (from == "text" && to == "varchar")
    return new_type.args.empty();
  if ((from == "varchar" || from == "varbit") && to == from)
    return widens();
  if (from == "numeric" && to == "numeric") {
    if (new_type.args.empty())
      return true;
    if (old_type.args.empty())
      return false;
    const auto scale = [](const ColumnType& c) { return c.args.size() > 1 ? c.args[1] : 0; };
    return scale(old_type) == scale(new_type) && new_type.args[0] >= old_type.args[0];
  }
  if ((from == "timestamp" || from == "timestamptz" || from == "time" || from == "timetz") &&
      to == from) {
    return widens(6);  // precision 6 is the maximum, the same as none
  }
  return from == "cidr" && to == "inet";
}

class FileLinter {
 public:
  FileLinter(std::string file, TransactionMode mode, SchemaModel& model)
      : file_(std::move(file)), mode_(mode), model_(model) {}

  void statement(const SqlStatement& statement) {
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

  // Identifiers (words and quoted identifiers, not strings) that PostgreSQL would truncate.
  void long_identifiers(const Tokens& t) {
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

  void create(const Tokens& t) {
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

  void create_index(const Tokens& t, std::size_t i) {
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
      const auto type_to = t.type_end(type_index, to);
      types[column] = t.word(type_index);
      type_rules(t, type_index, type_to);
      model_.set_column(table, column, parse_type(t, type_index, type_to).text);
      if (kIntTypes.contains(t.word(type_index)) &&
          t.has_words(type_index, to, {"PRIMARY", "KEY"})) {
        report("int-primary-key", line_of(t, from), table + "." + column);
      }
    }
  }

  // Rules about a column's type; [from, to) holds the type's tokens only.
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
      if (t.word(i) == "PRIMARY" || t.word(i) == "UNIQUE") {
        if (existing && !uses_existing_index(t, i, to))
          report("unique-without-using-index", line, table);
        return true;
      }
      if (t.word(i) == "EXCLUDE")
        return true;
      add_column(t, from, to, table, existing);
      return true;
    }
    if (verb == "ALTER") {
      const auto [column, i] = t.name(t.skip(from + 1, {"COLUMN"}));
      if (t.word(i) == "SET" && t.word(i + 1) == "NOT" && t.word(i + 2) == "NULL") {
        if (existing)
          report("set-not-null", line, table + "." + column);
      } else if (t.word(i) == "TYPE" || (t.word(i) == "SET" && t.word(i + 1) == "DATA")) {
        const auto type_at = t.word(i) == "TYPE" ? i + 1 : t.skip(i + 2, {"TYPE"});
        const auto type_to = t.type_end(type_at, to);
        type_rules(t, type_at, type_to);
        const auto new_type = parse_type(t, type_at, type_to);
        const auto old_type = model_.column_type(table, column);
        // USING computes every value anew; COLLATE rebuilds the indexes.
        const bool plain = t.word(type_to) != "USING" && t.word(type_to) != "COLLATE";
        if (existing &&
            !(plain && old_type && changes_without_rewrite(parse_type(*old_type), new_type))) {
          report("alter-column-type", line, table + "." + column);
        }
        model_.set_column(table, column, new_type.text);
      }
      return true;
    }
    if (verb == "RENAME") {
      if (t.word(from + 1) == "TO") {
        if (existing)
          report("rename-table", line, table);
        const auto to_name = t.name(from + 2).first;
        model_.rename_table(table, to_name);
        if (created_.erase(table) > 0)
          created_.insert(to_name);
      } else if (t.word(from + 1) != "CONSTRAINT") {
        if (existing)
          report("rename-column", line, table);
        const auto [column, after] = t.name(t.skip(from + 1, {"COLUMN"}));
        if (t.word(after) == "TO")
          model_.rename_column(table, column, t.name(after + 1).first);
      }
      return true;
    }
    if (verb == "DROP") {
      if (t.word(from + 1) != "CONSTRAINT" && t.word(from + 1) != "DEFAULT") {
        if (existing)
          report("drop-column", line, table);
        model_.drop_column(table, t.name(t.skip(from + 1, {"COLUMN", "IF", "EXISTS"})).first);
      }
      return true;
    }
    return verb != "OWNER" && verb != "SET";
  }

  // ADD [COLUMN] [IF NOT EXISTS] name type [constraints...]
  void add_column(const Tokens& t, std::size_t from, std::size_t to, const std::string& table,
                  bool existing) {
    const auto column_at = t.skip(t.skip(from + 1, {"COLUMN"}), {"IF", "NOT", "EXISTS"});
    const bool if_not_exists = t.word(column_at - 1) == "EXISTS";
    const auto [column, type_index] = t.name(column_at);
    const auto type_to = t.type_end(type_index, to);
    type_rules(t, type_index, type_to);
    if (!(if_not_exists && model_.column_type(table, column)))
      model_.set_column(table, column, parse_type(t, type_index, type_to).text);
    if (!existing)
      return;
    const auto subject = table + "." + column;
    const auto line = line_of(t, from);
    const bool serial = kSerialTypes.contains(t.word(type_index));
    const bool identity = t.has_top_words(type_to, to, {"AS", "IDENTITY"});
    const bool generated = t.has_top_words(type_to, to, {"GENERATED"});
    const bool has_default = t.has_top_words(type_to, to, {"DEFAULT"});
    if (serial || identity || volatile_default(t, type_to, to))
      report("volatile-default", line, subject);
    if (generated && !identity && generated_stored(t, type_to, to))
      report("stored-generated-column", line, subject);
    const bool primary_key = t.has_top_words(type_to, to, {"PRIMARY", "KEY"});
    if ((t.has_top_words(type_to, to, {"NOT", "NULL"}) || primary_key) && !has_default &&
        !generated && !serial) {
      report("not-null-without-default", line, subject);
    }
    if (primary_key || t.has_top_words(type_to, to, {"UNIQUE"}))
      report("unique-without-using-index", line, subject);
    if (t.has_top_words(type_to, to, {"REFERENCES"}))
      report("add-column-with-foreign-key", line, subject);
  }

  // After ADD [CONSTRAINT name] UNIQUE|PRIMARY KEY at i: USING INDEX name adopts an existing index
  // (USING INDEX TABLESPACE only says where to build a new one).
  static bool uses_existing_index(const Tokens& t, std::size_t i, std::size_t to) {
    const auto at = t.find_words(i, to, {"USING", "INDEX"}, true);
    return at < to && t.word(at + 2) != "TABLESPACE";
  }

  // GENERATED ALWAYS AS (expr) STORED in [from, to).
  static bool generated_stored(const Tokens& t, std::size_t from, std::size_t to) {
    const auto at = t.find_words(from, to, {"GENERATED"}, true);
    const auto as = t.skip(t.skip(at + 1, {"ALWAYS", "BY", "DEFAULT"}), {"AS"});
    if (at >= to || !t.punct(as, '('))
      return false;
    return t.word(t.closing(as) + 1) == "STORED";
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

  void drop_index(const Tokens& t) {
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

}  // namespace

void SchemaModel::learn(std::string_view sql) {
  (void)lint_sql(sql, std::string(), TransactionMode::per_revision, *this);
}

bool SchemaModel::has_table(std::string_view table) const {
  return tables_.contains(table);
}

std::optional<std::string> SchemaModel::column_type(std::string_view table,
                                                    std::string_view column) const {
  const auto t = tables_.find(table);
  if (t == tables_.end())
    return std::nullopt;
  const auto c = t->second.find(column);
  if (c == t->second.end() || c->second.empty())
    return std::nullopt;
  return c->second;
}

void SchemaModel::create_table(const std::string& table) {
  tables_[table].clear();
}

void SchemaModel::drop_table(std::string_view table) {
  if (const auto t = tables_.find(table); t != tables_.end())
    tables_.erase(t);
}

void SchemaModel::rename_table(std::string_view from, const std::string& to) {
  const auto t = tables_.find(from);
  if (t == tables_.end()) {
    tables_.erase(to);  // whatever was known under the new name is stale
    return;
  }
  auto columns = std::move(t->second);
  tables_.erase(t);
  tables_[to] = std::move(columns);
}

void SchemaModel::set_column(const std::string& table, const std::string& column,
                             std::string type) {
  tables_[table][column] = std::move(type);
}

void SchemaModel::drop_column(std::string_view table, std::string_view column) {
  const auto t = tables_.find(table);
  if (t == tables_.end())
    return;
  if (const auto c = t->second.find(column); c != t->second.end())
    t->second.erase(c);
}

void SchemaModel::rename_column(std::string_view table, std::string_view from,
                                const std::string& to) {
  const auto t = tables_.find(table);
  if (t == tables_.end())
    return;
  const auto c = t->second.find(from);
  if (c == t->second.end()) {
    t->second.erase(to);
    return;
  }
  auto type = std::move(c->second);
  t->second.erase(c);
  t->second[to] = std::move(type);
}

const std::vector<LintRule>& lint_rules() {
  return kRules;
}

std::string to_string(Severity severity) {
  return severity == Severity::error ? "error" : "warning";
}

std::vector<LintFinding> lint_sql(std::string_view sql, const std::string& file,
                                  TransactionMode mode, SchemaModel& model) {
  FileLinter linter(file, mode, model);
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

std::vector<LintFinding> lint_sql(std::string_view sql, const std::string& file,
                                  TransactionMode mode) {
  SchemaModel model;
  return lint_sql(sql, file, mode, model);
}

}  // namespace agentdb::migrate
