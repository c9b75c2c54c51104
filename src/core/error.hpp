// The one typed error that ends a command, and the documented exit codes it maps to.
// Expected outcomes (a pending revision, a failed check) are values, not errors.
#pragma once

#include <stdexcept>
#include <string>

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

}  // namespace agentdb
