#include "util/subprocess.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace agentdb::util {

namespace {

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  void open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe");
    read_end = fds[0];
    write_end = fds[1];
  }
  void close_read() { close_fd(read_end); }
  void close_write() { close_fd(write_end); }
  static void close_fd(int& fd) {
    if (fd >= 0)
      ::close(fd);
    fd = -1;
  }
};

std::vector<std::string> child_environment(const ProcessOptions& options) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    const auto name = variable.substr(0, variable.find('='));
    bool replaced = false;
    for (const auto& [key, value] : options.environment)
      replaced |= (key == name);
    for (const auto& key : options.unset_environment)
      replaced |= (key == name);
    if (!replaced)
      env.emplace_back(variable);
  }
  for (const auto& [key, value] : options.environment)
    env.push_back(key + "=" + value);
  return env;
}

// Runs in the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const std::vector<char*>& argv, const std::vector<char*>& envp,
                             const ProcessOptions& options, Pipe& in, Pipe& out, Pipe& err,
                             int error_pipe, pid_t parent) {
  const auto fail = [error_pipe]() {
    const int code = errno;
    [[maybe_unused]] auto n = ::write(error_pipe, &code, sizeof code);
    ::_exit(127);
  };
  const int null_fd = ::open("/dev/null", O_RDWR);
  ::dup2(in.read_end >= 0 ? in.read_end : null_fd, STDIN_FILENO);
  if (options.stdout_handling == OutputHandling::capture)
    ::dup2(out.write_end, STDOUT_FILENO);
  if (options.stdout_handling == OutputHandling::discard)
    ::dup2(null_fd, STDOUT_FILENO);
  if (options.stderr_handling == OutputHandling::capture)
    ::dup2(err.write_end, STDERR_FILENO);
  if (options.stderr_handling == OutputHandling::discard)
    ::dup2(null_fd, STDERR_FILENO);
  ::signal(SIGPIPE, SIG_DFL);
  if (options.run_as) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(options.run_as->gid) != 0 ||
        ::setuid(options.run_as->uid) != 0 || ::chdir("/") != 0) {
      fail();
    }
  }
  // Dies with agentdb: a kill -9 of agentdb must not leave pg_dump running. Set after the user
  // switch, which clears it; SIGTERM lets the child clean up (initdb removes a half-made cluster).
  // If agentdb died before this line, the parent is no longer the one that forked.
  if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
    fail();
  if (::getppid() != parent)
    ::_exit(127);
  if (options.working_directory && ::chdir(options.working_directory->c_str()) != 0)
    fail();
  ::execvpe(argv[0], argv.data(), envp.data());
  fail();
  ::_exit(127);
}

void pump_output(Pipe& in, const std::string& input, Pipe& out, Pipe& err, ProcessResult& result) {
  std::size_t input_written = 0;
  if (in.write_end >= 0 && input.empty())
    in.close_write();
  std::array<char, 65536> buffer{};
  while (in.write_end >= 0 || out.read_end >= 0 || err.read_end >= 0) {
    std::array<pollfd, 3> fds{};
    nfds_t count = 0;
    if (in.write_end >= 0)
      fds[count++] = {in.write_end, POLLOUT, 0};
    if (out.read_end >= 0)
      fds[count++] = {out.read_end, POLLIN, 0};
    if (err.read_end >= 0)
      fds[count++] = {err.read_end, POLLIN, 0};
    if (::poll(fds.data(), count, -1) < 0) {
      if (errno == EINTR)
        continue;
      throw std::system_error(errno, std::generic_category(), "poll");
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0)
        continue;
      if (fds[i].fd == in.write_end) {
        const auto n =
            ::write(in.write_end, input.data() + input_written, input.size() - input_written);
        if (n > 0)
          input_written += static_cast<std::size_t>(n);
        if (n < 0 || input_written == input.size())
          in.close_write();
        continue;
      }
      auto& pipe = fds[i].fd == out.read_end ? out : err;
      auto& sink = fds[i].fd == out.read_end ? result.out : result.err;
      const auto n = ::read(pipe.read_end, buffer.data(), buffer.size());
      if (n > 0) {
        sink.append(buffer.data(), static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        pipe.close_read();
      }
    }
  }
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& args, const ProcessOptions& options) {
  if (args.empty())
    throw std::invalid_argument("run_process: empty argv");
  std::vector<char*> argv;
  for (const auto& arg : args)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const auto env_strings = child_environment(options);
  std::vector<char*> envp;
  for (const auto& entry : env_strings)
    envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  Pipe in, out, err, error_report;
  if (!options.stdin_data.empty())
    in.open();
  if (options.stdout_handling == OutputHandling::capture)
    out.open();
  if (options.stderr_handling == OutputHandling::capture)
    err.open();
  error_report.open();

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0)
    exec_child(argv, envp, options, in, out, err, error_report.write_end, parent);

  in.close_read();
  out.close_write();
  err.close_write();
  error_report.close_write();
  int exec_errno = 0;
  const bool exec_failed = ::read(error_report.read_end, &exec_errno, sizeof exec_errno) > 0;
  error_report.close_read();

  ProcessResult result;
  if (!exec_failed && options.on_started)
    options.on_started(pid);
  if (!exec_failed)
    pump_output(in, options.stdin_data, out, err, result);
  in.close_write();
  out.close_read();
  err.close_read();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (exec_failed)
    throw std::system_error(exec_errno, std::generic_category(), args[0]);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::optional<std::filesystem::path> find_program(
    const std::string& name, const std::vector<std::filesystem::path>& preferred_dirs) {
  std::vector<std::filesystem::path> dirs = preferred_dirs;
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest(path);
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      dirs.emplace_back(rest.substr(0, colon));
      if (colon == std::string_view::npos)
        break;
      rest.remove_prefix(colon + 1);
    }
  }
  for (const auto& dir : dirs) {
    auto candidate = dir / name;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return std::nullopt;
}

}  // namespace agentdb::util
