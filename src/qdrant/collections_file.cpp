#include "qdrant/collections_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

#include "core/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace agentdb::qdrant {

using nlohmann::json;

namespace {

// Keys of Qdrant's CreateCollection body, passed through as they are.
constexpr std::array<std::string_view, 13> kQdrantKeys = {"vectors",
                                                          "shard_number",
                                                          "sharding_method",
                                                          "replication_factor",
                                                          "write_consistency_factor",
                                                          "on_disk_payload",
                                                          "hnsw_config",
                                                          "wal_config",
                                                          "optimizers_config",
                                                          "quantization_config",
                                                          "sparse_vectors",
                                                          "strict_mode_config",
                                                          "metadata"};
// Keys agentdb itself reads.
constexpr std::array<std::string_view, 3> kAgentdbKeys = {"payload_indexes", "aliases", "sync"};
constexpr std::array<std::string_view, 4> kDistances = {"Cosine", "Euclid", "Dot", "Manhattan"};
constexpr std::array<std::string_view, 8> kPayloadTypes = {
    "keyword", "integer", "float", "geo", "text", "bool", "datetime", "uuid"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

class Checker {
 public:
  explicit Checker(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& why) const {
    throw Error(ExitCode::usage, "collections file " + source_ + ": " + path + ": " + why,
                "see 'Qdrant collections' in agentdb(1)");
  }
  void object(const json& value, const std::string& path) const {
    if (!value.is_object())
      fail(path, "must be an object");
  }
  void positive(const json& value, const std::string& path) const {
    if (!value.is_number_integer() || value.get<long long>() < 1)
      fail(path, "must be a whole number of at least 1");
  }
  void boolean(const json& value, const std::string& path) const {
    if (!value.is_boolean())
      fail(path, "must be true or false");
  }

  void vector_params(const json& value, const std::string& path) const {
    object(value, path);
    if (!value.contains("size"))
      fail(path + ".size", "is missing");
    positive(value["size"], path + ".size");
    if (!value.contains("distance"))
      fail(path + ".distance", "is missing");
    if (!value["distance"].is_string() || !one_of(kDistances, value["distance"].get<std::string>()))
      fail(path + ".distance", "must be one of Cosine, Euclid, Dot, Manhattan");
    if (value.contains("on_disk"))
      boolean(value["on_disk"], path + ".on_disk");
  }

  void vectors(const json& value, const std::string& path) const {
    object(value, path);
    if (value.contains("size")) {
      vector_params(value, path);
      return;
    }
    if (value.empty())
      fail(path, "must hold size and distance, or named vectors");
    for (const auto& [name, params] : value.items())
      vector_params(params, path + "." + name);
  }

  void quantization(const json& value, const std::string& path) const {
    object(value, path);
    if (value.size() != 1 ||
        !(value.contains("scalar") || value.contains("product") || value.contains("binary"))) {
      fail(path, "must hold exactly one of scalar, product, binary");
    }
  }

  void payload_indexes(const json& value, const std::string& path,
                       std::map<std::string, json>& out) const {
    object(value, path);
    for (const auto& [field, declaration] : value.items()) {
      const auto type = index_type(declaration);
      if (!one_of(kPayloadTypes, type)) {
        fail(path + "." + field,
             "must be one of keyword, integer, float, bool, geo, datetime, text, uuid (or an "
             "object with such a type)");
      }
      out[field] = declaration;
    }
  }

  CollectionSpec collection(const std::string& name, const json& value) const {
    const auto path = "$.collections." + name;
    object(value, path);
    if (name.empty() || name.size() > 255 ||
        name.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
            std::string::npos) {
      fail(path, "a collection name is letters, digits, _ and -");
    }
    CollectionSpec spec;
    spec.name = name;
    spec.create_body = json::object();
    for (const auto& [key, item] : value.items()) {
      const auto at = path + "." + key;
      if (one_of(kAgentdbKeys, key))
        continue;
      if (!one_of(kQdrantKeys, key)) {
        std::string hint = "unknown key";
        if (key == "optimizer_config")
          hint += " (did you mean optimizers_config?)";
        if (key == "payload_index" || key == "indexes")
          hint += " (did you mean payload_indexes?)";
        fail(at, hint);
      }
      if (key == "vectors")
        vectors(item, at);
      else if (key == "shard_number" || key == "replication_factor" ||
               key == "write_consistency_factor")
        positive(item, at);
      else if (key == "on_disk_payload")
        boolean(item, at);
      else if (key == "quantization_config")
        quantization(item, at);
      else if (key != "sharding_method")
        object(item, at);
      spec.create_body[key] = item;
    }
    if (!value.contains("vectors") && !value.contains("sparse_vectors"))
      fail(path + ".vectors", "is missing");
    spec.manages_indexes = value.contains("payload_indexes");
    spec.manages_aliases = value.contains("aliases");
    if (value.contains("payload_indexes"))
      payload_indexes(value["payload_indexes"], path + ".payload_indexes", spec.payload_indexes);
    if (value.contains("aliases")) {
      const auto& aliases = value["aliases"];
      if (!aliases.is_array())
        fail(path + ".aliases", "must be an array of names");
      for (std::size_t i = 0; i < aliases.size(); ++i) {
        if (!aliases[i].is_string() || aliases[i].get<std::string>().empty())
          fail(path + ".aliases[" + std::to_string(i) + "]", "must be a non-empty string");
        spec.aliases.push_back(aliases[i]);
      }
    }
    if (value.contains("sync")) {
      const auto& sync = value["sync"];
      object(sync, path + ".sync");
      for (const auto& [key, item] : sync.items()) {
        if (key != "count_sql")
          fail(path + ".sync." + key, "unknown key (sync holds count_sql)");
        if (!item.is_string() || util::trim(item.get<std::string>()).empty())
          fail(path + ".sync.count_sql", "must be a SQL query returning one count");
        spec.count_sql = item.get<std::string>();
      }
    }
    return spec;
  }

 private:
  std::string source_;
};

}  // namespace

const CollectionSpec* CollectionsFile::find(const std::string& name) const {
  for (const auto& collection : collections) {
    if (collection.name == name)
      return &collection;
  }
  return nullptr;
}

std::string index_type(const json& declaration) {
  if (declaration.is_string())
    return declaration.get<std::string>();
  if (declaration.is_object() && declaration.contains("type") && declaration["type"].is_string())
    return declaration["type"].get<std::string>();
  return {};
}

namespace {

json to_json(const toml::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value.data))
    return *text;
  if (const auto* number = std::get_if<long long>(&value.data))
    return *number;
  if (const auto* real = std::get_if<double>(&value.data))
    return *real;
  if (const auto* flag = std::get_if<bool>(&value.data))
    return *flag;
  json array = json::array();
  for (const auto& item : std::get<toml::Array>(value.data))
    array.push_back(to_json(item));
  return array;
}

}  // namespace

std::optional<CollectionsFile> collections_from_config(const toml::Document& document,
                                                       const std::string& source) {
  constexpr std::string_view kPrefix = "qdrant.collections.";
  nlohmann::ordered_json collections = nlohmann::ordered_json::object();
  for (const auto& [key, value] : document) {
    if (!key.starts_with(kPrefix))
      continue;
    nlohmann::ordered_json* node = &collections;
    const auto parts = util::split(std::string_view(key).substr(kPrefix.size()), '.');
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      auto& child = (*node)[parts[i]];
      if (!child.is_null() && !child.is_object()) {
        throw Error(ExitCode::usage,
                    source + ": " + key + ": " + parts[i] + " is both a value and a table");
      }
      node = &child;
    }
    (*node)[parts.back()] = to_json(value);
  }
  if (collections.empty())
    return std::nullopt;
  const nlohmann::ordered_json wrapped = {{"collections", collections}};
  return parse_collections(wrapped.dump(), source + " [qdrant.collections]");
}

CollectionsFile parse_collections(std::string_view text, const std::string& source) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    const auto line = util::line_of_offset(text, e.byte > 0 ? e.byte - 1 : 0);
    throw Error(
        ExitCode::usage,
        "collections file " + source + ": line " + std::to_string(line) + ": not valid JSON",
        "check the brackets, quotes and commas around that line");
  }
  const Checker check(source);
  check.object(document, "$");
  for (const auto& [key, item] : document.items()) {
    if (key != "collections")
      check.fail("$." + key, "unknown key (the file holds collections)");
  }
  if (!document.contains("collections"))
    check.fail("$.collections", "is missing");
  check.object(document["collections"], "$.collections");
  CollectionsFile file;
  file.source = source;
  // In the order the file declares them (json objects iterate sorted; ordered_json keeps order).
  const auto ordered = nlohmann::ordered_json::parse(text);
  for (const auto& [name, value] : ordered["collections"].items())
    file.collections.push_back(check.collection(name, document["collections"][name]));
  return file;
}

CollectionsFile load_collections(const std::filesystem::path& path) {
  const auto text = util::read_file(path);
  if (!text) {
    throw Error(ExitCode::usage,
                "cannot read collections file " + path.string() + ": " +
                    std::generic_category().message(errno),
                "give --file, or QDRANT_COLLECTIONS_FILE, or create qdrant/collections.json");
  }
  return parse_collections(*text, path.string());
}

}  // namespace agentdb::qdrant
