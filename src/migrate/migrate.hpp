// migrate's public interface for other modules and front ends (health, serve): request -> result
// functions with no printing and no exit codes, safe to call from many threads on their own
// sessions. The command line's subcommands are registered by migrate_command.hpp.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "migrate/settings.hpp"

namespace agentdb::db {
class Session;
}

namespace agentdb::migrate {

struct StateCount {
  std::string state;  // "applied", "pending", "modified", "missing", "out-of-order", "failed"
  int count = 0;
  bool is_drift = false;  // anything but applied and pending needs a human
};

struct MigrationSummary {
  std::optional<long long> current;  // the newest applied version
  std::vector<StateCount> states;    // every state, in the order above
  [[nodiscard]] int count(std::string_view state) const;
  [[nodiscard]] int drift() const;
};

// The revision files in `dir` against the history in the database (none yet: all pending).
// Throws Error for an unreadable folder or malformed file names, QueryError for the server.
[[nodiscard]] MigrationSummary summarize(db::Session& session, const std::filesystem::path& dir);

}  // namespace agentdb::migrate
