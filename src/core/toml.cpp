#include "core/toml.hpp"

#include "util/strings.hpp"

namespace agentdb::toml {

namespace {

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

class LineParser {
 public:
  LineParser(std::string_view text, int line) : text_(text), line_(line) {}

  std::string dotted_key() {
    std::string key;
    while (true) {
      skip_spaces();
      const auto start = pos_;
      while (pos_ < text_.size() && is_bare_key_char(text_[pos_]))
        ++pos_;
      if (pos_ == start)
        fail("expected a key");
      key += text_.substr(start, pos_ - start);
      skip_spaces();
      if (pos_ < text_.size() && text_[pos_] == '.') {
        key += '.';
        ++pos_;
        continue;
      }
      return key;
    }
  }

  void expect(char c) {
    skip_spaces();
    if (pos_ >= text_.size() || text_[pos_] != c)
      fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  Value value() {
    skip_spaces();
    if (pos_ >= text_.size())
      fail("expected a value");
    const char c = text_[pos_];
    if (c == '"')
      return Value{basic_string()};
    if (c == '\'')
      return Value{literal_string()};
    if (c == '[')
      return Value{array()};
    if (text_.substr(pos_, 4) == "true")
      return keyword(4, true);
    if (text_.substr(pos_, 5) == "false")
      return keyword(5, false);
    return Value{integer()};
  }

  void end_of_line() {
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] != '#')
      fail("unexpected text after the value");
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw ParseError(what, line_); }

  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t'))
      ++pos_;
  }

  Value keyword(std::size_t length, bool value) {
    pos_ += length;
    return Value{value};
  }

  std::string basic_string() {
    ++pos_;
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ >= text_.size())
          break;
        switch (text_[pos_++]) {
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          case '"':
            c = '"';
            break;
          case '\\':
            c = '\\';
            break;
          default:
            fail("unsupported escape in string");
        }
      }
      out += c;
    }
    if (pos_ >= text_.size())
      fail("unterminated string");
    ++pos_;
    return out;
  }

  std::string literal_string() {
    ++pos_;
    const auto end = text_.find('\'', pos_);
    if (end == std::string_view::npos)
      fail("unterminated string");
    std::string out(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }

  Array array() {
    ++pos_;
    Array items;
    while (true) {
      skip_spaces();
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return items;
      }
      items.push_back(value());
      skip_spaces();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      expect(']');
      return items;
    }
  }

  long long integer() {
    const auto start = pos_;
    if (pos_ < text_.size() && (text_[pos_] == '-' || text_[pos_] == '+'))
      ++pos_;
    while (pos_ < text_.size() &&
           ((text_[pos_] >= '0' && text_[pos_] <= '9') || text_[pos_] == '_')) {
      ++pos_;
    }
    std::string digits;
    for (char c : text_.substr(start, pos_ - start)) {
      if (c != '_' && c != '+')
        digits += c;
    }
    const auto parsed = util::parse_int64(digits);
    if (!parsed)
      fail("expected a string, integer, boolean or array");
    return *parsed;
  }

  std::string_view text_;
  int line_;
  std::size_t pos_ = 0;
};

}  // namespace

Document parse(std::string_view text) {
  Document document;
  std::string table;
  int line_number = 0;
  for (const auto& raw_line : util::split(text, '\n')) {
    ++line_number;
    const auto line = util::trim(raw_line);
    if (line.empty() || line.front() == '#')
      continue;
    LineParser parser(line, line_number);
    if (line.front() == '[') {
      if (line.size() > 1 && line[1] == '[')
        throw ParseError("arrays of tables are not supported", line_number);
      parser.expect('[');
      table = parser.dotted_key();
      parser.expect(']');
      parser.end_of_line();
      continue;
    }
    auto key = parser.dotted_key();
    parser.expect('=');
    auto value = parser.value();
    parser.end_of_line();
    if (!table.empty())
      key = table + "." + key;
    if (!document.emplace(key, std::move(value)).second) {
      throw ParseError("duplicate key '" + key + "'", line_number);
    }
  }
  return document;
}

std::string to_setting(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value.data))
    return *text;
  if (const auto* number = std::get_if<long long>(&value.data))
    return std::to_string(*number);
  if (const auto* flag = std::get_if<bool>(&value.data))
    return *flag ? "true" : "false";
  std::vector<std::string> parts;
  for (const auto& item : std::get<Array>(value.data))
    parts.push_back(to_setting(item));
  return util::join(parts, ",");
}

}  // namespace agentdb::toml
