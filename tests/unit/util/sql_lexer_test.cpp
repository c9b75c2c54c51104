#include "util/sql_lexer.hpp"

#include <gtest/gtest.h>

namespace agentdb::util {

namespace {
std::vector<std::string> texts(std::string_view sql) {
  std::vector<std::string> out;
  for (const auto& statement : split_sql(sql))
    out.emplace_back(statement.text);
  return out;
}
}  // namespace

TEST(SplitSql, SplitsAtSemicolonsAndKeepsLineNumbers) {
  const auto statements = split_sql("CREATE TABLE a (id int);\n\nCREATE TABLE b (id int);");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0].text, "CREATE TABLE a (id int)");
  EXPECT_EQ(statements[1].line, 3);
}

TEST(SplitSql, IgnoresSemicolonsInsideQuotesAndComments) {
  EXPECT_EQ(texts("SELECT 'a;b', \"c;d\" /* e; /* nested; */ f; */ ; -- g;\nSELECT E'h\\';i'"),
            (std::vector<std::string>{"SELECT 'a;b', \"c;d\"", "SELECT E'h\\';i'"}));
}

TEST(SplitSql, KeepsDollarQuotedFunctionBodiesWhole) {
  const auto statements = split_sql(
      "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql;\n"
      "SELECT $$a;b$$, $1;");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[1].tokens.back().kind, SqlTokenKind::parameter);
}

TEST(SplitSql, KeepsBeginAtomicBodiesWhole) {
  const auto statements = split_sql(
      "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT x; SELECT CASE WHEN x "
      "> 0 THEN 1 ELSE 0 END; END;\nSELECT 1;");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[1].text, "SELECT 1");
}

TEST(SplitSql, CollectsLeadingCommentsForTheNextStatement) {
  const auto statements = split_sql("SELECT 1;\n-- agentdb:lint-ignore x why\nSELECT 2;");
  ASSERT_EQ(statements.size(), 2u);
  ASSERT_EQ(statements[1].leading_comments.size(), 1u);
  EXPECT_EQ(statements[1].leading_comments[0], "-- agentdb:lint-ignore x why");
}

TEST(SplitSql, ReportsUnterminatedQuotesWithTheirLine) {
  try {
    (void)split_sql("SELECT 1;\nSELECT 'oops;\n");
    FAIL() << "expected SqlLexError";
  } catch (const SqlLexError& e) {
    EXPECT_EQ(e.line(), 2);
  }
  EXPECT_THROW((void)split_sql("/* never closed"), SqlLexError);
  EXPECT_THROW((void)split_sql("SELECT $x$ never closed"), SqlLexError);
}

TEST(SplitSql, DropsEmptyStatements) {
  EXPECT_EQ(texts(";;SELECT 1;;").size(), 1u);
}

}  // namespace agentdb::util
