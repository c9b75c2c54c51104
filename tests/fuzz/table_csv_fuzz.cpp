// Feeds arbitrary bytes as cells to the text table, the terminal filter and the CSV writer. The
// first byte picks the number of columns and which are numbers; then each cell is one length byte
// and that many bytes, so a cell may hold any byte.
// A table or filtered text must keep one line per row and let no control character through but
// its newlines and colour codes (ESC '[' digits and ';' 'm'), and be well-formed UTF-8; CSV must
// parse back (RFC 4180) to as many fields per record as columns, each the cell it was given or
// the cell behind the ' that neutralises a formula. Anything else is a bug.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/output.hpp"
#include "util/strings.hpp"

namespace {

using namespace agentdb;

// Length of the colour code at `i`, 0 if there is none.
std::size_t colour_code_at(std::string_view text, std::size_t i) {
  if (i + 2 >= text.size() || text[i + 1] != '[')
    return 0;
  for (std::size_t k = i + 2; k < text.size(); ++k) {
    if (text[k] == 'm')
      return k - i + 1;
    if ((text[k] < '0' || text[k] > '9') && text[k] != ';')
      return 0;
  }
  return 0;
}

// Whether `text` holds no control character but newlines and, if `colours`, colour codes.
bool only_safe_controls(std::string_view text, bool colours) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\033' && colours && colour_code_at(text, i) > 0) {
      i += colour_code_at(text, i) - 1;
      continue;
    }
    if ((c < 0x20 && c != '\n') || c == 0x7F)
      return false;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9F)
      return false;  // a C1 control in UTF-8
  }
  return util::is_valid_utf8(text);
}

// RFC 4180 records, or nullopt if `text` is not well-formed CSV ending in a newline.
std::optional<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    std::string field;
    if (text[i] == '"') {
      for (++i;; ++i) {
        if (i >= text.size())
          return std::nullopt;
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        field += text[i];
      }
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\n') {
        if (text[i] == '"' || text[i] == '\r')
          return std::nullopt;
        field += text[i++];
      }
    }
    if (i >= text.size() || (text[i] != ',' && text[i] != '\n'))
      return std::nullopt;
    fields.push_back(std::move(field));
    if (text[i++] == '\n')
      records.push_back(std::move(fields)), fields.clear();
  }
  return records;
}

bool starts_like_formula(std::string_view cell) {
  return !cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos;
}

// A signed decimal, by the standard library's reading (the one thing a number column may start
// with '-' or '+' for). One too large for a double ("-1e999") is still a number, not a formula.
bool is_signed_number(std::string_view cell) {
  if (cell.size() < 2 || (cell[0] != '-' && cell[0] != '+'))
    return false;
  const auto rest = cell.substr(1);
  if (rest[0] != '.' && (rest[0] < '0' || rest[0] > '9'))
    return false;
  double value = 0;
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  return (error == std::errc{} || error == std::errc::result_out_of_range) &&
         end == rest.data() + rest.size();
}

void check_csv(std::string_view csv, const std::vector<CsvTable::Column>& columns,
               const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::string> header;
  for (const auto& column : columns)
    header.push_back(column.name);
  const auto records = parse_csv(csv);
  if (!records || records->size() != rows.size() + 1)
    __builtin_trap();
  for (std::size_t r = 0; r < records->size(); ++r) {
    const auto& given = r == 0 ? header : rows[r - 1];
    const auto& parsed = (*records)[r];
    if (parsed.size() != header.size())
      __builtin_trap();
    for (std::size_t c = 0; c < parsed.size(); ++c) {
      if (parsed[c] != given[c] && !(starts_like_formula(given[c]) && parsed[c] == "'" + given[c]))
        __builtin_trap();
      const bool number = r > 0 && columns[c].kind == CsvColumn::number;
      if (starts_like_formula(parsed[c]) && !(number && is_signed_number(parsed[c])))
        __builtin_trap();  // a formula left for a spreadsheet
    }
  }
  // As a terminal gets it: still one record per row and field count, nothing it acts on.
  const auto shown = terminal_text(csv, util::Newlines::keep, ColourCodes::escape);
  if (!only_safe_controls(shown, false))
    __builtin_trap();
  const auto shown_records = parse_csv(shown);
  if (!shown_records || shown_records->size() != records->size())
    __builtin_trap();
  for (const auto& record : *shown_records) {
    if (record.size() != header.size())
      __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::size_t columns = 1 + data[0] % 4;
  std::vector<CsvTable::Column> kinds;
  std::vector<std::string> header;
  for (std::size_t c = 0; c < columns; ++c) {
    header.push_back("column" + std::to_string(c));
    kinds.push_back(
        {header.back(), (data[0] >> (4 + c)) & 1 ? CsvColumn::number : CsvColumn::text});
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> cells;
  for (std::size_t i = 1; i < size;) {
    const std::size_t length = std::min<std::size_t>(data[i], size - i - 1);
    ++i;
    cells.emplace_back(reinterpret_cast<const char*>(data) + i, length);
    i += length;
    if (cells.size() == columns)
      rows.push_back(std::move(cells)), cells.clear();
  }
  if (!cells.empty()) {
    cells.resize(columns);
    rows.push_back(std::move(cells));
  }

  Table table(header);
  CsvTable csv(kinds);
  for (const auto& row : rows) {
    table.add_row(row);
    csv.add_row(row);
    for (const auto& cell : row) {
      for (const auto newlines : {util::Newlines::keep, util::Newlines::escape}) {
        const auto shown = terminal_text(cell, newlines, ColourCodes::escape);
        if (!only_safe_controls(shown, false))
          __builtin_trap();
        if (newlines == util::Newlines::escape && shown.find('\n') != std::string::npos)
          __builtin_trap();
        if (!only_safe_controls(terminal_text(cell, newlines), true))
          __builtin_trap();
      }
    }
  }
  const auto text = table.render();
  std::size_t lines = 0;
  for (const char c : text)
    lines += c == '\n' ? 1 : 0;
  if (lines != rows.size() + 1 || !only_safe_controls(text, true))
    __builtin_trap();
  check_csv(csv.render(), kinds, rows);
  return 0;
}
