// Everything a command prints goes through Output, so --json, --quiet, --verbose and colour are
// decided in one place: results on stdout, diagnostics on stderr. Text may carry names from the
// database, so nothing Output or Table writes lets a control character through but the colour
// codes Output::paint makes (terminal_text below).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "util/strings.hpp"

namespace agentdb {

enum class OutputFormat { text, json };
enum class Colour { none, red, green, yellow, bold, dim };

struct OutputSettings {
  OutputFormat format = OutputFormat::text;
  bool quiet = false;
  int verbosity = 0;
  bool colour = false;
};

class Output {
 public:
  explicit Output(OutputSettings settings = {}) : settings_(settings) {}

  [[nodiscard]] bool json() const { return settings_.format == OutputFormat::json; }
  [[nodiscard]] bool verbose() const { return settings_.verbosity > 0; }
  // Whether a live progress line belongs on stderr: a terminal, and neither --json nor --quiet.
  [[nodiscard]] bool show_progress() const;
  // How long work reports progress on stderr: none under --json or --quiet, a line rewritten in
  // place on a terminal, otherwise a plain line every few seconds (CI logs, cron mail).
  enum class ProgressMode { none, live, periodic };
  [[nodiscard]] ProgressMode progress_mode() const;

  // A line (or lines) of human-readable result on stdout; silent under --json and --quiet.
  void print(std::string_view line) const;
  // Text that is the result itself (SQL of a dry run, a report): printed even under --quiet.
  void print_always(std::string_view text) const;
  // The one JSON document of a --json run; strings keep their text exactly, every control
  // character in them escaped.
  void emit(const nlohmann::json& document) const;
  // "agentdb: warning: ..." on stderr, one line (newlines fold into spaces); kept under --json
  // (stdout stays one document).
  void warn(std::string_view message) const;
  // Text on stderr as it is, for diagnostics that carry their own "file:line: severity:" prefix
  // (lint findings); kept under --json, silent under --quiet.
  void diagnostic(std::string_view text) const;
  // "agentdb: ..." on stderr for what a person should know is happening, one line; silent under
  // --quiet.
  void note(std::string_view message) const;
  // Progress and details on stderr, one line each, only with --verbose.
  void detail(std::string_view message) const;
  // Clears a terminal before a redraw (health --watch); nothing when stdout is not a terminal.
  // The one escape sequence besides colours that reaches stdout, so it has its own function.
  void clear_screen() const;

  // `text` in colour when colour is on. Text from the database goes through util::printable
  // first, so that even a stored colour code is shown as text.
  [[nodiscard]] std::string paint(Colour colour, std::string_view text) const;

 private:
  [[nodiscard]] std::string shown(std::string_view text, util::Newlines newlines) const;
  // A message of warn, note or detail: newlines folded, the line ended.
  [[nodiscard]] std::string one_line(std::string_view message) const;
  OutputSettings settings_;
};

// Whether terminal_text lets colour codes through.
enum class ColourCodes { keep, escape };

// Text as it may reach a terminal: colour codes of the form Output::paint makes (ESC '[' digits
// and ';' 'm') kept when `colours` says so, every other control character, escape sequence
// included, shown as a visible escape (util::printable). Newlines kept or escaped as said.
[[nodiscard]] std::string terminal_text(std::string_view text, util::Newlines newlines,
                                        ColourCodes colours = ColourCodes::keep);

// One progress report of long work, on stderr as Output::progress_mode() says: update() as often
// as convenient (it is cheap), finish() (or the destructor) clears a live line. Text is shown
// through util::printable, so it may carry names from the database. Not thread-safe: one writer.
class ProgressLine {
 public:
  explicit ProgressLine(const Output& out,
                        std::chrono::milliseconds every = std::chrono::seconds(5));
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  [[nodiscard]] bool enabled() const { return mode_ != Output::ProgressMode::none; }
  void update(std::string_view text);
  void finish();

 private:
  Output::ProgressMode mode_;
  std::chrono::milliseconds every_;
  std::chrono::steady_clock::time_point last_{};
  bool shown_ = false;
};

// A text table with aligned columns; cells may hold colour codes (kept) and nothing else that a
// terminal acts on: other control characters, newlines and tabs included, are shown as escapes.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  [[nodiscard]] std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// What a CSV column holds. A leading '-' or '+' is data in a number ("-1.5") and a formula in a
// text cell, so the two are written differently (CsvTable).
enum class CsvColumn { text, number };

// CSV (RFC 4180) that is safe to open in a spreadsheet: a field with a comma, quote, CR or LF is
// quoted with quotes doubled, and a cell a spreadsheet would run as a formula (leading '=', '+',
// '-', '@', tab or CR, OWASP's list) gets a leading ' inside quotes. Every row has as many fields
// as the header: missing cells are empty, extra ones are dropped.
class CsvTable {
 public:
  struct Column {
    std::string name;
    CsvColumn kind = CsvColumn::text;
  };
  explicit CsvTable(std::vector<Column> columns);
  void add_row(const std::vector<std::string>& cells);
  [[nodiscard]] const std::string& render() const { return text_; }

 private:
  std::vector<Column> columns_;
  std::string text_;
};

// One field of a CsvTable row, as the class comment says.
[[nodiscard]] std::string csv_field(std::string_view value, CsvColumn column);

// Whether colour should be on by default: stdout is a terminal, NO_COLOR unset, TERM not "dumb".
[[nodiscard]] bool colour_by_default();

}  // namespace agentdb
