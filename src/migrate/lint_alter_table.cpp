// The ALTER TABLE rules of FileLinter: constraints, column changes, renames and drops.
#include "migrate/column_type.hpp"
#include "migrate/file_linter.hpp"

namespace agentdb::migrate::lint_detail {

namespace {

const std::set<std::string, std::less<>> kSerialTypes = {"SERIAL",  "SERIAL4",     "BIGSERIAL",
                                                         "SERIAL8", "SMALLSERIAL", "SERIAL2"};
const std::set<std::string, std::less<>> kVolatileFunctions = {
    "RANDOM",    "GEN_RANDOM_UUID", "UUID_GENERATE_V1", "UUID_GENERATE_V4",  "CLOCK_TIMESTAMP",
    "TIMEOFDAY", "NEXTVAL",         "TXID_CURRENT",     "PG_CURRENT_XACT_ID"};

}  // namespace

void FileLinter::alter_table(const Tokens& t) {
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
bool FileLinter::alter_action(const Tokens& t, std::size_t from, std::size_t to,
                              const std::string& table, bool existing) {
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
void FileLinter::add_column(const Tokens& t, std::size_t from, std::size_t to,
                            const std::string& table, bool existing) {
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
bool FileLinter::uses_existing_index(const Tokens& t, std::size_t i, std::size_t to) {
  const auto at = t.find_words(i, to, {"USING", "INDEX"}, true);
  return at < to && t.word(at + 2) != "TABLESPACE";
}

// GENERATED ALWAYS AS (expr) STORED in [from, to).
bool FileLinter::generated_stored(const Tokens& t, std::size_t from, std::size_t to) {
  const auto at = t.find_words(from, to, {"GENERATED"}, true);
  const auto as = t.skip(t.skip(at + 1, {"ALWAYS", "BY", "DEFAULT"}), {"AS"});
  if (at >= to || !t.punct(as, '('))
    return false;
  return t.word(t.closing(as) + 1) == "STORED";
}

bool FileLinter::volatile_default(const Tokens& t, std::size_t from, std::size_t to) {
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
}  // namespace agentdb::migrate::lint_detail
