// One health run in progress: the report the thread that runs the checks fills in, and what the
// caller takes from it when the checks are done or the deadline has passed, whichever is first.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>

#include "health/health.hpp"

namespace agentdb::health {

class RunBoard {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RunBoard(HealthRequest request);

  [[nodiscard]] const HealthRequest& request() const { return request_; }
  // The time left until the deadline, at least 1 ms (a timeout of 0 would mean "none").
  [[nodiscard]] std::chrono::milliseconds remaining() const;
  // True once the caller has left at the deadline: what is measured from now on is dropped.
  [[nodiscard]] bool abandoned() const;

  // Replaces the result of the check with the same name.
  void publish(const CheckResult& result);
  // Edits the results under the lock, for changes that span several checks.
  void edit(const std::function<void(std::vector<CheckResult>&)>& change);
  void set_database(const std::string& display);
  void set_connected();
  // The session whose running query is cancelled at the deadline; nullptr once it is closed.
  void watch_session(db::Session* session);
  // Called once by the thread that ran the checks, with what it threw, if anything.
  void finish(std::exception_ptr error);

  // The caller's side: waits for finish() or the deadline. Rethrows what the checks threw.
  [[nodiscard]] HealthReport wait();

 private:
  [[nodiscard]] HealthReport at_deadline();
  [[nodiscard]] double elapsed_ms() const;

  const HealthRequest request_;
  const Clock::time_point started_;
  mutable std::mutex mutex_;
  std::condition_variable finished_signal_;
  HealthReport report_;
  bool finished_ = false;
  bool abandoned_ = false;
  bool connected_ = false;
  db::Session* session_ = nullptr;
  std::exception_ptr error_;
};

// The PostgreSQL checks of the request, over one session opened within the deadline
// (database_phase.cpp).
void run_database_phase(RunBoard& board);

}  // namespace agentdb::health
