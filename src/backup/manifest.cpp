#include "backup/manifest.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <system_error>
#include <type_traits>
#include <utility>

#include "core/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace agentdb::backup {

using nlohmann::json;

std::string to_string(DumpFormat format) {
  return format == DumpFormat::custom ? "custom" : "directory";
}

std::optional<DumpFormat> parse_format(std::string_view text) {
  if (text == "custom")
    return DumpFormat::custom;
  if (text == "directory")
    return DumpFormat::directory;
  return std::nullopt;
}

namespace {

template <typename T>
json optional_value(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json verification_json(const std::optional<Verification>& v) {
  if (!v)
    return nullptr;
  return {{"at", v->at},
          {"method", v->method},
          {"ok", v->ok},
          {"detail", v->detail},
          {"seconds", v->seconds}};
}

}  // namespace

json to_json(const Manifest& m) {
  json tables = json::array();
  for (const auto& t : m.tables) {
    tables.push_back({{"name", t.name},
                      {"row_estimate", optional_value(t.row_estimate)},
                      {"rows", t.rows},
                      {"data_excluded", t.data_excluded}});
  }
  json files = json::array();
  for (const auto& f : m.files)
    files.push_back({{"path", f.path}, {"size_bytes", f.size_bytes}, {"sha256", f.sha256}});
  return {{"manifest_version", m.manifest_version},
          {"id", m.id},
          {"label", m.label},
          {"database", m.database},
          {"server", m.server},
          {"server_version", m.server_version},
          {"taken_from", m.taken_from ? json{{"role", m.taken_from->role},
                                             {"member", m.taken_from->member},
                                             {"wal_lsn", m.taken_from->wal_lsn}}
                                      : json(nullptr)},
          {"pg_dump_version", m.pg_dump_version},
          {"format", to_string(m.format)},
          {"archive", m.archive},
          {"compress", optional_value(m.compress)},
          {"jobs", m.jobs},
          {"schema_only", m.schema_only},
          {"exclude_table_data", m.exclude_table_data},
          {"migration_version", optional_value(m.migration_version)},
          {"database_size_bytes", m.database_size_bytes},
          {"tables", tables},
          {"files", files},
          {"size_bytes", m.size_bytes},
          {"started_at", m.started_at},
          {"finished_at", m.finished_at},
          {"duration_seconds", m.duration_seconds},
          {"created_by", m.created_by},
          {"verification", verification_json(m.verification)}};
}

namespace {

// Whether a JSON value holds a T exactly: no bool as a number, no number out of T's range.
template <typename T>
bool holds(const json& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value.is_boolean();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value.is_string();
  } else if constexpr (std::is_same_v<T, double>) {
    return value.is_number() && std::isfinite(value.get<double>());
  } else if constexpr (std::is_integral_v<T>) {
    if (value.is_number_unsigned())
      return std::in_range<T>(value.get<std::uint64_t>());
    return value.is_number_integer() && std::in_range<T>(value.get<std::int64_t>());
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return value.is_array() && std::all_of(value.begin(), value.end(),
                                           [](const json& item) { return item.is_string(); });
  } else {
    static_assert(std::is_same_v<T, json>);
    return true;
  }
}

// A path the manifest names inside its backup's folder: relative, no "..", not empty.
bool stays_inside(const std::string& path) {
  const std::filesystem::path p(path);
  if (path.empty() || p.is_absolute() || path.find('\0') != std::string::npos)
    return false;
  return std::none_of(p.begin(), p.end(), [](const auto& part) { return part == ".."; });
}

bool is_sha256_hex(const std::string& text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Reads fields with messages that name the manifest and the field, never a json type error.
class Reader {
 public:
  explicit Reader(const std::string& source) : source_(source) {}

  template <typename T>
  T get(const json& object, const char* key, const std::string& where) const {
    const auto it = object.is_object() ? object.find(key) : object.end();
    if (it == object.end())
      fail(where + key + " is missing");
    if (!holds<T>(*it))
      fail(where + key + " has the wrong type");
    return it->template get<T>();
  }

  template <typename T>
  std::optional<T> optional(const json& object, const char* key, const std::string& where) const {
    const auto it = object.is_object() ? object.find(key) : object.end();
    if (it == object.end() || it->is_null())
      return std::nullopt;
    return get<T>(object, key, where);
  }

  json array(const json& object, const char* key) const {
    auto value = get<json>(object, key, "");
    if (!value.is_array())
      fail(std::string(key) + " is not an array");
    return value;
  }

  std::string path(const json& object, const char* key, const std::string& where) const {
    auto value = get<std::string>(object, key, where);
    if (!stays_inside(value))
      fail(where + key + " '" + value + "' is not a relative path inside the backup's folder");
    return value;
  }

  [[noreturn]] void fail(const std::string& why) const {
    throw ManifestDamage(source_ + ": " + why);
  }

 private:
  const std::string& source_;
};

Verification verification_from(const Reader& r, const json& v) {
  return {r.get<std::string>(v, "at", "verification."),
          r.get<std::string>(v, "method", "verification."), r.get<bool>(v, "ok", "verification."),
          r.optional<std::string>(v, "detail", "verification.").value_or(""),
          r.optional<double>(v, "seconds", "verification.").value_or(0)};
}

}  // namespace

Manifest manifest_from_json(const json& doc, const std::string& source) {
  const Reader r(source);
  if (!doc.is_object())
    r.fail("not a JSON object");
  Manifest m;
  m.manifest_version = r.get<int>(doc, "manifest_version", "");
  if (m.manifest_version != 1)
    r.fail("manifest_version " + std::to_string(m.manifest_version) + " is not supported");
  m.id = r.get<std::string>(doc, "id", "");
  m.label = r.optional<std::string>(doc, "label", "").value_or("");
  m.database = r.get<std::string>(doc, "database", "");
  m.server = r.optional<std::string>(doc, "server", "").value_or("");
  m.server_version = r.optional<std::string>(doc, "server_version", "").value_or("");
  if (const auto t = doc.find("taken_from"); t != doc.end() && !t->is_null()) {
    if (!t->is_object())
      r.fail("taken_from is not an object");
    m.taken_from = TakenFrom{r.get<std::string>(*t, "role", "taken_from."),
                             r.get<std::string>(*t, "member", "taken_from."),
                             r.get<std::string>(*t, "wal_lsn", "taken_from.")};
  }
  m.pg_dump_version = r.optional<std::string>(doc, "pg_dump_version", "").value_or("");
  const auto format = parse_format(r.get<std::string>(doc, "format", ""));
  if (!format)
    r.fail("format must be custom or directory");
  m.format = *format;
  m.archive = r.path(doc, "archive", "");
  m.compress = r.optional<int>(doc, "compress", "");
  m.jobs = r.optional<int>(doc, "jobs", "").value_or(1);
  m.schema_only = r.optional<bool>(doc, "schema_only", "").value_or(false);
  m.exclude_table_data = r.optional<std::vector<std::string>>(doc, "exclude_table_data", "")
                             .value_or(std::vector<std::string>{});
  m.migration_version = r.optional<long long>(doc, "migration_version", "");
  m.database_size_bytes = r.optional<std::uint64_t>(doc, "database_size_bytes", "").value_or(0);
  for (const auto& t : r.array(doc, "tables")) {
    m.tables.push_back({r.get<std::string>(t, "name", "tables[]."),
                        r.optional<long long>(t, "row_estimate", "tables[]."),
                        r.get<long long>(t, "rows", "tables[]."),
                        r.optional<bool>(t, "data_excluded", "tables[].").value_or(false)});
  }
  for (const auto& f : r.array(doc, "files")) {
    m.files.push_back({r.path(f, "path", "files[]."),
                       r.get<std::uint64_t>(f, "size_bytes", "files[]."),
                       r.get<std::string>(f, "sha256", "files[].")});
    if (!is_sha256_hex(m.files.back().sha256))
      r.fail("files[].sha256 of " + m.files.back().path + " is not a SHA-256 in hex");
  }
  if (m.files.empty())
    r.fail("files is empty");
  m.size_bytes = r.get<std::uint64_t>(doc, "size_bytes", "");
  m.started_at = r.get<std::string>(doc, "started_at", "");
  m.finished_at = r.optional<std::string>(doc, "finished_at", "").value_or("");
  m.duration_seconds = r.optional<double>(doc, "duration_seconds", "").value_or(0);
  m.created_by = r.optional<std::string>(doc, "created_by", "").value_or("");
  if (const auto v = doc.find("verification"); v != doc.end() && !v->is_null()) {
    if (!v->is_object())
      r.fail("verification is not an object");
    m.verification = verification_from(r, *v);
  }
  return m;
}

Manifest read_manifest(const std::filesystem::path& backup_dir) {
  const auto path = backup_dir / kManifestName;
  const auto text = util::read_file(path);
  if (!text) {
    throw Error(ExitCode::failure, "cannot read " + util::printable(path.string()) + ": " +
                                       std::generic_category().message(errno));
  }
  const auto document = json::parse(*text, nullptr, false);
  if (document.is_discarded())
    throw ManifestDamage(std::string(kManifestName) + ": not valid JSON (truncated or edited?)");
  return manifest_from_json(document, kManifestName);
}

void write_manifest(const std::filesystem::path& backup_dir, const Manifest& manifest) {
  const auto path = backup_dir / kManifestName;
  try {
    util::write_file_atomic(path, to_json(manifest).dump(2) + "\n");
  } catch (const std::system_error& e) {
    throw Error(ExitCode::failure,
                "cannot write " + util::printable(path.string()) + ": " + e.code().message());
  }
}

}  // namespace agentdb::backup
