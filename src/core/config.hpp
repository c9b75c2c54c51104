// Settings resolved in one order everywhere: command-line flag > environment > agentdb.toml >
// built-in default.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/settings.hpp"
#include "core/toml.hpp"

namespace agentdb {

// Where the installed package keeps what it ships (/usr/share/agentdb), compiled in.
[[nodiscard]] std::filesystem::path shipped_data_dir();
// A shipped setting's default: the relative path when the working directory has it, else the
// same path under shipped_data_dir() when that exists, else the relative path (so an error names
// what was looked for).
[[nodiscard]] std::string shipped_default(const Setting& setting);

class Config {
 public:
  Config() = default;

  // Loads `explicit_file` (which must exist) or, when none is given, ./agentdb.toml if present.
  // Throws Error(usage) on a malformed file or a key none of `declared` names.
  static Config load(const std::optional<std::filesystem::path>& explicit_file,
                     const std::vector<const Setting*>& declared);

  // The same file read again (SIGHUP): what it holds now, checked as at start; the secrets seen
  // so far stay redacted.
  [[nodiscard]] Config reloaded() const;

  // The first of: the flag's value (when non-empty), the environment variable, the file key;
  // nullopt when none is set (the default is not applied).
  [[nodiscard]] std::optional<std::string> find(const Setting& setting,
                                                std::string_view flag_value = {}) const;
  // The same, falling back to the setting's default (for a shipped one, see shipped_default).
  [[nodiscard]] std::string value(const Setting& setting, std::string_view flag_value = {}) const;

  // Secret values resolved so far, for the error reporter to blank out.
  [[nodiscard]] std::vector<std::string> secrets() const;

  [[nodiscard]] const std::filesystem::path& source() const { return source_; }
  // Every key of the file, fully qualified ("qdrant.collections.memory.vectors.size").
  [[nodiscard]] const toml::Document& document() const { return document_; }

 private:
  toml::Document document_;
  std::filesystem::path source_;
  std::optional<std::filesystem::path> explicit_file_;
  std::vector<const Setting*> declared_;
  // Shared by copies of this Config: a secret read through any of them is redacted everywhere.
  struct SecretList {
    std::mutex mutex;
    std::vector<std::string> values;
  };
  std::shared_ptr<SecretList> secrets_ = std::make_shared<SecretList>();
};

}  // namespace agentdb
