// What backup's long operations report while they run, as callbacks: the front end decides how,
// or whether, to show them (a terminal line on stderr, a server's log, nothing).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace agentdb::backup {

// A problem worth telling that does not stop the operation (a damaged catalogue entry skipped).
using WarningSink = std::function<void(const std::string&)>;

enum class ToolStage { running, finished };

// About every 250 ms while pg_dump or pg_restore runs, and once when it has exited.
struct ToolProgress {
  std::string_view tool;  // "pg_dump" or "pg_restore"
  ToolStage stage = ToolStage::running;
  std::uint64_t bytes = 0;           // pg_dump: the archive so far; pg_restore: the database's size
  std::uint64_t expected_bytes = 0;  // pg_restore: the size of the database backed up
  std::chrono::milliseconds elapsed{0};
};

// Empty: no progress wanted, and none of the work that only measures it is done.
using ToolProgressSink = std::function<void(const ToolProgress&)>;

}  // namespace agentdb::backup
