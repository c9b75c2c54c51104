// Children started through run_process do not outlive agentdb.
#include "util/subprocess.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <thread>

namespace agentdb::util {

namespace {

// Waits up to `limit` for `pid` (a child of this process) to end; its wait status, or nullopt.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

}  // namespace

TEST(RunProcess, ReturnsTheChildsOutputAndExitStatus) {
  const auto result = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "err\n");
}

TEST(RunProcess, AChildDiesWhenAgentdbIsKilledWithSigkill) {
  // This process adopts the orphan, so it can tell when the child ends (and reap it).
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  const pid_t agentdb = ::fork();
  ASSERT_GE(agentdb, 0);
  if (agentdb == 0) {  // stands in for agentdb running pg_dump
    ProcessOptions options;
    options.stdout_handling = OutputHandling::discard;
    options.on_started = [&report](pid_t child) {
      [[maybe_unused]] auto n = ::write(report[1], &child, sizeof child);
    };
    (void)run_process({"sleep", "60"}, options);
    ::_exit(0);
  }
  pid_t child = 0;
  ASSERT_EQ(::read(report[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
  ::close(report[0]);
  ::close(report[1]);
  ASSERT_EQ(::kill(agentdb, SIGKILL), 0);
  ASSERT_EQ(::waitpid(agentdb, nullptr, 0), agentdb);

  const auto status = wait_for_exit(child, std::chrono::seconds(2));
  if (!status) {
    ::kill(child, SIGKILL);
    (void)wait_for_exit(child, std::chrono::seconds(1));
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  ASSERT_TRUE(status) << "the child outlived the killed parent by 2 s";
  EXPECT_TRUE(WIFSIGNALED(*status));
  EXPECT_EQ(WTERMSIG(*status), SIGTERM);
}

}  // namespace agentdb::util
