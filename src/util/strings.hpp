// String helpers that know nothing about agentdb.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentdb::util {

[[nodiscard]] std::string_view trim(std::string_view text);
[[nodiscard]] std::vector<std::string> split(std::string_view text, char separator);
[[nodiscard]] std::vector<std::string> split_lines(std::string_view text);
[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view separator);
[[nodiscard]] std::string to_lower(std::string_view text);
[[nodiscard]] std::string to_upper(std::string_view text);
[[nodiscard]] bool is_valid_utf8(std::string_view text);
// 1-based line number of the byte at `offset`.
[[nodiscard]] int line_of_offset(std::string_view text, std::size_t offset);
// Parses a whole decimal number that fits in int64; nullopt for anything else.
[[nodiscard]] std::optional<long long> parse_int64(std::string_view text);
// A byte count for people: "812 B", "3.4 MB", "1.21 GB" (decimal units).
[[nodiscard]] std::string human_bytes(std::uint64_t bytes);
// Collapses the text to one line: newlines and tabs become single spaces.
[[nodiscard]] std::string one_line(std::string_view text);
// Text from outside (the database, a server's error) made safe to show on a terminal: every C0
// control (ESC, CR, BS, ...), DEL and C1 control (U+0080..U+009F) becomes a visible \xNN or
// \u00NN escape, so a stored escape sequence cannot move the cursor, retitle or clear the screen;
// so does every byte that is not part of well-formed UTF-8 (a terminal in a Latin-1 locale reads
// a lone 0x9B as CSI).
// Tabs become spaces; newlines are escaped too unless `keep_newlines`.
enum class Newlines { escape, keep };
[[nodiscard]] std::string printable(std::string_view text, Newlines newlines = Newlines::escape);
// Replaces every occurrence of a non-empty `from` in `text`, left to right, in linear time.
void replace_all(std::string& text, std::string_view from, std::string_view to);

}  // namespace agentdb::util
