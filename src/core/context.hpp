// What every command receives: output settings, configuration, and a way to reach the database
// that is only taken when the command needs one (so `migrate new` never starts a server).
#pragma once

#include <functional>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "db/connection_target.hpp"

namespace CLI {
class App;
}

namespace agentdb {

struct Context {
  Output out;
  Config config;
  std::function<db::ConnectionTarget()> resolve_database;

  // The target from --database-url, DATABASE_URL or agentdb.toml, or the embedded cluster.
  [[nodiscard]] db::ConnectionTarget database() const { return resolve_database(); }
};

using Action = std::function<ExitCode(Context&)>;

// A leaf command and what runs when it is chosen; filled by each family's register function.
struct Command {
  CLI::App* app;
  Action action;
};

// Each command family adds its subcommand tree under `parent` and lists its leaves.
using RegisterFamily = void (*)(CLI::App& parent, std::vector<Command>& commands);

}  // namespace agentdb
