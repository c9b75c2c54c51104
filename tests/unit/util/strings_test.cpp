#include "util/strings.hpp"

#include <gtest/gtest.h>

namespace agentdb::util {

TEST(Utf8, AcceptsAsciiAndMultibyteText) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
}

TEST(Utf8, RejectsLatin1TruncatedAndOverlongSequences) {
  EXPECT_FALSE(is_valid_utf8("caf\xe9"));
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // a surrogate
}

TEST(ParseInt64, TakesOnlyWholeNumbers) {
  EXPECT_EQ(parse_int64("20261123000100"), 20261123000100LL);
  EXPECT_EQ(parse_int64("-5"), -5);
  EXPECT_FALSE(parse_int64(""));
  EXPECT_FALSE(parse_int64("12a"));
  EXPECT_FALSE(parse_int64("99999999999999999999"));
}

TEST(OneLine, FoldsNewlinesIntoSingleSpaces) {
  EXPECT_EQ(one_line("  first\nsecond\r\n\tthird  "), "first second third");
}

TEST(LineOfOffset, CountsNewlinesBeforeTheOffset) {
  EXPECT_EQ(line_of_offset("a\nb\nc", 0), 1);
  EXPECT_EQ(line_of_offset("a\nb\nc", 2), 2);
  EXPECT_EQ(line_of_offset("a\nb\nc", 4), 3);
}

TEST(SplitLines, DropsCarriageReturnsAndTheFinalEmptyLine) {
  EXPECT_EQ(split_lines("a\r\nb\n"), (std::vector<std::string>{"a", "b"}));
}

TEST(Printable, ShowsControlCharactersAsEscapesAndTabsAsSpaces) {
  EXPECT_EQ(printable("a\033[2Jb\x7F\r"), "a\\x1B[2Jb\\x7F\\x0D");
  EXPECT_EQ(printable("a\tb"), "a b");
  EXPECT_EQ(printable("a\nb"), "a\\x0Ab");
  EXPECT_EQ(printable("a\nb", Newlines::keep), "a\nb");
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a\\x00b");
}

TEST(Printable, ShowsC1ControlsInUtf8AsUnicodeEscapes) {
  EXPECT_EQ(printable("\xC2\x9B"
                      "2J"),
            "\\u009B2J");
  EXPECT_EQ(printable("\xC2\x85"), "\\u0085");
  EXPECT_EQ(printable("\xC2\xA0"), "\xC2\xA0");  // no-break space is text
}

// A terminal in a Latin-1 locale reads a lone 0x9B as CSI: bytes outside UTF-8 are shown too.
TEST(Printable, ShowsBytesThatAreNotUtf8AsHexEscapes) {
  EXPECT_EQ(printable("\x9B"
                      "2J"),
            "\\x9B2J");
  EXPECT_EQ(printable("caf\xE9"), "caf\\xE9");
  EXPECT_EQ(printable("\xE0\x82\x9B"), "\\xE0\\x82\\x9B");  // an overlong C1
  EXPECT_EQ(printable("\xE2\x82"), "\\xE2\\x82");           // truncated
}

TEST(Printable, KeepsWellFormedUtf8AsItIs) {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xE6\x97\xA5\xE6\x9C\xAC";
  EXPECT_EQ(printable(text), text);
}

}  // namespace agentdb::util
