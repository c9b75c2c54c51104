// Revision files on disk: <version>_<name>.up.sql and <version>_<name>.down.sql, with directives in
// the up file's leading comment lines.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentdb::migrate {

enum class Direction { up, down };
enum class TransactionMode { per_revision, none };
enum class Reversibility { reversible, irreversible };

struct RevisionFileName {
  long long version = 0;
  std::string name;
  Direction direction = Direction::up;
};

struct Directives {
  TransactionMode transaction = TransactionMode::per_revision;
  Reversibility reversibility = Reversibility::reversible;
};

struct Revision {
  long long version = 0;
  std::string name;
  std::filesystem::path up_path;
  std::filesystem::path down_path;  // empty for an irreversible revision
  std::string up_sql;
  std::string down_sql;
  std::string checksum;  // SHA-256 of the up file's bytes
  Directives directives;
  TransactionMode down_transaction = TransactionMode::per_revision;

  [[nodiscard]] std::string label() const { return std::to_string(version) + " " + name; }
  [[nodiscard]] bool irreversible() const {
    return directives.reversibility == Reversibility::irreversible;
  }
};

// A version as every output shows it: decimal, without leading zeros.
[[nodiscard]] inline std::string version_text(long long version) {
  return std::to_string(version);
}

// nullopt when the name does not follow <version>_<name>.(up|down).sql with a positive version
// and a name of [a-z0-9_]+.
[[nodiscard]] std::optional<RevisionFileName> parse_revision_file_name(std::string_view file_name);

[[nodiscard]] bool is_valid_revision_name(std::string_view name);

// Reads `-- agentdb:...` directives from the leading comment lines. Throws std::invalid_argument
// naming an unknown directive.
[[nodiscard]] Directives parse_directives(std::string_view up_sql);

// Loads and checks every revision in `dir`, ordered by version. Throws Error(usage) naming the file
// for a malformed name, duplicate version, missing or extra down file, unreadable or non-UTF-8
// file.
[[nodiscard]] std::vector<Revision> load_revisions(const std::filesystem::path& dir);

}  // namespace agentdb::migrate
