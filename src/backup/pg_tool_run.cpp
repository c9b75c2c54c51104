#include "backup/pg_tool_run.hpp"

#include <signal.h>

#include <atomic>
#include <future>

#include "core/error.hpp"
#include "db/pg_tools.hpp"
#include "util/strings.hpp"

namespace agentdb::backup {

std::optional<ToolVersion> parse_tool_version(std::string_view output) {
  const auto marker = output.find("(PostgreSQL) ");
  if (marker == std::string_view::npos)
    return std::nullopt;
  auto rest = output.substr(marker + 13);
  const auto end = rest.find_first_not_of("0123456789.");
  const auto text = std::string(rest.substr(0, end));
  const auto parts = util::split(text, '.');
  const auto major = parts.empty() ? std::nullopt : util::parse_int64(parts[0]);
  if (!major)
    return std::nullopt;
  const auto minor = parts.size() > 1 ? util::parse_int64(parts[1]) : std::optional<long long>(0);
  return ToolVersion{static_cast<int>(*major), static_cast<int>(minor.value_or(0)), text};
}

ToolVersion tool_version(const std::string& program) {
  const auto path = db::pg_program(program);
  util::ProcessResult result;
  try {
    result = util::run_process({path.string(), "--version"});
  } catch (const std::system_error& e) {
    throw Error(ExitCode::usage, "cannot run " + path.string() + ": " + e.code().message());
  }
  const auto version = parse_tool_version(result.out);
  if (!result.ok() || !version) {
    throw Error(ExitCode::usage, "cannot tell the version of " + path.string(),
                "check the PostgreSQL client installation (AGENTDB_PG_BINDIR)");
  }
  return *version;
}

void require_tool_for_server(const std::string& program, const ToolVersion& tool,
                             int server_version_num) {
  const int server_major = server_version_num / 10000;
  if (tool.major >= server_major)
    return;
  throw Error(ExitCode::usage,
              program + " " + tool.text + " is older than the server (PostgreSQL " +
                  std::to_string(server_major) + ") and cannot dump or restore it",
              "install postgresql-client-" + std::to_string(server_major) +
                  " or point AGENTDB_PG_BINDIR at its bin folder");
}

util::ProcessResult run_tool_with_progress(
    const std::string& program, std::vector<std::string> arguments,
    const db::ConnectionTarget& target, const util::InterruptFlag& interrupt,
    const std::function<void(std::chrono::milliseconds)>& tick) {
  std::atomic<pid_t> child{0};
  util::ProcessOptions options;
  options.on_started = [&child](pid_t pid) { child = pid; };
  auto running = std::async(std::launch::async, [&] {
    return db::run_pg_client(program, std::move(arguments), target, options);
  });
  const auto start = std::chrono::steady_clock::now();
  bool stopped = false;
  try {
    while (running.wait_for(std::chrono::milliseconds(250)) != std::future_status::ready) {
      if (interrupt.raised() && !stopped && child.load() != 0) {
        ::kill(child.load(), SIGTERM);
        stopped = true;
      }
      tick(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start));
    }
  } catch (...) {
    // The caller's work beside the tool failed: stop the tool too (the future's destructor then
    // waits for it to exit).
    if (child.load() != 0)
      ::kill(child.load(), SIGTERM);
    throw;
  }
  return running.get();
}

std::string tool_error(std::string_view stderr_text) {
  const auto lines = util::split_lines(stderr_text);
  std::string last;
  for (const auto& line : lines) {
    if (util::trim(line).empty())
      continue;
    // The tool's text carries the server's messages and names from the database.
    if (line.find("error:") != std::string::npos)
      return util::printable(util::trim(line));
    last = util::printable(util::trim(line));
  }
  return last.empty() ? "no error message" : last;
}

}  // namespace agentdb::backup
