// agentdb.toml read as full TOML 1.0 (by toml++, kept out of this header: it is heavy to compile)
// and flattened into fully qualified keys, so tables, dotted keys and inline tables all name a
// setting the same way. Arrays of tables have no setting to map to and are rejected.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace agentdb::toml {

struct Value;
using Array = std::vector<Value>;
// Dates and times are kept as strings in RFC 3339 form ("1979-05-27T07:32:00Z", "07:32:00").
struct Value {
  std::variant<std::string, long long, double, bool, Array> data;
};

// Keys are fully qualified: "migrate.dir" for `dir` under `[migrate]`, for `migrate.dir = ...`
// and for `migrate = { dir = ... }` alike.
using Document = std::map<std::string, Value, std::less<>>;

// Where the text is wrong, counted from 1 (the column in UTF-8 code points).
class ParseError : public std::runtime_error {
 public:
  ParseError(const std::string& message, int line, int column)
      : std::runtime_error(message), line_(line), column_(column) {}
  [[nodiscard]] int line() const { return line_; }
  [[nodiscard]] int column() const { return column_; }

 private:
  int line_;
  int column_;
};

// Throws ParseError on text that is not TOML 1.0 (invalid UTF-8 included), on an array of tables
// and on a key part that is empty or holds a '.', which would not round-trip through a dotted key.
[[nodiscard]] Document parse(std::string_view text);

// The value as text for settings: strings as they are, integers and booleans spelled out, floats
// in the shortest form that reads back to the same number ("0.99", "1e+30", "inf", "nan"), and
// array items joined with ','.
[[nodiscard]] std::string to_setting(const Value& value);

}  // namespace agentdb::toml
