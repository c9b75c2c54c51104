// What the `backup` subcommands share: the group's --backup-dir, and how progress and warnings
// reach a terminal.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backup/events.hpp"
#include "core/context.hpp"

namespace agentdb::backup {

struct CatalogueOption {
  std::string backup_dir;  // --backup-dir, on `agentdb backup` itself
};

// A progress line rewritten on stderr when the output shows progress; otherwise none.
[[nodiscard]] ToolProgressSink terminal_progress(const Context& ctx);

// Warnings as "agentdb: warning: ..." on stderr.
[[nodiscard]] WarningSink warnings_to(const Context& ctx);

// The subcommands with files of their own, each adding itself and its row.
void add_verify(CLI::App& backup, const std::shared_ptr<CatalogueOption>& where,
                std::vector<Command>& commands);
void add_restore(CLI::App& backup, const std::shared_ptr<CatalogueOption>& where,
                 std::vector<Command>& commands);
void add_prune(CLI::App& backup, const std::shared_ptr<CatalogueOption>& where,
               std::vector<Command>& commands);

}  // namespace agentdb::backup
