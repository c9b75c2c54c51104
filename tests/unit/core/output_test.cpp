#include "core/output.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

namespace agentdb {

namespace {

using util::Newlines;

std::string hex_escape(unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("\\x") + kHex[c >> 4] + kHex[c & 0xF];
}

bool has_control(std::string_view text, std::string_view allowed = "") {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 || byte == 0x7F) && allowed.find(c) == std::string_view::npos)
      return true;
  }
  return false;
}

const std::string kOsc = "\033]0;owned\007";  // retitles the terminal window
const std::string kClear = "\033[2J";         // a CSI that is not a colour

}  // namespace

TEST(TerminalText, ShowsEveryC0ControlAndDelAsAVisibleEscape) {
  for (unsigned c = 0; c < 0x20; ++c) {
    if (c == '\t' || c == '\n')
      continue;
    const auto shown =
        terminal_text("a" + std::string(1, static_cast<char>(c)) + "b", Newlines::keep);
    EXPECT_EQ(shown, "a" + hex_escape(static_cast<unsigned char>(c)) + "b") << "control " << c;
  }
  EXPECT_EQ(terminal_text("a\x7F"
                          "b",
                          Newlines::keep),
            "a\\x7Fb");
  EXPECT_EQ(terminal_text("a\tb", Newlines::keep), "a b");
}

TEST(TerminalText, KeepsNewlinesOnlyWhenAsked) {
  EXPECT_EQ(terminal_text("one\ntwo", Newlines::keep), "one\ntwo");
  EXPECT_EQ(terminal_text("one\ntwo", Newlines::escape), "one\\x0Atwo");
}

TEST(TerminalText, ShowsC1ControlsWhetherUtf8OrLoneBytes) {
  EXPECT_EQ(terminal_text("a\xC2\x9B"
                          "2J",
                          Newlines::keep),
            "a\\u009B2J");
  EXPECT_EQ(terminal_text("a\x9B"
                          "2J",
                          Newlines::keep),
            "a\\x9B2J");
  EXPECT_EQ(terminal_text("caf\xC3\xA9 \xE2\x82\xAC", Newlines::keep), "caf\xC3\xA9 \xE2\x82\xAC");
}

TEST(TerminalText, ShowsOscAndCsiSequencesButKeepsColourCodes) {
  EXPECT_EQ(terminal_text(kOsc, Newlines::keep), "\\x1B]0;owned\\x07");
  EXPECT_EQ(terminal_text(kClear, Newlines::keep), "\\x1B[2J");
  EXPECT_EQ(terminal_text("\033[?25l", Newlines::keep), "\\x1B[?25l");
  EXPECT_EQ(terminal_text("\033[31mred\033[0m", Newlines::keep), "\033[31mred\033[0m");
  EXPECT_EQ(terminal_text("\033[1;31mx", Newlines::keep), "\033[1;31mx");
  EXPECT_EQ(terminal_text("\033[31mred", Newlines::keep, ColourCodes::escape), "\\x1B[31mred");
  EXPECT_EQ(terminal_text("\033[" + std::string(40, '1') + "m", Newlines::keep),
            "\\x1B[" + std::string(40, '1') + "m");
  EXPECT_EQ(terminal_text("\033", Newlines::keep), "\\x1B");
  EXPECT_EQ(terminal_text("\033[", Newlines::keep), "\\x1B[");
}

TEST(Table, ShowsEscapeSequencesInCellsAsTextAndAlignsWhatItShows) {
  const Output out({.colour = true});
  Table table({"NAME", "STATUS"});
  table.add_row({kOsc, out.paint(Colour::green, "OK")});
  table.add_row({"two\nlines" + kClear,
                 "\xC2\x9B"
                 "1m"});
  const auto text = table.render();
  EXPECT_FALSE(has_control(text, "\n\033"));
  EXPECT_EQ(text.find(kOsc), std::string::npos);
  EXPECT_EQ(text.find(kClear), std::string::npos);
  EXPECT_NE(text.find("\033[32mOK\033[0m"), std::string::npos);  // paint's colour is kept
  EXPECT_EQ(text,
            "NAME                 STATUS\n"
            "\\x1B]0;owned\\x07     \033[32mOK\033[0m\n"
            "two\\x0Alines\\x1B[2J  \\u009B1m\n");
}

TEST(Table, KeepsEveryCellOfAHostileRowOnOneLine) {
  Table table({"A", "B"});
  for (unsigned c = 0; c < 0x100; ++c)
    table.add_row({std::string(1, static_cast<char>(c)), "x"});
  const auto text = table.render();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 0x101);
  EXPECT_FALSE(has_control(text, "\n"));
}

TEST(Output, LineFunctionsShowControlCharactersAsEscapes) {
  const Output out({.colour = false});
  testing::internal::CaptureStdout();
  out.print("title " + kOsc + "\nsecond line");
  out.print_always(kClear + "report\n");
  const auto printed = testing::internal::GetCapturedStdout();
  EXPECT_EQ(printed, "title \\x1B]0;owned\\x07\nsecond line\n\\x1B[2Jreport\n");

  testing::internal::CaptureStderr();
  out.warn("bad " + kOsc + "\nnext");
  out.note("note \033[31m");
  out.diagnostic("file:1: error" + kClear + "\n    instead: x");
  const auto diagnostics = testing::internal::GetCapturedStderr();
  EXPECT_EQ(diagnostics,
            "agentdb: warning: bad \\x1B]0;owned\\x07 next\n"
            "agentdb: note \\x1B[31m\n"
            "file:1: error\\x1B[2J\n    instead: x\n");
}

TEST(Output, LetsThroughOnlyTheColourCodesPaintMakes) {
  const Output out({.colour = true});
  testing::internal::CaptureStdout();
  out.print(out.paint(Colour::red, "FAIL") + " " + kClear);
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "\033[31mFAIL\033[0m \\x1B[2J\n");
}

TEST(Output, JsonEscapesEveryControlCharacterAndKeepsTheText) {
  const std::string stored = kOsc + "\x7F" + "\xC2\x9B" + "1m caf\xC3\xA9";
  testing::internal::CaptureStdout();
  Output({.format = OutputFormat::json}).emit({{"name", stored}});
  const auto printed = testing::internal::GetCapturedStdout();
  EXPECT_FALSE(has_control(printed, "\n"));
  EXPECT_EQ(printed.find("\xC2\x9B"), std::string::npos);
  EXPECT_NE(printed.find("\\u001b]0;owned\\u0007\\u007f\\u009b1m caf\xC3\xA9"), std::string::npos)
      << printed;
  EXPECT_EQ(nlohmann::json::parse(printed)["name"], stored);
}

TEST(Output, JsonShowsBytesThatAreNotUtf8AsReplacementCharacters) {
  testing::internal::CaptureStdout();
  Output({.format = OutputFormat::json}).emit({{"name", "caf\xE9"}});
  EXPECT_EQ(nlohmann::json::parse(testing::internal::GetCapturedStdout())["name"],
            "caf\xEF\xBF\xBD");
}

TEST(CsvField, NeutralisesTextThatASpreadsheetWouldRunAsAFormula) {
  using enum CsvColumn;
  EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\")", text), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_field("+1+1", text), "\"'+1+1\"");
  EXPECT_EQ(csv_field("-2+3", text), "\"'-2+3\"");
  EXPECT_EQ(csv_field("@SUM(A1)", text), "\"'@SUM(A1)\"");
  EXPECT_EQ(csv_field("\tcmd", text), "\"'\tcmd\"");
  EXPECT_EQ(csv_field("\rcmd", text), "\"'\rcmd\"");
  EXPECT_EQ(csv_field("-1.5", text), "\"'-1.5\"");  // a name that looks like a number
  EXPECT_EQ(csv_field("plain name", text), "plain name");
  EXPECT_EQ(csv_field("a=b", text), "a=b");
}

TEST(CsvField, KeepsNumbersInNumberColumnsButNotFormulas) {
  using enum CsvColumn;
  EXPECT_EQ(csv_field("-1.5", number), "-1.5");
  EXPECT_EQ(csv_field("+2", number), "+2");
  EXPECT_EQ(csv_field("-1e-3", number), "-1e-3");
  EXPECT_EQ(csv_field("12", number), "12");
  EXPECT_EQ(csv_field("", number), "");
  EXPECT_EQ(csv_field("-1+2", number), "\"'-1+2\"");
  EXPECT_EQ(csv_field("-", number), "\"'-\"");
  EXPECT_EQ(csv_field("=1", number), "\"'=1\"");
  EXPECT_EQ(csv_field("-.", number), "\"'-.\"");
  EXPECT_EQ(csv_field("-1e", number), "\"'-1e\"");
}

TEST(CsvField, QuotesCommasQuotesAndLineBreaksAsRfc4180Says) {
  using enum CsvColumn;
  EXPECT_EQ(csv_field("a,b", text), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\"", text), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("one\ntwo", text), "\"one\ntwo\"");
  EXPECT_EQ(csv_field("one\r\ntwo", text), "\"one\r\ntwo\"");
}

TEST(CsvTable, GivesEveryRowAsManyFieldsAsTheHeader) {
  CsvTable csv({{"name", CsvColumn::text}, {"cost", CsvColumn::number}});
  csv.add_row({"=cmd|' /C calc'!A0", "-3.25"});
  csv.add_row({"short"});
  csv.add_row({"a", "1", "dropped"});
  EXPECT_EQ(csv.render(),
            "name,cost\n"
            "\"'=cmd|' /C calc'!A0\",-3.25\n"
            "short,\n"
            "a,1\n");
}

}  // namespace agentdb
