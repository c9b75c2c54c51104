#include "cli/command_table.hpp"
#include "cli/settings.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iterator>

#include "backup/backup_command.hpp"
#include "backup/settings.hpp"
#include "cluster/cluster_command.hpp"
#include "cluster/settings.hpp"
#include "cost/cost_command.hpp"
#include "db/settings.hpp"
#include "health/health_command.hpp"
#include "health/settings.hpp"
#include "local/local_command.hpp"
#include "local/settings.hpp"
#include "migrate/migrate_command.hpp"
#include "migrate/settings.hpp"
#include "qdrant/qdrant_command.hpp"
#include "qdrant/settings.hpp"
#include "seed/seed_command.hpp"
#include "seed/settings.hpp"
#include "serve/serve_command.hpp"
#include "serve/settings.hpp"
#include "util/strings.hpp"

namespace agentdb::cli {

namespace {

constexpr const Setting* kGlobalSettings[] = {&kDatabaseUrl, &db::kRedisUrl};

// The command table, in the order `agentdb --help` lists the families. Each family's register
// function adds its leaves, each with what it needs opened and its exit convention.
constexpr Family kFamilies[] = {
    {"migrate", "Apply, revert and check schema revisions", migrate::register_commands,
     migrate::kSettings},
    {"seed", "Load reference and demo data from seeds/ (idempotent; default set: reference)",
     seed::register_commands, seed::kSettings},
    {"backup", "Backups with pg_dump: catalogue, checksums, verification by restore, retention",
     backup::register_commands, backup::kSettings},
    {"qdrant", "Declare Qdrant collections in a file; plan and apply them like migrations",
     qdrant::register_commands, qdrant::kSettings},
    {"health",
     "Check the database (and Qdrant, Redis) with monitoring-plugin exit codes: 0 OK, 1 WARNING, 2 "
     "CRITICAL, 3 UNKNOWN",
     health::register_health_command, health::kSettings},
    {"pool",
     "See who uses the connections, and measure a connection pool under load",
     health::register_pool_commands,
     {}},
    {"wait",
     "Wait until the database accepts connections (--migrated: and its schema is current); exit 3 "
     "at the timeout",
     health::register_wait_command,
     {}},
    {"cost", "LLM cost analytics: where did the money go?", cost::register_commands, {}},
    {"serve", "The REST data service of the agent platform (HTTP/1.1, JSON, API keys, RLS)",
     serve::register_serve_command, serve::kSettings},
    {"keys", "Issue, list and revoke the API keys of serve", serve::register_keys_commands, {}},
    {"cluster",
     "A replicated cluster as Patroni and PostgreSQL see it: roles, lag, timelines (plugin exit "
     "codes)",
     cluster::register_commands, cluster::kSettings},
    {"version",
     "The binary's version, the schema version it ships, and the libpq and pg_dump it found",
     register_version_command,
     {}},
    {"local", "Manage the embedded PostgreSQL cluster used when no database URL is set",
     local::register_commands, local::kSettings},
};

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  success\n"
    "  1  the operation failed\n"
    "  2  usage or configuration error\n"
    "  3  cannot connect (server down, refused, bad credentials)\n"
    "  4  state conflict that needs a human (drift, failed or dirty migration, lock not acquired\n"
    "     in time, applied revision missing on disk)\n";

}  // namespace

std::vector<const Setting*> declared_settings() {
  std::vector<const Setting*> all(std::begin(kGlobalSettings), std::end(kGlobalSettings));
  for (const auto& family : kFamilies)
    all.insert(all.end(), family.settings.begin(), family.settings.end());
  return all;
}

std::string command_path(const CLI::App& app) {
  std::string path = app.get_name();
  for (const auto* level = app.get_parent(); level != nullptr && level->get_parent() != nullptr;
       level = level->get_parent())
    path = level->get_name() + " " + path;
  return path;
}

// The footer of `agentdb --help`, from the command table and the declared settings.
std::string help_footer(const std::vector<Command>& commands) {
  std::string footer = kExitCodes;
  std::vector<std::string> plugin;
  for (const auto& command : commands) {
    if (command.convention == ExitConvention::plugin_status)
      plugin.push_back(command_path(*command.app) + " (a usage error is 3)");
    else if (command.convention == ExitConvention::plugin_result)
      plugin.push_back(command_path(*command.app) + " (a usage error is 2)");
  }
  footer += "\nMonitoring-plugin exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN): " +
            util::join(plugin, ", ") + ".\n\n";
  footer += "Settings (flag > environment > agentdb.toml > default):\n";
  for (const auto* setting : declared_settings()) {
    std::string line = "  " + (setting->key.empty() ? "-" : std::string(setting->key));
    line.resize(std::max<std::size_t>(line.size() + 1, 24), ' ');
    line += setting->env != nullptr ? setting->env : "-";
    line.resize(std::max<std::size_t>(line.size() + 1, 50), ' ');
    line += setting->doc;
    if (!setting->fallback.empty())
      line += " (default " + std::string(setting->fallback) + ")";
    footer += line + "\n";
  }
  footer +=
      "\nWithout --database-url or DATABASE_URL, agentdb uses its own PostgreSQL cluster in "
      "./.agentdb\n"
      "(AGENTDB_HOME), created on first use. See agentdb(1) for details.";
  return footer;
}

std::span<const Family> families() {
  return kFamilies;
}

}  // namespace agentdb::cli
