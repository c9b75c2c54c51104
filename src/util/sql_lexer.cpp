#include "util/sql_lexer.hpp"

#include <optional>

#include "util/strings.hpp"

namespace agentdb::util {

namespace {

bool is_word_start(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}

bool is_word_char(char c) {
  return is_word_start(c) || (c >= '0' && c <= '9') || c == '$';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  std::vector<SqlStatement> run() {
    while (pos_ < source_.size()) {
      const char c = source_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (c == '-' && peek(1) == '-') {
        line_comment();
      } else if (c == '/' && peek(1) == '*') {
        block_comment();
      } else if (c == ';' && begin_depth_ == 0) {
        finish_statement(pos_);
        ++pos_;
      } else {
        token();
      }
    }
    finish_statement(source_.size());
    return std::move(statements_);
  }

 private:
  [[nodiscard]] char peek(std::size_t ahead) const {
    return pos_ + ahead < source_.size() ? source_[pos_ + ahead] : '\0';
  }

  void add_comment(std::size_t start) {
    if (current_.tokens.empty())
      current_.leading_comments.push_back(source_.substr(start, pos_ - start));
  }

  void line_comment() {
    const auto start = pos_;
    while (pos_ < source_.size() && source_[pos_] != '\n')
      ++pos_;
    add_comment(start);
  }

  void block_comment() {
    const auto start = pos_;
    const int start_line = line_;
    int depth = 0;
    while (pos_ < source_.size()) {
      if (source_[pos_] == '/' && peek(1) == '*') {
        ++depth;
        pos_ += 2;
      } else if (source_[pos_] == '*' && peek(1) == '/') {
        --depth;
        pos_ += 2;
        if (depth == 0) {
          add_comment(start);
          return;
        }
      } else {
        if (source_[pos_] == '\n')
          ++line_;
        ++pos_;
      }
    }
    throw SqlLexError("unterminated /* comment", start_line);
  }

  // A quoted run ending at `quote`, where a doubled quote is an escaped one; backslash escapes too
  // when `backslash_escapes` (E'...' strings).
  void quoted(char quote, bool backslash_escapes, const char* what) {
    const int start_line = line_;
    ++pos_;
    while (pos_ < source_.size()) {
      const char c = source_[pos_];
      if (c == '\n')
        ++line_;
      if (backslash_escapes && c == '\\') {
        if (peek(1) == '\n')
          ++line_;
        pos_ += 2;
        continue;
      }
      if (c == quote) {
        if (peek(1) == quote) {
          pos_ += 2;
          continue;
        }
        ++pos_;
        return;
      }
      ++pos_;
    }
    throw SqlLexError(std::string("unterminated ") + what, start_line);
  }

  // Returns the tag length (including both '$') when a dollar quote starts at pos_.
  [[nodiscard]] std::optional<std::size_t> dollar_tag_length() const {
    std::size_t i = pos_ + 1;
    if (i < source_.size() && is_digit(source_[i]))
      return std::nullopt;
    while (i < source_.size() && is_word_char(source_[i]) && source_[i] != '$')
      ++i;
    if (i < source_.size() && source_[i] == '$')
      return i - pos_ + 1;
    return std::nullopt;
  }

  void dollar_quoted(std::size_t tag_length) {
    const int start_line = line_;
    const auto tag = source_.substr(pos_, tag_length);
    const auto end = source_.find(tag, pos_ + tag_length);
    if (end == std::string_view::npos)
      throw SqlLexError("unterminated dollar-quoted string", start_line);
    for (auto i = pos_; i < end; ++i) {
      if (source_[i] == '\n')
        ++line_;
    }
    pos_ = end + tag_length;
  }

  void token() {
    const auto start = pos_;
    const int start_line = line_;
    const char c = source_[pos_];
    SqlTokenKind kind = SqlTokenKind::punctuation;
    if ((c == 'E' || c == 'e') && peek(1) == '\'') {
      ++pos_;
      quoted('\'', true, "string literal");
      kind = SqlTokenKind::string;
    } else if ((c == 'U' || c == 'u') && peek(1) == '&' && (peek(2) == '\'' || peek(2) == '"')) {
      pos_ += 2;
      const char quote = source_[pos_];
      quoted(quote, false, quote == '\'' ? "string literal" : "quoted identifier");
      kind = quote == '\'' ? SqlTokenKind::string : SqlTokenKind::quoted_identifier;
    } else if ((c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N' || c == 'n') &&
               peek(1) == '\'') {
      ++pos_;
      quoted('\'', false, "string literal");
      kind = SqlTokenKind::string;
    } else if (c == '\'') {
      quoted('\'', false, "string literal");
      kind = SqlTokenKind::string;
    } else if (c == '"') {
      quoted('"', false, "quoted identifier");
      kind = SqlTokenKind::quoted_identifier;
    } else if (c == '$' && is_digit(peek(1))) {
      ++pos_;
      while (pos_ < source_.size() && is_digit(source_[pos_]))
        ++pos_;
      kind = SqlTokenKind::parameter;
    } else if (c == '$' && dollar_tag_length()) {
      dollar_quoted(*dollar_tag_length());
      kind = SqlTokenKind::string;
    } else if (is_word_start(c)) {
      while (pos_ < source_.size() && is_word_char(source_[pos_]))
        ++pos_;
      kind = SqlTokenKind::word;
    } else if (is_digit(c) || (c == '.' && is_digit(peek(1)))) {
      while (pos_ < source_.size() &&
             (is_digit(source_[pos_]) || source_[pos_] == '.' || source_[pos_] == 'e' ||
              source_[pos_] == 'E' || source_[pos_] == '_')) {
        ++pos_;
      }
      kind = SqlTokenKind::number;
    } else {
      ++pos_;
    }
    SqlToken token{kind, source_.substr(start, pos_ - start), start, start_line, {}};
    if (kind == SqlTokenKind::word) {
      token.upper = to_upper(token.text);
      track_atomic_body(token.upper);
    }
    if (current_.tokens.empty()) {
      current_.offset = start;
      current_.line = start_line;
    }
    current_.tokens.push_back(std::move(token));
  }

  // CREATE FUNCTION/PROCEDURE ... BEGIN ATOMIC ... END holds semicolons that do not end the
  // statement; psql tracks BEGIN/CASE/END nesting in such statements, and so do we.
  void track_atomic_body(const std::string& word) {
    const auto& tokens = current_.tokens;
    if (tokens.empty() || tokens.front().upper != "CREATE")
      return;
    if (word == "FUNCTION" || word == "PROCEDURE")
      routine_ = true;
    if (!routine_)
      return;
    if (word == "BEGIN" || (word == "CASE" && begin_depth_ > 0))
      ++begin_depth_;
    if (word == "END" && begin_depth_ > 0)
      --begin_depth_;
  }

  void finish_statement(std::size_t end) {
    if (!current_.tokens.empty()) {
      const auto& last = current_.tokens.back();
      const auto stop = last.offset + last.text.size();
      current_.text = source_.substr(current_.offset, std::min(stop, end) - current_.offset);
      statements_.push_back(std::move(current_));
    }
    current_ = SqlStatement{};
    routine_ = false;
    begin_depth_ = 0;
  }

  std::string_view source_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int begin_depth_ = 0;
  bool routine_ = false;
  SqlStatement current_;
  std::vector<SqlStatement> statements_;
};

}  // namespace

std::vector<SqlStatement> split_sql(std::string_view source) {
  return Lexer(source).run();
}

bool is_transaction_control(const SqlStatement& statement) {
  const auto word = [&](std::size_t i) -> std::string_view {
    return i < statement.tokens.size() && statement.tokens[i].kind == SqlTokenKind::word
               ? std::string_view(statement.tokens[i].upper)
               : std::string_view();
  };
  const auto first = word(0);
  return first == "BEGIN" || first == "COMMIT" || first == "ROLLBACK" || first == "END" ||
         first == "ABORT" || (first == "START" && word(1) == "TRANSACTION");
}

}  // namespace agentdb::util
