// The one typed error that ends a command, and the documented exit codes it maps to.
// Expected outcomes (a pending revision, a failed check) are values, not errors.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace agentdb {

// Documented in `agentdb --help` and agentdb(1).
enum class ExitCode : int {
  ok = 0,
  failure = 1,         // the operation failed
  usage = 2,           // usage or configuration error
  cannot_connect = 3,  // server down, refused, bad credentials
  conflict = 4,        // state that needs a human: drift, failed migration, lock timeout
};

// The monitoring-plugin convention (Nagios, Icinga, Sensu) that `health` and `cost budget` follow.
enum class PluginStatus : int { ok = 0, warning = 1, critical = 2, unknown = 3 };

// What a command ends with, in its own convention; only the dispatcher turns it into a number.
class Outcome {
 public:
  Outcome(ExitCode code) : value_(static_cast<int>(code)) {}          // NOLINT: implicit on purpose
  Outcome(PluginStatus status) : value_(static_cast<int>(status)) {}  // NOLINT: implicit on purpose
  [[nodiscard]] int exit_status() const { return value_; }

 private:
  int value_;
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message, std::string hint = {})
      : std::runtime_error(message), code_(code), hint_(std::move(hint)) {}

  [[nodiscard]] ExitCode code() const { return code_; }
  [[nodiscard]] const std::string& hint() const { return hint_; }

 private:
  ExitCode code_;
  std::string hint_;
};

// A value echoed in a message, kept short whatever its size: values up to `kept` + 20 bytes as
// they are, longer ones as their first `kept` bytes (not splitting a UTF-8 character) and
// "... (N bytes)".
[[nodiscard]] inline std::string excerpt(std::string_view value, std::size_t kept = 60) {
  if (value.size() <= kept + 20)
    return std::string(value);
  while (kept > 0 && (static_cast<unsigned char>(value[kept]) & 0xC0U) == 0x80U)
    --kept;
  return std::string(value.substr(0, kept)) + "... (" + std::to_string(value.size()) + " bytes)";
}

}  // namespace agentdb
