// Declared column types as lint's schema model stores them, and which type changes PostgreSQL
// makes without rewriting the table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "migrate/lint_tokens.hpp"

namespace agentdb::migrate::lint_detail {

// A declared column type, normalised: `text` is what SchemaModel stores.
struct ColumnType {
  std::string base;             // "varchar", "numeric", "timestamptz", "myschema.mytype"
  std::vector<long long> args;  // type modifiers, when all are integers
  bool args_known = true;       // false when a modifier is not an integer
  bool array = false;
  std::string text;
};

// The type written in tokens [from, to) of `t`.
[[nodiscard]] ColumnType parse_type(const Tokens& t, std::size_t from, std::size_t to);
// A type as SchemaModel stores it ("varchar(20)"); an empty base when it cannot be read.
[[nodiscard]] ColumnType parse_type(std::string_view text);

// Whether ALTER COLUMN ... TYPE from `old_type` to `new_type` (without USING or COLLATE) keeps the
// table as it is: the types are binary coercible and the new modifier admits every old value, so
// PostgreSQL neither rewrites nor scans it (see the *_support functions of varchar, numeric,
// varbit and timestamp).
[[nodiscard]] bool changes_without_rewrite(const ColumnType& old_type, const ColumnType& new_type);

}  // namespace agentdb::migrate::lint_detail
