#include "backup/command_support.hpp"

#include <memory>

#include "backup/backup_render.hpp"
#include "core/output.hpp"

namespace agentdb::backup {

ToolProgressSink progress_to(const Context& ctx) {
  if (ctx.out.progress_mode() == Output::ProgressMode::none)
    return {};
  // Shared: a sink is copied into requests; the line lives as long as any copy.
  auto line = std::make_shared<ProgressLine>(ctx.out);
  return [line](const ToolProgress& progress) {
    if (progress.stage == ToolStage::finished)
      line->finish();
    else
      line->update(progress_line(progress));
  };
}

WarningSink warnings_to(const Context& ctx) {
  return [out = ctx.out](const std::string& message) { out.warn(message); };
}

}  // namespace agentdb::backup
