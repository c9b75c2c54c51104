#include "core/toml.hpp"

#include <gtest/gtest.h>

namespace agentdb::toml {

TEST(Toml, ReadsTablesStringsIntegersBooleansAndArrays) {
  const auto document = parse(
      "# comment\n"
      "database_url = \"postgresql://x@y/z\"  # trailing\n"
      "[migrate]\n"
      "dir = 'db/migrations'\n"
      "retries = 3\n"
      "strict = true\n"
      "tags = [\"a\", \"b\"]\n");
  EXPECT_EQ(to_setting(document.at("database_url")), "postgresql://x@y/z");
  EXPECT_EQ(to_setting(document.at("migrate.dir")), "db/migrations");
  EXPECT_EQ(to_setting(document.at("migrate.retries")), "3");
  EXPECT_EQ(to_setting(document.at("migrate.strict")), "true");
  EXPECT_EQ(to_setting(document.at("migrate.tags")), "a,b");
}

TEST(Toml, RejectsMalformedLinesWithTheirNumber) {
  try {
    (void)parse("a = 1\nb = \"unterminated\n");
    FAIL() << "expected ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 2);
  }
  EXPECT_THROW((void)parse("a = 1\na = 2\n"), ParseError);
  EXPECT_THROW((void)parse("a = nonsense\n"), ParseError);
  EXPECT_THROW((void)parse("[[servers]]\n"), ParseError);
}

}  // namespace agentdb::toml
