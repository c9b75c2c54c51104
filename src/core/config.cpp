#include "core/config.hpp"

#include <array>
#include <cstdlib>
#include <system_error>

#include "core/error.hpp"
#include "util/files.hpp"

namespace agentdb {

namespace {

// Every key agentdb.toml may hold; a typo is an error rather than a silently ignored setting.
constexpr std::array<std::string_view, 11> kKnownKeys = {
    "database_url",   "migrate.dir", "migrate.lock_timeout", "seed.dir",
    "local.home",     "backup.dir",  "qdrant.url",           "qdrant.file",
    "qdrant.timeout", "redis.url",   "health.timeout",
};

// Qdrant collections may be declared in agentdb.toml; their keys are checked by agentdb qdrant.
constexpr std::string_view kQdrantCollectionsPrefix = "qdrant.collections.";

// Thresholds, health.CHECK.warning / .critical; their check names are checked by agentdb health.
constexpr std::string_view kHealthPrefix = "health.";

bool is_known_key(std::string_view key) {
  if (key.starts_with(kQdrantCollectionsPrefix) || key.starts_with(kHealthPrefix))
    return true;
  for (const auto known : kKnownKeys) {
    if (known == key)
      return true;
  }
  return false;
}

}  // namespace

Config Config::load(const std::optional<std::filesystem::path>& explicit_file) {
  Config config;
  const std::filesystem::path path = explicit_file.value_or("agentdb.toml");
  std::error_code ec;
  if (!explicit_file && !std::filesystem::exists(path, ec))
    return config;
  const auto text = util::read_file(path);
  if (!text) {
    throw Error(ExitCode::usage, "cannot read config file '" + path.string() + "'",
                "check the --config path");
  }
  try {
    config.document_ = toml::parse(*text);
  } catch (const toml::ParseError& e) {
    throw Error(ExitCode::usage, path.string() + ":" + std::to_string(e.line()) + ": " + e.what());
  }
  for (const auto& [key, value] : config.document_) {
    if (!is_known_key(key)) {
      throw Error(ExitCode::usage, path.string() + ": unknown setting '" + key + "'",
                  "see agentdb(1), section CONFIGURATION, for the settings it may hold");
    }
  }
  config.source_ = path;
  return config;
}

std::optional<std::string> Config::resolve(std::string_view flag_value, const char* env_name,
                                           std::string_view file_key) const {
  if (!flag_value.empty())
    return std::string(flag_value);
  if (env_name != nullptr) {
    if (const char* env = std::getenv(env_name); env != nullptr && *env != '\0')
      return env;
  }
  if (!file_key.empty()) {
    if (const auto it = document_.find(file_key); it != document_.end()) {
      return toml::to_setting(it->second);
    }
  }
  return std::nullopt;
}

std::string Config::resolve_or(std::string_view flag_value, const char* env_name,
                               std::string_view file_key, std::string_view fallback) const {
  return resolve(flag_value, env_name, file_key).value_or(std::string(fallback));
}

}  // namespace agentdb
