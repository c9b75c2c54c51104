// Everything a command prints goes through Output, so --json, --quiet, --verbose and colour are
// decided in one place: results on stdout, diagnostics on stderr.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

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

  // A line of human-readable result on stdout; silent under --json and --quiet.
  void print(std::string_view line) const;
  // Text that is the result itself (SQL of a dry run, a report): printed even under --quiet.
  void print_always(std::string_view text) const;
  // The one JSON document of a --json run.
  void emit(const nlohmann::json& document) const;
  // "agentdb: warning: ..." on stderr; kept under --json (stdout stays one document).
  void warn(std::string_view message) const;
  // Text on stderr as it is, for diagnostics that carry their own "file:line: severity:" prefix
  // (lint findings); kept under --json, silent under --quiet.
  void diagnostic(std::string_view text) const;
  // "agentdb: ..." on stderr for what a person should know is happening; silent under --quiet.
  void note(std::string_view message) const;
  // Progress and details on stderr, only with --verbose.
  void detail(std::string_view message) const;

  [[nodiscard]] std::string paint(Colour colour, std::string_view text) const;

 private:
  OutputSettings settings_;
};

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

// A text table with aligned columns; cells may hold colour codes.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  [[nodiscard]] std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Whether colour should be on by default: stdout is a terminal, NO_COLOR unset, TERM not "dumb".
[[nodiscard]] bool colour_by_default();

}  // namespace agentdb
