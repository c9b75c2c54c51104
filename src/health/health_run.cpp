// run_checks: the checks run on a thread of their own, so that the caller can leave at the
// deadline even while a network call hangs (a host that drops packets), the way monitoring
// plugins bound themselves with alarm(), but without ending the process.
#include <memory>
#include <thread>

#include "health/health.hpp"
#include "health/run_board.hpp"
#include "health/service_checks.hpp"

namespace agentdb::health {

namespace {

bool needs_database(const HealthRequest& request) {
  for (const auto& check : request.checks) {
    if (check.spec->needs_database)
      return true;
  }
  return false;
}

// The database checks first, on one session, then the other services in the order asked.
void run_all(RunBoard& board) {
  const auto& request = board.request();
  if (needs_database(request))
    run_database_phase(board);
  for (const auto& check : request.checks) {
    if (board.abandoned())
      return;
    const auto name = check.spec->name;
    if (name == "qdrant")
      board.publish(check_qdrant(check, request.qdrant, board.remaining()));
    else if (name == "redis" || name == "redis_memory")
      board.publish(check_redis(check, request.redis_url, board.remaining()));
  }
}

}  // namespace

HealthReport run_checks(const HealthRequest& request) {
  // Shared with the thread, which may outlive this call when the deadline passes first.
  auto board = std::make_shared<RunBoard>(request);
  std::thread worker([board] {
    std::exception_ptr error;
    try {
      run_all(*board);
    } catch (...) {
      error = std::current_exception();
    }
    board->finish(error);
  });
  HealthReport report;
  try {
    report = board->wait();
  } catch (...) {
    worker.join();
    throw;
  }
  if (report.left_running)
    worker.detach();
  else
    worker.join();
  return report;
}

Status overall(const HealthReport& report) {
  Status status = Status::ok;
  for (const auto& check : report.checks)
    status = worse(status, check.status);
  return status;
}

}  // namespace agentdb::health
