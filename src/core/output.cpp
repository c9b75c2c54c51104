#include "core/output.hpp"

#include <unistd.h>

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

}  // namespace

void Output::print(std::string_view line) const {
  if (json() || settings_.quiet)
    return;
  if (line.ends_with('\n'))
    line.remove_suffix(1);
  write_out(stdout, line);
  write_out(stdout, "\n");
}

void Output::print_always(std::string_view text) const {
  write_out(stdout, text);
  if (!text.empty() && text.back() != '\n')
    write_out(stdout, "\n");
}

void Output::emit(const nlohmann::json& document) const {
  const auto text = document.dump(2);
  write_out(stdout, text);
  write_out(stdout, "\n");
}

void Output::warn(std::string_view message) const {
  if (settings_.quiet)
    return;
  std::string line = "agentdb: warning: ";
  line += message;
  line += '\n';
  write_out(stderr, line);
}

void Output::diagnostic(std::string_view text) const {
  if (settings_.quiet)
    return;
  std::string line(text);
  line += '\n';
  write_out(stderr, line);
}

void Output::note(std::string_view message) const {
  if (settings_.quiet)
    return;
  std::string line = "agentdb: ";
  line += message;
  line += '\n';
  write_out(stderr, line);
}

void Output::detail(std::string_view message) const {
  if (!verbose())
    return;
  std::string line = "agentdb: ";
  line += message;
  line += '\n';
  write_out(stderr, line);
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
  std::vector<std::size_t> widths(header_.size(), 0);
  const auto measure = [&widths](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], visible_width(cells[i]));
    }
  };
  measure(header_);
  for (const auto& row : rows_)
    measure(row);
  std::string out;
  const auto append = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      line += cells[i];
      if (i + 1 < cells.size())
        line.append(widths[i] - visible_width(cells[i]) + 2, ' ');
    }
    out += line;
    out += '\n';
  };
  append(header_);
  for (const auto& row : rows_)
    append(row);
  return out;
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
