// Lint's view of one statement's tokens: the word, punctuation and name matching its rules need.
#pragma once

#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/sql_lexer.hpp"
#include "util/strings.hpp"

namespace agentdb::migrate::lint_detail {

using util::SqlStatement;
using util::SqlToken;
using util::SqlTokenKind;

// Words that end a column's type in a column definition or ALTER COLUMN ... TYPE.
inline const std::set<std::string, std::less<>> kAfterType = {
    "USING",   "DEFAULT",    "COLLATE",   "NOT",        "NULL",      "CONSTRAINT",
    "PRIMARY", "UNIQUE",     "CHECK",     "REFERENCES", "GENERATED", "COMPRESSION",
    "STORAGE", "DEFERRABLE", "INITIALLY", "ENCODING",   "OPTIONS"};

// A view over one statement's tokens with the matching helpers the rules need.
class Tokens {
 public:
  explicit Tokens(const std::vector<SqlToken>& tokens) : tokens_(tokens) {}

  [[nodiscard]] std::size_t size() const { return tokens_.size(); }
  [[nodiscard]] const SqlToken& at(std::size_t i) const { return tokens_[i]; }
  [[nodiscard]] std::string_view word(std::size_t i) const {
    return i < tokens_.size() && tokens_[i].kind == SqlTokenKind::word ? tokens_[i].upper
                                                                       : std::string_view();
  }
  [[nodiscard]] bool punct(std::size_t i, char c) const {
    return i < tokens_.size() && tokens_[i].kind == SqlTokenKind::punctuation &&
           tokens_[i].text.size() == 1 && tokens_[i].text[0] == c;
  }
  // Skips the given optional words in order, returning the next index.
  std::size_t skip(std::size_t i, std::initializer_list<std::string_view> words) const {
    for (const auto w : words) {
      if (word(i) == w)
        ++i;
    }
    return i;
  }
  // A possibly qualified name at i: returns its last part in lower case (unquoted) and the index
  // after it.
  std::pair<std::string, std::size_t> name(std::size_t i) const {
    std::string last;
    while (i < tokens_.size()) {
      const auto& t = tokens_[i];
      if (t.kind == SqlTokenKind::word) {
        last = util::to_lower(t.text);
      } else if (t.kind == SqlTokenKind::quoted_identifier) {
        last = std::string(t.text.substr(1, t.text.size() - 2));
      } else {
        break;
      }
      ++i;
      if (!punct(i, '.'))
        break;
      ++i;
    }
    return {last, i};
  }
  [[nodiscard]] bool has_words(std::size_t from, std::size_t to,
                               std::initializer_list<std::string_view> sequence) const {
    return find_words(from, to, sequence, false) < to;
  }
  // The same, outside parentheses (not inside a CHECK or DEFAULT expression, say).
  [[nodiscard]] bool has_top_words(std::size_t from, std::size_t to,
                                   std::initializer_list<std::string_view> sequence) const {
    return find_words(from, to, sequence, true) < to;
  }
  // Index of the first occurrence of `sequence` in [from, to), or `to`.
  [[nodiscard]] std::size_t find_words(std::size_t from, std::size_t to,
                                       std::initializer_list<std::string_view> sequence,
                                       bool top_level_only) const {
    int depth = 0;
    for (std::size_t i = from; i + sequence.size() <= to; ++i) {
      if (punct(i, '('))
        ++depth;
      if (punct(i, ')'))
        --depth;
      if (top_level_only && depth != 0)
        continue;
      std::size_t k = 0;
      for (const auto w : sequence) {
        if (word(i + k) != w)
          break;
        ++k;
      }
      if (k == sequence.size())
        return i;
    }
    return to;
  }
  // Splits [from, to) at commas outside parentheses.
  [[nodiscard]] std::vector<std::pair<std::size_t, std::size_t>> items(std::size_t from,
                                                                       std::size_t to) const {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    int depth = 0;
    std::size_t start = from;
    for (std::size_t i = from; i < to; ++i) {
      if (punct(i, '('))
        ++depth;
      if (punct(i, ')'))
        --depth;
      if (depth == 0 && punct(i, ',')) {
        out.emplace_back(start, i);
        start = i + 1;
      }
    }
    if (start < to)
      out.emplace_back(start, to);
    return out;
  }
  // Index of the ')' matching the '(' at i, or size().
  [[nodiscard]] std::size_t closing(std::size_t i) const {
    int depth = 0;
    for (; i < tokens_.size(); ++i) {
      if (punct(i, '('))
        ++depth;
      if (punct(i, ')') && --depth == 0)
        return i;
    }
    return tokens_.size();
  }
  // The end of the column type that starts at `from`: the first word at parenthesis depth 0 that
  // begins a constraint, default, collation, USING expression or other clause, or `to`.
  [[nodiscard]] std::size_t type_end(std::size_t from, std::size_t to) const {
    int depth = 0;
    for (std::size_t i = from; i < to; ++i) {
      if (punct(i, '(') || punct(i, '['))
        ++depth;
      if (punct(i, ')') || punct(i, ']'))
        --depth;
      if (depth == 0 && kAfterType.contains(word(i)))
        return i;
    }
    return to;
  }

 private:
  const std::vector<SqlToken>& tokens_;
};

}  // namespace agentdb::migrate::lint_detail
