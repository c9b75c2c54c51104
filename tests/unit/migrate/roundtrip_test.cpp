#include "migrate/roundtrip.hpp"

#include <gtest/gtest.h>

namespace agentdb::migrate {

TEST(NormaliseDump, DropsPerRunRestrictKeysAndVersionComments) {
  const std::string a =
      "--\n-- Dumped from database version 15.18\n\\restrict abc\nCREATE TABLE t ();\n\\unrestrict "
      "abc\n";
  const std::string b =
      "--\n-- Dumped from database version 15.18\n\\restrict xyz\nCREATE TABLE t ();\n\\unrestrict "
      "xyz\n";
  EXPECT_EQ(normalise_dump(a), normalise_dump(b));
}

TEST(FirstDifference, NamesTheFirstDifferingLine) {
  EXPECT_EQ(first_difference("a\nb\n", "a\nb\n"), "");
  EXPECT_EQ(first_difference("a\nb\nz\n", "a\nc\nz\n"), "schema dump line 2: 'b' became 'c'");
  EXPECT_EQ(first_difference("a\n", "a\nz\n"), "schema dump line 2: <nothing> became 'z'");
  EXPECT_EQ(first_difference("t (\n  id int\n);\n", "t (\n  id int,\n  note text\n);\n"),
            "schema dump line 2: 'id int' became 'id int, | note text'");
}

}  // namespace agentdb::migrate
