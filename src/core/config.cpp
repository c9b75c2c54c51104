#include "core/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "core/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace agentdb {

namespace {

bool is_declared(std::string_view key, const std::vector<const Setting*>& declared) {
  for (const auto* setting : declared) {
    if (setting->key.empty())
      continue;
    if (setting->is_table() ? key.starts_with(setting->key.substr(0, setting->key.size() - 1))
                            : key == setting->key)
      return true;
  }
  return false;
}

}  // namespace

Config Config::load(const std::optional<std::filesystem::path>& explicit_file,
                    const std::vector<const Setting*>& declared) {
  Config config;
  config.explicit_file_ = explicit_file;
  config.declared_ = declared;
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
    throw Error(ExitCode::usage,
                path.string() + ":" + std::to_string(e.line()) + ":" + std::to_string(e.column()) +
                    ": " + util::printable(e.what()),
                "see agentdb(1), section FILES, and TOML 1.0 for the syntax");
  }
  for (const auto& [key, value] : config.document_) {
    if (!is_declared(key, declared)) {
      throw Error(ExitCode::usage,
                  path.string() + ": unknown setting '" + util::printable(key) + "'",
                  "see agentdb(1), section CONFIGURATION, for the settings it may hold");
    }
  }
  config.source_ = path;
  return config;
}

Config Config::reloaded() const {
  auto fresh = load(explicit_file_, declared_);
  fresh.secrets_ = secrets_;
  return fresh;
}

std::optional<std::string> Config::find(const Setting& setting, std::string_view flag_value) const {
  std::optional<std::string> found;
  if (!flag_value.empty()) {
    found = std::string(flag_value);
  } else if (const char* env = setting.env == nullptr ? nullptr : std::getenv(setting.env);
             env != nullptr && *env != '\0') {
    found = env;
  } else if (const auto it = setting.key.empty() ? document_.end() : document_.find(setting.key);
             it != document_.end()) {
    found = toml::to_setting(it->second);
  }
  if (found && setting.is_secret()) {
    const std::lock_guard lock(secrets_->mutex);
    auto& values = secrets_->values;
    if (std::find(values.begin(), values.end(), *found) == values.end())
      values.push_back(*found);
  }
  return found;
}

std::string Config::value(const Setting& setting, std::string_view flag_value) const {
  if (auto found = find(setting, flag_value))
    return std::move(*found);
  return setting.shipped ? shipped_default(setting) : std::string(setting.fallback);
}

std::filesystem::path shipped_data_dir() {
  return AGENTDB_DATA_DIR;
}

std::string shipped_default(const Setting& setting) {
  const std::filesystem::path relative(setting.fallback);
  std::error_code ignored;
  if (std::filesystem::exists(relative, ignored))
    return relative.string();
  const auto installed = shipped_data_dir() / relative;
  return std::filesystem::exists(installed, ignored) ? installed.string() : relative.string();
}

std::vector<std::string> Config::secrets() const {
  const std::lock_guard lock(secrets_->mutex);
  return secrets_->values;
}

}  // namespace agentdb
