// `agentdb serve` as a test's own child process on a free port, with an HTTP client on it. The
// port is read from the line serve prints when it listens; SIGTERM at the end, exit status kept.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <httplib.h>

#include <chrono>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"
#include "util/files.hpp"

extern char** environ;

namespace agentdb::testing {

class ServeProcess {
 public:
  explicit ServeProcess(const std::string& database_url, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{
        agentdb_binary(),   "--database-url",
        database_url,       "serve",
        "--listen",         "127.0.0.1:0",
        "--migrations-dir", std::string(AGENTDB_SOURCE_DIR) + "/migrations"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& arg : args)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, (dir_.path() / "out").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, (dir_.path() / "err").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int spawned = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
      throw std::runtime_error("cannot start agentdb serve");
    static const std::regex listening(R"(on http://127\.0\.0\.1:([0-9]+))");
    for (int i = 0; i < 400 && port_ == 0 && running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      std::smatch match;
      const auto err = stderr_text();
      if (std::regex_search(err, match, listening))
        port_ = std::stoi(match[1]);
    }
  }
  ~ServeProcess() { (void)stop(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] bool listening() const { return port_ != 0; }
  [[nodiscard]] std::unique_ptr<httplib::Client> client() const {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client->set_read_timeout(10, 0);
    return client;
  }
  [[nodiscard]] std::string stderr_text() const {
    return util::read_file(dir_.path() / "err").value_or("");
  }
  [[nodiscard]] std::string stdout_text() const {
    return util::read_file(dir_.path() / "out").value_or("");
  }

  // Whether the process still runs; once it ended, exit_status() says how.
  bool running() {
    if (pid_ == 0)
      return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return false;
    }
    return true;
  }
  // Sends `signal` and waits up to 30 s for the exit; returns the exit status (-1: still running).
  int stop(int signal = SIGTERM) {
    if (pid_ != 0)
      ::kill(pid_, signal);
    for (int i = 0; i < 1200 && running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (pid_ != 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = 0;
    }
    return status_;
  }
  [[nodiscard]] int exit_status() const { return status_; }
  void signal(int number) const {
    if (pid_ != 0)
      ::kill(pid_, number);
  }
  // Waits up to 10 s for `text` in what serve wrote to stderr.
  [[nodiscard]] bool wait_for_stderr(const std::string& text) const {
    for (int i = 0; i < 400; ++i) {
      if (stderr_text().find(text) != std::string::npos)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

 private:
  TempDir dir_;
  pid_t pid_ = 0;
  int port_ = 0;
  int status_ = -1;
};

}  // namespace agentdb::testing
