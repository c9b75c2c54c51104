// Ctrl-C and SIGTERM as a flag to poll, so long work can stop its child processes and clean up
// before exiting instead of dying half-way.
#pragma once

#include <csignal>

namespace agentdb::util {

// Installs SIGINT, SIGTERM and SIGHUP handlers for its lifetime and restores the previous ones.
class InterruptFlag {
 public:
  InterruptFlag();
  ~InterruptFlag();
  InterruptFlag(const InterruptFlag&) = delete;
  InterruptFlag& operator=(const InterruptFlag&) = delete;

  [[nodiscard]] bool raised() const;
  // The signal that arrived, or 0.
  [[nodiscard]] int signal_number() const;

 private:
  struct sigaction previous_[3];
};

}  // namespace agentdb::util
