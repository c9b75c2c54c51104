#include "migrate/column_type.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace agentdb::migrate::lint_detail {

namespace {

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

}  // namespace

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

}  // namespace agentdb::migrate::lint_detail
