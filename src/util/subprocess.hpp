// Child processes: run a program with arguments (never through a shell), capture its output.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace agentdb::util {

struct ProcessUser {
  uid_t uid = 0;
  gid_t gid = 0;
};

enum class OutputHandling { capture, inherit, discard };

struct ProcessOptions {
  // Variables set (or overridden) in the child's environment.
  std::vector<std::pair<std::string, std::string>> environment;
  // Variables removed from the child's environment.
  std::vector<std::string> unset_environment;
  // Run the child as this user (requires root); its working directory becomes "/".
  std::optional<ProcessUser> run_as;
  std::optional<std::filesystem::path> working_directory;
  OutputHandling stdout_handling = OutputHandling::capture;
  OutputHandling stderr_handling = OutputHandling::capture;
  // Written to the child's stdin, which is then closed; stdin is /dev/null when empty.
  std::string stdin_data;
  // Called in the parent with the child's pid once it runs, so another thread can signal it.
  std::function<void(pid_t)> on_started;
};

struct ProcessResult {
  int exit_code = -1;  // the child's exit status, or 128 + signal when it was killed
  std::string out;     // captured stdout
  std::string err;     // captured stderr
  [[nodiscard]] bool ok() const { return exit_code == 0; }
};

// Runs argv[0] (looked up in PATH when it has no slash) and waits for it. The child gets SIGTERM
// when agentdb dies (PR_SET_PDEATHSIG), so a kill -9 of agentdb never leaves it running.
// Throws std::system_error when the program cannot be started at all.
[[nodiscard]] ProcessResult run_process(const std::vector<std::string>& argv,
                                        const ProcessOptions& options = {});

// Finds an executable by name in the given directories, then in PATH.
[[nodiscard]] std::optional<std::filesystem::path> find_program(
    const std::string& name, const std::vector<std::filesystem::path>& preferred_dirs = {});

}  // namespace agentdb::util
