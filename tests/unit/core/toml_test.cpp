#include "core/toml.hpp"

#include <gtest/gtest.h>

#include <string>

namespace agentdb::toml {
namespace {

ParseError parse_error(const std::string& text) {
  try {
    (void)parse(text);
  } catch (const ParseError& e) {
    return e;
  }
  ADD_FAILURE() << "no ParseError for: " << text;
  return ParseError("", 0, 0);
}

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

TEST(Toml, RejectsMalformedLinesWithTheirLineAndColumn) {
  const auto unterminated = parse_error("a = 1\nb = \"unterminated\n");
  EXPECT_EQ(unterminated.line(), 2);
  const auto bad_digit = parse_error("a = 1\nb = 2x\n");
  EXPECT_EQ(bad_digit.line(), 2);
  EXPECT_EQ(bad_digit.column(), 6);
  EXPECT_EQ(parse_error("a = 1\na = 2\n").line(), 2);
  EXPECT_EQ(parse_error("a = nonsense\n").line(), 1);
  EXPECT_EQ(parse_error("ok = 1\n  bad key = 1\n").line(), 2);
}

TEST(Toml, ReadsFloatsInTheirShortestExactForm) {
  const auto document = parse(
      "[qdrant.collections.m.quantization_config.scalar]\n"
      "quantile = 0.99\n"
      "big = 1e30\n"
      "negative = -0.5\n"
      "whole = 3.0\n"
      "infinite = -inf\n"
      "thresholds = [0.25, 2]\n");
  const std::string table = "qdrant.collections.m.quantization_config.scalar.";
  EXPECT_EQ(std::get<double>(document.at(table + "quantile").data), 0.99);
  EXPECT_EQ(to_setting(document.at(table + "quantile")), "0.99");
  EXPECT_EQ(to_setting(document.at(table + "big")), "1e+30");
  EXPECT_EQ(to_setting(document.at(table + "negative")), "-0.5");
  EXPECT_EQ(to_setting(document.at(table + "whole")), "3");
  EXPECT_EQ(to_setting(document.at(table + "infinite")), "-inf");
  EXPECT_EQ(to_setting(document.at(table + "thresholds")), "0.25,2");
}

TEST(Toml, DatesAndTimesBecomeRfc3339Strings) {
  const auto document = parse(
      "day = 1979-05-27\n"
      "moment = 1979-05-27 07:32:00.5-07:00\n"
      "local = 1979-05-27T07:32:00\n"
      "time = 07:32:00\n");
  EXPECT_EQ(to_setting(document.at("day")), "1979-05-27");
  EXPECT_EQ(to_setting(document.at("moment")), "1979-05-27T07:32:00.5-07:00");
  EXPECT_EQ(to_setting(document.at("local")), "1979-05-27T07:32:00");
  EXPECT_EQ(to_setting(document.at("time")), "07:32:00");
}

TEST(Toml, TablesDottedKeysAndInlineTablesNameTheSameKey) {
  for (const auto* text :
       {"[health.locks]\nwarning = 3\n", "health.locks.warning = 3\n",
        "[health]\nlocks = { warning = 3 }\n", "health = { locks.warning = 3 }\n",
        "[\"health\" . 'locks']\n\"warning\" = 3\n"}) {
    const auto document = parse(text);
    ASSERT_EQ(document.size(), 1u) << text;
    EXPECT_EQ(to_setting(document.at("health.locks.warning")), "3") << text;
  }
}

// The line-based subset rejected these; TOML 1.0 allows them.
TEST(Toml, ReadsWhatTheOldSubsetRejected) {
  const auto document = parse(
      "tags = [\n  \"a\",  # first\n  'b',\n]\n"
      "text = \"\"\"\nline one\nline two\"\"\"\n"
      "escaped = \"tab\\there \\u00e9\"\n"
      "hex = 0xff\n"
      "nested = [[1, 2], [\"x\"]]\n"
      "mixed = [1, \"two\", true]\n");
  EXPECT_EQ(to_setting(document.at("tags")), "a,b");
  EXPECT_EQ(to_setting(document.at("text")), "line one\nline two");
  EXPECT_EQ(to_setting(document.at("escaped")), "tab\there \xc3\xa9");
  EXPECT_EQ(to_setting(document.at("hex")), "255");
  EXPECT_EQ(to_setting(document.at("nested")), "1,2,x");
  EXPECT_EQ(to_setting(document.at("mixed")), "1,two,true");
}

// The subset accepted these; TOML 1.0 does not.
TEST(Toml, RejectsWhatTheOldSubsetAcceptedButTomlForbids) {
  EXPECT_EQ(parse_error("n = 007\n").line(), 1);
  EXPECT_EQ(parse_error("n = 1__0\n").line(), 1);
  EXPECT_EQ(parse_error("a = 1\n[a]\nb = 2\n").line(), 2);
  EXPECT_EQ(parse_error("[t]\nx = 1\n[t]\ny = 2\n").line(), 3);
  EXPECT_EQ(parse_error("bad = \"\\q\"\n").line(), 1);
}

TEST(Toml, ArraysOfTablesAndKeysWithDotsAreRejectedWhereTheyAre) {
  const auto array_of_tables = parse_error("a = 1\n[[servers]]\nhost = \"x\"\n");
  EXPECT_EQ(array_of_tables.line(), 2);
  EXPECT_NE(std::string(array_of_tables.what()).find("arrays of tables"), std::string::npos);
  EXPECT_EQ(parse_error("a = 1\nb = [1, { x = 1 }]\n").line(), 2);
  const auto dotted = parse_error("[t]\n\"a.b\" = 1\n");
  EXPECT_EQ(dotted.line(), 2);
  EXPECT_EQ(dotted.column(), 1);
  EXPECT_EQ(parse_error("\"\" = 1\n").line(), 1);
}

TEST(Toml, RejectsInvalidUtf8AndNulBytes) {
  EXPECT_EQ(parse_error("a = 1\nb = \"\xff\"\n").line(), 2);
  EXPECT_EQ(parse_error(std::string("a = \"x\0y\"\n", 10)).line(), 1);
}

// toml++ 3.3 reached undefined behaviour on these (found by tests/fuzz/toml_fuzz): non-ASCII
// text outside strings and comments is refused before it sees it. Inside them it is fine.
TEST(Toml, NonAsciiIsAllowedOnlyInStringsAndComments) {
  const auto in_key = parse_error("ok = 1\n[collections\xcf\x91notes]\n");
  EXPECT_EQ(in_key.line(), 2);
  EXPECT_EQ(in_key.column(), 13);
  EXPECT_EQ(parse_error("a = 1 \xef\xbc\x81\n").column(), 7);
  const auto document = parse(
      "\xEF\xBB\xBF# caf\xc3\xa9\n"
      "a = \"\xcf\x91\"  # \xcf\x91\n"
      "b = '\xcf\x91'\n"
      "c = \"\"\"x\"\"\"\"\" # \xcf\x91\n"
      "d = '''\xcf\x91\n\xcf\x91'''\n");
  EXPECT_EQ(to_setting(document.at("a")), "\xcf\x91");
  EXPECT_EQ(to_setting(document.at("c")), "x\"\"");
  EXPECT_EQ(to_setting(document.at("d")), "\xcf\x91\n\xcf\x91");
  // Here toml++ still tests a non-ASCII character for whitespace: it must say no.
  const auto trimmed = parse("s = \"\"\"a \\\n   \xcf\x91\"\"\"\n");
  EXPECT_EQ(to_setting(trimmed.at("s")), "a \xcf\x91");
}

// Each of these overflowed the stack (deep tables) or made the document quadratic (long keys).
TEST(Toml, HostileShapesAreRejectedCheaply) {
  std::string deep;
  for (int i = 0; i < 50000; ++i)
    deep += "a.";
  deep += "b = 1\n";
  EXPECT_NE(std::string(parse_error(deep).what()).find("dotted key parts"), std::string::npos);
  EXPECT_EQ(parse_error("x = " + std::string(1000, '[') + std::string(1000, ']') + "\n").line(), 1);
  EXPECT_EQ(parse_error("[\"" + std::string(600, 'k') + "\"]\nleaf = 1\n").line(), 1);
  EXPECT_NE(std::string(parse_error(std::string((1 << 20) + 1, ' ')).what()).find("1 MiB"),
            std::string::npos);
  // Dots inside strings and comments are no structure: a long URL or comment is fine.
  const auto dots = std::string(5000, '.');
  EXPECT_EQ(parse("s = \"" + dots + "\"\nl = '''" + dots + "''' # " + dots + "\n").size(), 2u);
}

}  // namespace
}  // namespace agentdb::toml
