#include "seed/seed_set.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "core/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace agentdb::seed {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

[[noreturn]] void bad_file(const fs::path& path, std::optional<int> line, const std::string& why) {
  std::string where = path.string();
  if (line)
    where += ":" + std::to_string(*line);
  throw Error(ExitCode::usage, "bad seed file '" + where + "': " + why,
              "see agentdb(1), section SEED FILES, for the format");
}

// Line of the start of each object that sits directly in an array at depth 2 ({"rows": [ {...} ]}),
// found by a scan that skips strings; used to point at the row a message is about.
std::vector<int> row_lines(const std::string& text) {
  std::vector<int> lines;
  int depth = 0;
  int line = 1;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n')
      ++line;
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"')
      in_string = true;
    if (c == '{' || c == '[') {
      if (c == '{' && depth == 2)
        lines.push_back(line);
      ++depth;
    }
    if (c == '}' || c == ']')
      --depth;
  }
  return lines;
}

bool is_identifier_path(const std::string& name) {
  if (name.empty())
    return false;
  for (const auto& part : util::split(name, '.')) {
    if (part.empty() || (part[0] >= '0' && part[0] <= '9'))
      return false;
    for (char c : part) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
        return false;
    }
  }
  return true;
}

std::vector<std::string> string_list(const fs::path& path, const json& value, const char* field) {
  if (!value.is_array() || value.empty()) {
    bad_file(path, std::nullopt,
             std::string("\"") + field + "\" must be a non-empty array of column names");
  }
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string() || !is_identifier_path(item.get<std::string>())) {
      bad_file(path, std::nullopt,
               std::string("\"") + field + "\" holds something that is not a column name");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

std::size_t SeedSet::row_count() const {
  std::size_t total = 0;
  for (const auto& file : files)
    total += file.row_count;
  return total;
}

SeedFile parse_seed_file(const fs::path& path, const std::string& text) {
  if (!util::is_valid_utf8(text))
    bad_file(path, std::nullopt, "it is not valid UTF-8");
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    const auto message = std::string(e.what());
    const auto colon = message.rfind(": ");
    bad_file(path, util::line_of_offset(text, e.byte > 0 ? e.byte - 1 : 0),
             "invalid JSON: " + (colon == std::string::npos ? message : message.substr(colon + 2)));
  }
  if (!document.is_object())
    bad_file(path, 1, "the file must hold one JSON object");
  for (const auto& [field, value] : document.items()) {
    if (field != "table" && field != "key" && field != "rows" && field != "description") {
      bad_file(path, std::nullopt,
               "unknown field \"" + field + "\" (expected table, key, rows, description)");
    }
  }
  SeedFile file;
  file.path = path;
  if (!document.contains("table") || !document["table"].is_string() ||
      !is_identifier_path(document["table"].get<std::string>())) {
    bad_file(path, std::nullopt, "\"table\" must name a table, e.g. \"model_prices\"");
  }
  file.table = document["table"].get<std::string>();
  if (document.contains("description") && document["description"].is_string()) {
    file.description = document["description"].get<std::string>();
  }
  if (!document.contains("key"))
    bad_file(path, std::nullopt, "\"key\" is missing");
  file.key = string_list(path, document["key"], "key");
  if (!document.contains("rows") || !document["rows"].is_array()) {
    bad_file(path, std::nullopt, "\"rows\" must be an array of objects");
  }
  const auto& rows = document["rows"];
  const auto lines = row_lines(text);
  const auto line_of_row = [&lines](std::size_t i) -> std::optional<int> {
    if (i < lines.size())
      return lines[i];
    return std::nullopt;
  };
  std::set<std::string> first_columns;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (!row.is_object())
      bad_file(path, line_of_row(i), "row " + std::to_string(i + 1) + " is not an object");
    std::set<std::string> columns;
    for (const auto& [column, value] : row.items()) {
      if (!is_identifier_path(column) || column.find('.') != std::string::npos) {
        bad_file(path, line_of_row(i),
                 "row " + std::to_string(i + 1) + ": \"" + column + "\" is not a column name");
      }
      columns.insert(column);
    }
    if (i == 0) {
      first_columns = columns;
      for (const auto& key : file.key) {
        if (!columns.contains(key)) {
          bad_file(path, line_of_row(i), "row 1 has no value for key column \"" + key + "\"");
        }
      }
      file.columns = file.key;
      for (const auto& [column, value] : row.items()) {
        if (std::find(file.key.begin(), file.key.end(), column) == file.key.end())
          file.columns.push_back(column);
      }
    } else if (columns != first_columns) {
      bad_file(path, line_of_row(i),
               "row " + std::to_string(i + 1) +
                   " has other columns than row 1 (every row needs the same ones)");
    }
  }
  file.row_count = rows.size();
  file.rows_json = rows.dump();
  return file;
}

std::vector<std::string> list_sets(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw Error(ExitCode::usage, "seeds directory '" + root.string() + "' does not exist",
                "point --dir (or AGENTDB_SEEDS_DIR) at the folder that holds the seed sets");
  }
  std::vector<std::string> names;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory())
      names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

SeedSet load_set(const fs::path& root, const std::string& name) {
  const auto names = list_sets(root);
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    throw Error(ExitCode::usage, "no seed set '" + name + "' in " + root.string(),
                names.empty() ? "create " + (root / name).string()
                              : "available: " + util::join(names, ", "));
  }
  SeedSet set;
  set.name = name;
  set.dir = root / name;
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it(set.dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto file = it->path().filename().string();
    if (file.ends_with(".json"))
      files.push_back(file);
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const auto path = set.dir / file;
    const auto text = util::read_file(path);
    if (!text)
      bad_file(path, std::nullopt, "cannot read it");
    set.files.push_back(parse_seed_file(path, *text));
  }
  return set;
}

}  // namespace agentdb::seed
