#include "util/interrupt.hpp"

namespace agentdb::util {

namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
volatile std::sig_atomic_t received = 0;

extern "C" void remember_signal(int number) {
  received = number;
}

}  // namespace

InterruptFlag::InterruptFlag() {
  received = 0;
  struct sigaction action {};
  action.sa_handler = remember_signal;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < 3; ++i)
    ::sigaction(kSignals[i], &action, &previous_[i]);
}

InterruptFlag::~InterruptFlag() {
  for (int i = 0; i < 3; ++i)
    ::sigaction(kSignals[i], &previous_[i], nullptr);
}

bool InterruptFlag::raised() const {
  return received != 0;
}

int InterruptFlag::signal_number() const {
  return received;
}

}  // namespace agentdb::util
