// What the `backup` subcommands share: the group's --backup-dir, and how progress and warnings
// reach stderr.
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

// pg_dump's or pg_restore's progress on stderr as Output::progress_mode() says: rewritten in place
// on a terminal, a line every few seconds otherwise, none under --json or --quiet.
[[nodiscard]] ToolProgressSink progress_to(const Context& ctx);

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
