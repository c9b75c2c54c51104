// Feeds arbitrary bytes to everything that parses a revision file or its name: the file-name
// parser, the directive reader, the SQL splitter and the linter, the agentdb.toml parser, the
// Qdrant collections file and backup manifests.
// Expected failures are typed exceptions; anything else (a crash, a sanitizer report, another
// exception type) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "backup/manifest.hpp"
#include "core/error.hpp"
#include "core/toml.hpp"
#include "migrate/lint.hpp"
#include "migrate/revision.hpp"
#include "qdrant/collections_file.hpp"
#include "util/sql_lexer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace agentdb;
  (void)migrate::parse_revision_file_name(input.substr(0, input.find('\n')));
  try {
    (void)migrate::parse_directives(input);
  } catch (const std::invalid_argument&) {
  }
  try {
    for (const auto& statement : util::split_sql(input)) {
      if (statement.text.empty() || statement.tokens.empty())
        __builtin_trap();
    }
  } catch (const util::SqlLexError&) {
  }
  for (const auto mode : {migrate::TransactionMode::per_revision, migrate::TransactionMode::none}) {
    for (const auto& finding : migrate::lint_sql(input, "fuzz.sql", mode)) {
      if (finding.rule == nullptr || finding.line < 1)
        __builtin_trap();
    }
  }
  try {
    (void)toml::parse(input);
  } catch (const toml::ParseError&) {
  }
  try {
    (void)qdrant::parse_collections(input, "fuzz.json");
  } catch (const Error& e) {
    if (e.code() != ExitCode::usage)
      __builtin_trap();
  }
  const auto document = nlohmann::json::parse(input, nullptr, false);
  if (!document.is_discarded()) {
    try {
      (void)backup::manifest_from_json(document, "fuzz.json");
    } catch (const Error&) {
    }
  }
  return 0;
}
