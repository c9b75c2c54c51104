// What every command receives: output settings, configuration, and what the dispatcher opens for
// it on first use, as the command table says it needs (so `migrate new` never starts a server).
// The database types are only named here; core includes nothing above it.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/settings.hpp"

namespace CLI {
class App;
}

namespace agentdb {

namespace db {
struct ConnectionTarget;
class Session;
}  // namespace db

// What a command needs opened before it can work; each level includes the ones before it.
enum class Needs {
  nothing,   // files only: `migrate new`, `backup list`
  database,  // a connection target (the embedded cluster is started if it is the default)
  session,   // one session on that target, opened by the dispatcher and closed after the command
  primary,   // that session on the primary: standbys skipped among several hosts, refused alone
};

// Opened lazily by the front end. Asking for more than the command declared is a bug in its row.
class Resources {
 public:
  virtual ~Resources() = default;
  virtual const db::ConnectionTarget& database() = 0;
  // The target when one is configured (flag, environment, agentdb.toml); nullptr rather than the
  // embedded cluster otherwise.
  virtual const db::ConnectionTarget* configured_database() = 0;
  virtual db::Session& session() = 0;
  // Drops the session (its connection may be gone: a failover) and opens a new one as the row
  // declares; throws as opening does.
  virtual db::Session& reopen_session() = 0;
};

struct Context {
  Output out;
  Config config;
  Resources* resources = nullptr;

  // The target from --database-url, DATABASE_URL or agentdb.toml, or the embedded cluster.
  [[nodiscard]] const db::ConnectionTarget& database() const { return resources->database(); }
  [[nodiscard]] db::Session& session() const { return resources->session(); }
};

using Action = std::function<Outcome(Context&)>;

enum class ExitConvention {
  exit_code,      // 0 ok, 1 failed, 2 usage, 3 cannot connect, 4 conflict
  plugin_status,  // 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; a usage error is UNKNOWN (health)
  plugin_result,  // results as plugin_status, but a usage error stays 2 (cost budget, as cost)
};

// A leaf command: what runs when it is chosen, what it needs opened, how its exit status reads.
struct Command {
  CLI::App* app;
  Action action;
  Needs needs = Needs::nothing;
  ExitConvention convention = ExitConvention::exit_code;
};

// Each command family fills in `family` (the subcommand the dispatcher made from its row) and
// lists its leaves.
using RegisterFamily = void (*)(CLI::App& family, std::vector<Command>& commands);

// A row of the command table (cli/command_table.cpp): the family, its one-line summary, and the
// settings its module declares.
struct Family {
  std::string_view name;
  std::string_view summary;
  RegisterFamily register_commands;
  Settings settings;
};

}  // namespace agentdb
