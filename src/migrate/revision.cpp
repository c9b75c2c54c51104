#include "migrate/revision.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <system_error>

#include "core/error.hpp"
#include "util/files.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace agentdb::migrate {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kUpSuffix = ".up.sql";
constexpr std::string_view kDownSuffix = ".down.sql";
constexpr std::string_view kDirectivePrefix = "agentdb:";

struct FilePair {
  std::optional<fs::path> up;
  std::optional<fs::path> down;
  std::string name;
};

[[noreturn]] void bad_file(const fs::path& path, const std::string& why, std::string hint = {}) {
  throw Error(ExitCode::usage, "bad revision file '" + path.string() + "': " + why,
              std::move(hint));
}

std::string read_revision_file(const fs::path& path) {
  auto text = util::read_file(path);
  if (!text)
    bad_file(path, "cannot read it", "check its permissions");
  if (!util::is_valid_utf8(*text))
    bad_file(path, "it is not valid UTF-8", "save it as UTF-8");
  return std::move(*text);
}

void add_file(std::map<long long, FilePair>& pairs, const fs::path& path,
              const RevisionFileName& parsed) {
  auto& pair = pairs[parsed.version];
  if (!pair.name.empty() && pair.name != parsed.name) {
    bad_file(path,
             "version " + std::to_string(parsed.version) + " is also used by '" + pair.name + "'",
             "give each revision its own version");
  }
  auto& slot = parsed.direction == Direction::up ? pair.up : pair.down;
  if (slot) {
    bad_file(path, "duplicate of '" + slot->filename().string() + "' (same version)",
             "give each revision its own version");
  }
  slot = path;
  pair.name = parsed.name;
}

Revision load_pair(long long version, const FilePair& pair) {
  if (!pair.up) {
    bad_file(*pair.down, "a down file without its up file",
             "add " + std::to_string(version) + "_" + pair.name + ".up.sql or remove this file");
  }
  Revision revision;
  revision.version = version;
  revision.name = pair.name;
  revision.up_path = *pair.up;
  revision.up_sql = read_revision_file(*pair.up);
  revision.checksum = util::sha256_hex(revision.up_sql);
  try {
    revision.directives = parse_directives(revision.up_sql);
  } catch (const std::invalid_argument& e) {
    bad_file(*pair.up, e.what(), "known directives: agentdb:no-transaction, agentdb:irreversible");
  }
  if (revision.irreversible()) {
    if (pair.down) {
      bad_file(*pair.down, "the revision is marked agentdb:irreversible but has a down file",
               "remove the down file or the directive");
    }
    return revision;
  }
  if (!pair.down) {
    bad_file(*pair.up, "no down file",
             "add " + std::to_string(version) + "_" + pair.name +
                 ".down.sql, or mark the revision with -- agentdb:irreversible");
  }
  revision.down_path = *pair.down;
  revision.down_sql = read_revision_file(*pair.down);
  try {
    const auto down = parse_directives(revision.down_sql);
    if (down.reversibility == Reversibility::irreversible) {
      bad_file(*pair.down, "agentdb:irreversible belongs in the up file");
    }
    revision.down_transaction = down.transaction;
  } catch (const std::invalid_argument& e) {
    bad_file(*pair.down, e.what(),
             "known directives: agentdb:no-transaction, agentdb:irreversible");
  }
  return revision;
}

}  // namespace

bool is_valid_revision_name(std::string_view name) {
  if (name.empty())
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::optional<RevisionFileName> parse_revision_file_name(std::string_view file_name) {
  RevisionFileName parsed;
  if (file_name.ends_with(kUpSuffix)) {
    file_name.remove_suffix(kUpSuffix.size());
    parsed.direction = Direction::up;
  } else if (file_name.ends_with(kDownSuffix)) {
    file_name.remove_suffix(kDownSuffix.size());
    parsed.direction = Direction::down;
  } else {
    return std::nullopt;
  }
  const auto underscore = file_name.find('_');
  if (underscore == std::string_view::npos || underscore == 0)
    return std::nullopt;
  const auto digits = file_name.substr(0, underscore);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const auto version = util::parse_int64(digits);
  if (!version || *version <= 0)
    return std::nullopt;
  parsed.version = *version;
  parsed.name = std::string(file_name.substr(underscore + 1));
  if (!is_valid_revision_name(parsed.name))
    return std::nullopt;
  return parsed;
}

Directives parse_directives(std::string_view up_sql) {
  Directives directives;
  for (const auto& raw : util::split_lines(up_sql)) {
    const auto line = util::trim(raw);
    if (line.empty())
      continue;
    if (!line.starts_with("--"))
      break;
    const auto comment = util::trim(line.substr(2));
    if (!comment.starts_with(kDirectivePrefix))
      continue;
    const auto directive = util::trim(comment.substr(kDirectivePrefix.size()));
    const auto word = directive.substr(0, directive.find_first_of(" \t"));
    if (word == "no-transaction") {
      directives.transaction = TransactionMode::none;
    } else if (word == "irreversible") {
      directives.reversibility = Reversibility::irreversible;
    } else if (word != "lint-ignore") {
      throw std::invalid_argument("unknown directive 'agentdb:" + std::string(word) + "'");
    }
  }
  return directives;
}

std::vector<Revision> load_revisions(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(ExitCode::usage, "migrations directory '" + dir.string() + "' does not exist",
                "create it, or point --dir (or AGENTDB_MIGRATIONS_DIR) at your migrations");
  }
  // File names as plain strings: sorting fs::path objects costs more than reading the files.
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.ends_with(".sql"))
      names.push_back(std::move(name));
  }
  if (ec) {
    throw Error(ExitCode::usage,
                "cannot read migrations directory '" + dir.string() + "': " + ec.message());
  }
  std::sort(names.begin(), names.end());
  std::map<long long, FilePair> pairs;
  for (const auto& name : names) {
    const auto parsed = parse_revision_file_name(name);
    if (!parsed) {
      bad_file(dir / name, "the name is not <version>_<name>.up.sql or <version>_<name>.down.sql",
               "version: a positive integer; name: lower-case letters, digits and _");
    }
    add_file(pairs, dir / name, *parsed);
  }
  std::vector<Revision> revisions;
  revisions.reserve(pairs.size());
  for (const auto& [version, pair] : pairs)
    revisions.push_back(load_pair(version, pair));
  return revisions;
}

}  // namespace agentdb::migrate
