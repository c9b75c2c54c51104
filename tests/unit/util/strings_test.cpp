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

}  // namespace agentdb::util
