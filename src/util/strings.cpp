#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace agentdb::util {

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos)
      break;
    start = end + 1;
  }
  return parts;
}

std::vector<std::string> split_lines(std::string_view text) {
  auto lines = split(text, '\n');
  for (auto& line : lines) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
  }
  if (!lines.empty() && lines.back().empty())
    lines.pop_back();
  return lines;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0)
      out += separator;
    out += parts[i];
  }
  return out;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

namespace {

// One UTF-8 character at the start of `text`: its length in bytes, 0 when the bytes there are
// not well-formed UTF-8 (a stray continuation byte, a truncated, overlong or surrogate form, a
// value past Unicode's range).
struct Utf8Char {
  std::size_t length = 0;
  unsigned int code_point = 0;
};

Utf8Char decode_utf8(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80)
    return {1, lead};
  std::size_t continuation = 0;
  unsigned int code_point = 0;
  if ((lead & 0xE0) == 0xC0) {
    continuation = 1;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    continuation = 2;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    continuation = 3;
    code_point = lead & 0x07;
  } else {
    return {};
  }
  if (continuation >= text.size())
    return {};
  for (std::size_t k = 1; k <= continuation; ++k) {
    const auto byte = static_cast<unsigned char>(text[k]);
    if ((byte & 0xC0) != 0x80)
      return {};
    code_point = (code_point << 6) | (byte & 0x3F);
  }
  static constexpr unsigned int kMinimum[] = {0, 0x80, 0x800, 0x10000};
  if (code_point < kMinimum[continuation] || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return {};
  }
  return {continuation + 1, code_point};
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  while (!text.empty()) {
    const auto next = decode_utf8(text);
    if (next.length == 0)
      return false;
    text.remove_prefix(next.length);
  }
  return true;
}

int line_of_offset(std::string_view text, std::size_t offset) {
  int line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n')
      ++line;
  }
  return line;
}

std::optional<long long> parse_int64(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  long long value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end)
    return std::nullopt;
  return value;
}

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : trim(text)) {
    if (c == '\n' || c == '\r' || c == '\t') {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty() && out.back() != ' ')
      out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string printable(std::string_view text, Newlines newlines) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const auto escape = [](std::string_view prefix, unsigned int code, std::string& out) {
    out += prefix;
    out += kHex[(code >> 4) & 0xF];
    out += kHex[code & 0xF];
  };
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const auto c = static_cast<unsigned char>(text.front());
    const auto next = decode_utf8(text);
    if (c == '\t') {
      out += ' ';
    } else if (c == '\n' && newlines == Newlines::keep) {
      out += '\n';
    } else if (c < 0x20 || c == 0x7F || next.length == 0) {
      // A byte outside UTF-8 too: a terminal not in UTF-8 mode reads 0x80..0x9F as C1 controls.
      escape("\\x", c, out);
    } else if (next.code_point >= 0x80 && next.code_point <= 0x9F) {
      // UTF-8 of a C1 control, which terminals honour like ESC + a letter.
      escape("\\u00", next.code_point, out);
    } else {
      out.append(text.substr(0, next.length));
    }
    text.remove_prefix(std::max<std::size_t>(next.length, 1));
  }
  return out;
}

std::string human_bytes(std::uint64_t bytes) {
  char buffer[32];
  const double value = static_cast<double>(bytes);
  if (bytes < 1000) {
    std::snprintf(buffer, sizeof buffer, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < 1000ULL * 1000) {
    std::snprintf(buffer, sizeof buffer, "%.1f kB", value / 1e3);
  } else if (bytes < 1000ULL * 1000 * 1000) {
    std::snprintf(buffer, sizeof buffer, "%.1f MB", value / 1e6);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2f GB", value / 1e9);
  }
  return buffer;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty())
    return;
  std::string result;
  std::size_t start = 0;
  for (auto found = text.find(from); found != std::string::npos; found = text.find(from, start)) {
    result.append(text, start, found - start).append(to);
    start = found + from.size();
  }
  if (start == 0)
    return;
  result.append(text, start);
  text = std::move(result);
}

}  // namespace agentdb::util
