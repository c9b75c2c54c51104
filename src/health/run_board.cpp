#include "health/run_board.hpp"

#include "db/session.hpp"
#include "util/time.hpp"

namespace agentdb::health {

namespace {

// At the deadline, asks the server to stop the statement `session` is running, from the caller's
// thread, so that the thread running the checks gets its answer (an error) and ends.
void cancel_running_query(db::Session& session) {
  session.cancel_running_query();
}

}  // namespace

RunBoard::RunBoard(HealthRequest request) : request_(std::move(request)), started_(Clock::now()) {
  for (const auto& check : request_.checks) {
    report_.checks.push_back(
        result_of(check, Status::unknown, "not run: the --timeout was reached first"));
  }
}

std::chrono::milliseconds RunBoard::remaining() const {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(request_.deadline - Clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

bool RunBoard::abandoned() const {
  std::lock_guard lock(mutex_);
  return abandoned_;
}

void RunBoard::publish(const CheckResult& result) {
  std::lock_guard lock(mutex_);
  for (auto& check : report_.checks) {
    if (check.name == result.name)
      check = result;
  }
}

void RunBoard::edit(const std::function<void(std::vector<CheckResult>&)>& change) {
  std::lock_guard lock(mutex_);
  change(report_.checks);
}

void RunBoard::set_database(const std::string& display) {
  std::lock_guard lock(mutex_);
  report_.database = display;
}

void RunBoard::set_connected() {
  std::lock_guard lock(mutex_);
  connected_ = true;
}

void RunBoard::watch_session(db::Session* session) {
  std::lock_guard lock(mutex_);
  session_ = session;
}

void RunBoard::finish(std::exception_ptr error) {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
    error_ = std::move(error);
    report_.elapsed_ms = elapsed_ms();
  }
  finished_signal_.notify_all();
}

HealthReport RunBoard::wait() {
  std::unique_lock lock(mutex_);
  if (!finished_signal_.wait_until(lock, request_.deadline, [this] { return finished_; }))
    return at_deadline();
  if (error_)
    std::rethrow_exception(error_);
  return report_;
}

// What has been measured so far; the rest stays UNKNOWN, and a connection that never answered
// is CRITICAL (a host that drops packets). Called with the lock held.
HealthReport RunBoard::at_deadline() {
  abandoned_ = true;
  if (session_ != nullptr)
    cancel_running_query(*session_);
  auto report = report_;
  for (auto& check : report.checks) {
    if (check.name == "connection" && !connected_) {
      check.status = Status::critical;
      check.summary = "no answer from " +
                      (report.database.empty() ? std::string("the database") : report.database) +
                      " within " + util::human_duration(request_.timeout) + " (timed out)";
      check.detail = {{"reason", "timed out"}};
    }
  }
  report.elapsed_ms = elapsed_ms();
  report.left_running = true;
  return report;
}

double RunBoard::elapsed_ms() const {
  return std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
}

}  // namespace agentdb::health
