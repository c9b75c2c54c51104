// The command table: the families in the order `agentdb --help` lists them, the settings they
// declare, and the --help footer made from them (exit codes, plugin conventions, settings).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/context.hpp"

namespace agentdb::cli {

[[nodiscard]] std::span<const Family> families();
// The global settings and every family's, in --help's order; what agentdb.toml may hold.
[[nodiscard]] std::vector<const Setting*> declared_settings();

// "migrate up": the words that name a command below the top level.
[[nodiscard]] std::string command_path(const CLI::App& app);
[[nodiscard]] std::string help_footer(const std::vector<Command>& commands);

// `agentdb version` (version_command.cpp), the one family of the command line itself.
void register_version_command(CLI::App& family, std::vector<Command>& commands);

}  // namespace agentdb::cli
