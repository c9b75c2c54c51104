#include "core/toml.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

// The only file that includes toml++. Debian's package is a compiled library built with
// exceptions, so TOML_EXCEPTIONS must stay 1 here (its `parse` exists only in that flavour); the
// fuzz build compiles it header-only instead (TOML_HEADER_ONLY=1), to instrument the parser.
#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "util/strings.hpp"

namespace agentdb::toml {

namespace {

// Checked before toml++ sees the text. toml++ 3.3 builds and frees nested tables by recursion, and
// each '.' outside strings and comments can add a level (about 40000 overflow an 8 MiB stack). Its
// Unicode whitespace test reaches TOML_UNREACHABLE for most non-ASCII characters (Debian's build
// compiles that to "not whitespace"); TOML allows them only in strings and comments, so they are
// refused elsewhere first, which keeps hostile keys away from it. A long key repeated in every
// leaf of its table would make the document quadratic.
constexpr std::size_t kMaxFileSize = std::size_t{1} << 20;
constexpr std::size_t kMaxStructuralDots = 4096;
constexpr std::size_t kMaxKeyLength = 512;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// The index of the last character of the string or comment that starts at `start`.
std::size_t skip_string_or_comment(std::string_view text, std::size_t start) {
  const char opening = text[start];
  if (opening == '#') {
    const auto end = text.find('\n', start);
    return end == std::string_view::npos ? text.size() : end;
  }
  const bool multiline = text.substr(start, 3) == std::string(3, opening);
  const auto closing = text.substr(start, multiline ? 3 : 1);
  for (auto i = start + closing.size(); i < text.size(); ++i) {
    if (opening == '"' && text[i] == '\\') {
      ++i;
    } else if (!multiline && text[i] == '\n') {
      return i;  // unterminated: toml++ says so, and what follows is checked
    } else if (text.substr(i, closing.size()) == closing) {
      auto last = i + closing.size() - 1;
      while (multiline && last + 1 < text.size() && text[last + 1] == opening && last < i + 4)
        ++last;  // """a""""" closes after the content a"" (TOML allows two quotes more)
      return last;
    }
  }
  return text.size();
}

[[noreturn]] void fail_at(std::string_view text, std::size_t index, const std::string& what) {
  const auto before = text.substr(0, index);
  const auto line_start = before.rfind('\n') + 1;  // npos + 1 == 0
  int column = 1;
  for (const char c : before.substr(line_start))
    column += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  throw ParseError(what, static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1,
                   column);
}

void check_structure(std::string_view text) {
  if (text.size() > kMaxFileSize)
    throw ParseError("larger than 1 MiB, which no configuration needs", 1, 1);
  std::size_t dots = 0;
  for (auto i = text.starts_with(kByteOrderMark) ? kByteOrderMark.size() : 0; i < text.size();
       ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '.' && ++dots > kMaxStructuralDots) {
      fail_at(text, i,
              "more than " + std::to_string(kMaxStructuralDots) +
                  " dotted key parts and floats, which no configuration needs");
    }
    if (c >= 0x80)
      fail_at(text, i, "a non-ASCII character outside a string or comment");
    if (c == '#' || c == '"' || c == '\'')
      i = skip_string_or_comment(text, i);
  }
}

[[noreturn]] void fail(const std::string& what, const ::toml::source_region& where) {
  throw ParseError(what, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column));
}

template <typename Date>
std::string rfc3339(const Date& date) {
  std::ostringstream text;
  text << date;
  return text.str();
}

Value scalar(const ::toml::node& node) {
  if (const auto* text = node.as_string())
    return Value{text->get()};
  if (const auto* number = node.as_integer())
    return Value{static_cast<long long>(number->get())};
  if (const auto* number = node.as_floating_point())
    return Value{number->get()};
  if (const auto* flag = node.as_boolean())
    return Value{flag->get()};
  if (const auto* date = node.as_date())
    return Value{rfc3339(date->get())};
  if (const auto* time = node.as_time())
    return Value{rfc3339(time->get())};
  if (const auto* date_time = node.as_date_time())
    return Value{rfc3339(date_time->get())};
  fail("unsupported value", node.source());
}

Value array(const ::toml::array& items) {
  if (items.is_array_of_tables()) {
    fail("arrays of tables are not supported in agentdb.toml: use a [table] per entry",
         items.source());
  }
  Array values;
  values.reserve(items.size());
  for (const auto& item : items) {
    if (item.is_table())
      fail("tables inside arrays are not supported in agentdb.toml", item.source());
    values.push_back(item.is_array() ? array(*item.as_array()) : scalar(item));
  }
  return Value{std::move(values)};
}

void flatten(const ::toml::table& table, const std::string& prefix, Document& document) {
  for (const auto& [key, node] : table) {
    const auto part = key.str();
    if (part.empty() || part.find('.') != std::string_view::npos) {
      fail(
          "key \"" + util::printable(part) + "\" is empty or holds a '.'; agentdb.toml keys cannot",
          key.source());
    }
    const auto name = prefix.empty() ? std::string(part) : prefix + "." + std::string(part);
    if (name.size() > kMaxKeyLength) {
      fail("key is longer than " + std::to_string(kMaxKeyLength) + " characters with its tables",
           key.source());
    }
    if (const auto* child = node.as_table())
      flatten(*child, name, document);
    else if (const auto* items = node.as_array())
      document.emplace(name, array(*items));
    else
      document.emplace(name, scalar(node));
  }
}

}  // namespace

Document parse(std::string_view text) {
  check_structure(text);
  ::toml::table root;
  try {
    root = ::toml::parse(text);
  } catch (const ::toml::parse_error& e) {
    fail(std::string(e.description()), e.source());
  }
  Document document;
  flatten(root, {}, document);
  return document;
}

std::string to_setting(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value.data))
    return *text;
  if (const auto* number = std::get_if<long long>(&value.data))
    return std::to_string(*number);
  if (const auto* number = std::get_if<double>(&value.data)) {
    char buffer[64];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, *number).ptr;
    return {buffer, end};
  }
  if (const auto* flag = std::get_if<bool>(&value.data))
    return *flag ? "true" : "false";
  std::vector<std::string> parts;
  for (const auto& item : std::get<Array>(value.data))
    parts.push_back(to_setting(item));
  return util::join(parts, ",");
}

}  // namespace agentdb::toml
