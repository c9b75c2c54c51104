// Settings resolved in one order everywhere: command-line flag > environment > agentdb.toml >
// built-in default.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/toml.hpp"

namespace agentdb {

class Config {
 public:
  Config() = default;

  // Loads `explicit_file` (which must exist) or, when none is given, ./agentdb.toml if present.
  // Throws Error(usage) on a malformed file or an unknown key.
  static Config load(const std::optional<std::filesystem::path>& explicit_file);

  // The first of: the flag's value (when non-empty), the environment variable, the file key.
  [[nodiscard]] std::optional<std::string> resolve(std::string_view flag_value,
                                                   const char* env_name,
                                                   std::string_view file_key) const;
  [[nodiscard]] std::string resolve_or(std::string_view flag_value, const char* env_name,
                                       std::string_view file_key, std::string_view fallback) const;

  [[nodiscard]] const std::filesystem::path& source() const { return source_; }
  // Every key of the file, fully qualified ("qdrant.collections.memory.vectors.size").
  [[nodiscard]] const toml::Document& document() const { return document_; }

 private:
  toml::Document document_;
  std::filesystem::path source_;
};

}  // namespace agentdb
