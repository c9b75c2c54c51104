// Running pg_dump and pg_restore the way a backup needs: their version checked against the
// server, in the background while the caller shows progress, and stopped cleanly on Ctrl-C.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/connection_target.hpp"
#include "util/interrupt.hpp"
#include "util/subprocess.hpp"

namespace agentdb::backup {

struct ToolVersion {
  int major = 0;
  int minor = 0;
  std::string text;  // "15.18"
};

// Parses `pg_dump --version` output: "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)".
[[nodiscard]] std::optional<ToolVersion> parse_tool_version(std::string_view output);

// Runs `<program> --version`. Throws Error(usage) when the program is missing or unreadable.
[[nodiscard]] ToolVersion tool_version(const std::string& program);

// A dump tool older than the server cannot read its catalogs: Error(usage) with what to install.
void require_tool_for_server(const std::string& program, const ToolVersion& tool,
                             int server_version_num);

// Runs the client tool against `target`, calling `tick` with the elapsed time about every 250 ms
// until it exits. When `interrupt` is raised the tool is sent SIGTERM and waited for.
[[nodiscard]] util::ProcessResult run_tool_with_progress(
    const std::string& program, std::vector<std::string> arguments,
    const db::ConnectionTarget& target, const util::InterruptFlag& interrupt,
    const std::function<void(std::chrono::milliseconds)>& tick);

// The most useful line of a tool's stderr: its first "error:" line (the cause; later
// ones follow from it), else its last line.
[[nodiscard]] std::string tool_error(std::string_view stderr_text);

}  // namespace agentdb::backup
