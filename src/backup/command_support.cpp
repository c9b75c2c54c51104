#include "backup/command_support.hpp"

#include <cstdio>

#include "backup/backup_render.hpp"

namespace agentdb::backup {

ToolProgressSink terminal_progress(const Context& ctx) {
  if (!ctx.out.show_progress())
    return {};
  return [](const ToolProgress& progress) { std::fputs(progress_line(progress).c_str(), stderr); };
}

WarningSink warnings_to(const Context& ctx) {
  return [out = ctx.out](const std::string& message) { out.warn(message); };
}

}  // namespace agentdb::backup
