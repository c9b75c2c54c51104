#include "core/output.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "util/strings.hpp"

namespace agentdb {

namespace {

void write_out(std::FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
}

// Width as a terminal shows it: escape sequences take no room, UTF-8 sequences one column.
std::size_t visible_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\033') {
      while (i < text.size() && text[i] != 'm')
        ++i;
      continue;
    }
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
      ++width;
  }
  return width;
}

// Length of the colour code at the start of `text` (ESC '[' digits and ';' 'm', as paint makes
// it), 0 for any other sequence. Longer codes than a terminal needs are not colours.
std::size_t colour_code_length(std::string_view text) {
  constexpr std::size_t kLongest = 16;
  if (text.size() < 3 || text[0] != '\033' || text[1] != '[')
    return 0;
  for (std::size_t i = 2; i < text.size() && i < kLongest; ++i) {
    if (text[i] == 'm')
      return i + 1;
    if ((text[i] < '0' || text[i] > '9') && text[i] != ';')
      return 0;
  }
  return 0;
}

}  // namespace

std::string terminal_text(std::string_view text, util::Newlines newlines, ColourCodes colours) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const auto escape = text.find('\033');
    out += util::printable(text.substr(0, escape), newlines);
    if (escape == std::string_view::npos)
      break;
    text.remove_prefix(escape);
    const auto code = colours == ColourCodes::keep ? colour_code_length(text) : 0;
    const auto taken = std::max<std::size_t>(code, 1);
    out += code > 0 ? std::string(text.substr(0, code)) : util::printable(text.substr(0, 1));
    text.remove_prefix(taken);
  }
  return out;
}

std::string Output::shown(std::string_view text, util::Newlines newlines) const {
  // Without colour, paint makes no codes, so any there came from elsewhere.
  return terminal_text(text, newlines, settings_.colour ? ColourCodes::keep : ColourCodes::escape);
}

void Output::print(std::string_view line) const {
  if (json() || settings_.quiet)
    return;
  if (line.ends_with('\n'))
    line.remove_suffix(1);
  write_out(stdout, shown(line, util::Newlines::keep) + "\n");
}

void Output::print_always(std::string_view text) const {
  auto shown_text = shown(text, util::Newlines::keep);
  if (!shown_text.empty() && shown_text.back() != '\n')
    shown_text += '\n';
  write_out(stdout, shown_text);
}

void Output::emit(const nlohmann::json& document) const {
  // JSON escapes C0 controls itself; DEL and C1 controls, which it may leave raw, are escaped
  // too (they can only be inside strings), and bytes that are not UTF-8 become U+FFFD instead
  // of an exception: the document stays exact for a parser and inert on a terminal.
  const auto raw = document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(raw.size() + 1);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    const auto next = i + 1 < raw.size() ? static_cast<unsigned char>(raw[i + 1]) : 0;
    if (c == 0x7F) {
      text += "\\u007f";
    } else if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {
      text += std::string("\\u00") + kHex[next >> 4] + kHex[next & 0xF];
      ++i;
    } else {
      text += static_cast<char>(c);
    }
  }
  write_out(stdout, text + "\n");
}

void Output::warn(std::string_view message) const {
  if (settings_.quiet)
    return;
  const auto line = "agentdb: warning: " + one_line(message);
  write_out(stderr, line);
}

void Output::diagnostic(std::string_view text) const {
  if (settings_.quiet)
    return;
  const auto line = shown(text, util::Newlines::keep) + "\n";
  write_out(stderr, line);
}

void Output::note(std::string_view message) const {
  if (settings_.quiet)
    return;
  const auto line = "agentdb: " + one_line(message);
  write_out(stderr, line);
}

void Output::detail(std::string_view message) const {
  if (!verbose())
    return;
  const auto line = "agentdb: " + one_line(message);
  write_out(stderr, line);
}

std::string Output::one_line(std::string_view message) const {
  return shown(util::one_line(message), util::Newlines::escape) + "\n";
}

void Output::clear_screen() const {
  if (::isatty(STDOUT_FILENO) == 1) {
    write_out(stdout, "\033[H\033[2J");
    std::fflush(stdout);
  }
}

std::string Output::paint(Colour colour, std::string_view text) const {
  if (!settings_.colour || colour == Colour::none)
    return std::string(text);
  const char* code = "";
  switch (colour) {
    case Colour::red:
      code = "\033[31m";
      break;
    case Colour::green:
      code = "\033[32m";
      break;
    case Colour::yellow:
      code = "\033[33m";
      break;
    case Colour::bold:
      code = "\033[1m";
      break;
    case Colour::dim:
      code = "\033[2m";
      break;
    case Colour::none:
      break;
  }
  return std::string(code) + std::string(text) + "\033[0m";
}

std::string Table::render() const {
  // A cell is one line on a terminal: its newlines and escape sequences are shown, not obeyed.
  const auto shown_cells = [](const std::vector<std::string>& cells) {
    std::vector<std::string> shown;
    shown.reserve(cells.size());
    for (const auto& cell : cells)
      shown.push_back(terminal_text(cell, util::Newlines::escape));
    return shown;
  };
  std::vector<std::vector<std::string>> lines{shown_cells(header_)};
  for (const auto& row : rows_)
    lines.push_back(shown_cells(row));
  std::vector<std::size_t> widths(header_.size(), 0);
  for (const auto& cells : lines) {
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], visible_width(cells[i]));
  }
  std::string out;
  for (const auto& cells : lines) {
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      out += cells[i];
      if (i + 1 < cells.size())
        out.append(widths[i] - visible_width(cells[i]) + 2, ' ');
    }
    out += '\n';
  }
  return out;
}

namespace {

// A plain decimal as agentdb writes numbers: optional sign, digits, optional fraction and
// exponent ("-1.5", "1e-3"). Nothing else in a number column is let through as it is.
bool is_plain_number(std::string_view text) {
  std::size_t i = 0;
  const auto digits = [&] {
    const auto start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9')
      ++i;
    return i - start;
  };
  if (i < text.size() && (text[i] == '-' || text[i] == '+'))
    ++i;
  auto mantissa = digits();
  if (i < text.size() && text[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0)
    return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+'))
      ++i;
    if (digits() == 0)
      return false;
  }
  return i == text.size();
}

bool starts_like_formula(std::string_view text) {
  return !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

}  // namespace

std::string csv_field(std::string_view value, CsvColumn column) {
  // Only text is neutralised: a negative amount in a number column is data a spreadsheet must
  // read as a number, and a cell there that is not a plain number is treated as text.
  const bool formula =
      starts_like_formula(value) && !(column == CsvColumn::number && is_plain_number(value));
  if (!formula && value.find_first_of(",\"\r\n") == std::string_view::npos)
    return std::string(value);
  std::string out = formula ? "\"'" : "\"";
  for (const char c : value) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + '"';
}

CsvTable::CsvTable(std::vector<Column> columns) : columns_(std::move(columns)) {
  for (std::size_t i = 0; i < columns_.size(); ++i)
    text_ += (i > 0 ? "," : "") + csv_field(columns_[i].name, CsvColumn::text);
  text_ += '\n';
}

void CsvTable::add_row(const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0)
      text_ += ',';
    if (i < cells.size())
      text_ += csv_field(cells[i], columns_[i].kind);
  }
  text_ += '\n';
}

bool Output::show_progress() const {
  return !json() && !settings_.quiet && ::isatty(STDERR_FILENO) == 1;
}

Output::ProgressMode Output::progress_mode() const {
  if (json() || settings_.quiet)
    return ProgressMode::none;
  return ::isatty(STDERR_FILENO) == 1 ? ProgressMode::live : ProgressMode::periodic;
}

ProgressLine::ProgressLine(const Output& out, std::chrono::milliseconds every)
    : mode_(out.progress_mode()), every_(every), last_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() {
  finish();
}

void ProgressLine::update(std::string_view text) {
  if (mode_ == Output::ProgressMode::none)
    return;
  const auto now = std::chrono::steady_clock::now();
  if (mode_ == Output::ProgressMode::live) {
    // A terminal redraws at most ten times a second; more only costs writes.
    if (shown_ && now - last_ < std::chrono::milliseconds(100))
      return;
    write_out(stderr, "\r\033[K  " + util::printable(text));
  } else {
    // The first line only after `every`: short work stays silent in logs.
    if (now - last_ < every_)
      return;
    write_out(stderr, "agentdb: " + util::printable(text) + "\n");
  }
  std::fflush(stderr);
  last_ = now;
  shown_ = true;
}

void ProgressLine::finish() {
  if (mode_ == Output::ProgressMode::live && shown_) {
    write_out(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  shown_ = false;
}

bool colour_by_default() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0')
    return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0)
    return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace agentdb
