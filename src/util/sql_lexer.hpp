// A PostgreSQL lexer that is just deep enough to split a script into statements the way the server
// and psql do (quotes, dollar quotes, nested comments, BEGIN ATOMIC bodies) and to hand linters a
// token stream. It never interprets SQL.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace agentdb::util {

enum class SqlTokenKind { word, quoted_identifier, string, number, punctuation, parameter };

struct SqlToken {
  SqlTokenKind kind;
  std::string_view text;  // points into the source
  std::size_t offset;
  int line;
  // For words: the text in upper case, so matchers compare keywords cheaply.
  std::string upper;
};

struct SqlStatement {
  std::string_view text;  // from the first token through the last, without the terminating ';'
  std::size_t offset = 0;
  int line = 1;
  std::vector<SqlToken> tokens;
  // Comments after the previous statement and before this one, with their "--" or "/*" markers.
  std::vector<std::string_view> leading_comments;
};

class SqlLexError : public std::runtime_error {
 public:
  SqlLexError(const std::string& message, int line) : std::runtime_error(message), line_(line) {}
  [[nodiscard]] int line() const { return line_; }

 private:
  int line_;
};

// Splits a script into statements; empty statements (";;") are dropped.
// Throws SqlLexError on an unterminated quote or comment.
[[nodiscard]] std::vector<SqlStatement> split_sql(std::string_view source);

// BEGIN, COMMIT, ROLLBACK, END, ABORT or START TRANSACTION: a statement that opens or ends a
// transaction (lint forbids them in revisions; the applier will not re-run a file that has one).
[[nodiscard]] bool is_transaction_control(const SqlStatement& statement);

}  // namespace agentdb::util
