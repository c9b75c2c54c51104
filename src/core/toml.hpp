// The subset of TOML that agentdb.toml uses: [tables] (dotted names allowed), key = value with
// basic "strings" (with escapes), 'literal strings', integers, booleans and arrays of those, and
// # comments. Anything else is rejected with the line number rather than guessed at.
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
struct Value {
  std::variant<std::string, long long, bool, Array> data;
};

// Keys are fully qualified: "migrate.dir" for `dir` under `[migrate]`.
using Document = std::map<std::string, Value, std::less<>>;

class ParseError : public std::runtime_error {
 public:
  ParseError(const std::string& message, int line) : std::runtime_error(message), line_(line) {}
  [[nodiscard]] int line() const { return line_; }

 private:
  int line_;
};

[[nodiscard]] Document parse(std::string_view text);

// The value as text for settings: strings as they are, numbers and booleans spelled out.
[[nodiscard]] std::string to_setting(const Value& value);

}  // namespace agentdb::toml
