// Seed sets on disk: seeds/<set>/<NNN>_<what>.json, each file naming a table, the key columns
// rows are matched on, and the rows. Loading checks everything that can be checked without a
// database, so a malformed file fails before anything is written.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace agentdb::seed {

struct SeedFile {
  std::filesystem::path path;
  std::string table;  // possibly schema-qualified
  std::string description;
  std::vector<std::string> key;
  std::vector<std::string> columns;  // key columns first, then the rest, in first-row order
  std::string rows_json;             // the rows array, re-serialised for $1::jsonb
  std::size_t row_count = 0;
};

struct SeedSet {
  std::string name;
  std::filesystem::path dir;
  std::vector<SeedFile> files;  // in file-name order

  [[nodiscard]] std::size_t row_count() const;
};

// The set names under `root`, sorted. Throws Error(usage) when `root` is not a directory.
[[nodiscard]] std::vector<std::string> list_sets(const std::filesystem::path& root);

// Loads and validates one set. Throws Error(usage) naming the file (and line, where the problem
// has one) for malformed JSON, a missing or mistyped field, rows with differing columns, or a row
// without a key column.
[[nodiscard]] SeedSet load_set(const std::filesystem::path& root, const std::string& name);

// Parses one seed file's text; `path` is only used in messages. Exposed for tests and the fuzzer.
[[nodiscard]] SeedFile parse_seed_file(const std::filesystem::path& path, const std::string& text);

}  // namespace agentdb::seed
