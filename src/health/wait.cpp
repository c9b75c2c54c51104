// `agentdb wait`: attempts a connection until one succeeds (and, asked, the schema is current).
// Every failure to connect is a reason to try again, never an error: a server starting up refuses
// connections, then says "the database system is starting up", then accepts.
#include <algorithm>
#include <thread>

#include "core/error.hpp"
#include "db/session.hpp"
#include "health/health.hpp"
#include "migrate/migrate.hpp"

namespace agentdb::health {

namespace {

using Clock = std::chrono::steady_clock;

// What one attempt saw: empty when ready.
std::string attempt(const WaitRequest& request, std::chrono::milliseconds left,
                    WaitResult& result) {
  db::SessionOptions options;
  // libpq counts whole seconds, and treats 1 as 2: the attempt may run over by a second.
  options.connect_timeout =
      std::max(std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::seconds>(left));
  options.statement_timeout = std::max(left, std::chrono::milliseconds(100));
  try {
    const auto session = db::Session::open(request.database, options);
    result.server_version = session->server_version();
    if (!request.migrations)
      return {};
    const auto summary = migrate::summarize(*session, *request.migrations);
    result.schema_version = summary.current;
    if (summary.drift() > 0)
      return std::to_string(summary.drift()) + " revision(s) drifted (see agentdb migrate status)";
    if (const int pending = summary.count("pending"); pending > 0)
      return std::to_string(pending) + " migration(s) pending";
    return {};
  } catch (const db::QueryError& error) {
    return error.what();
  } catch (const Error& error) {
    if (error.code() == ExitCode::usage)
      throw;  // the request itself is wrong (a migrations folder that cannot be read)
    return error.what();
  }
}

}  // namespace

WaitResult wait_until_ready(const WaitRequest& request) {
  WaitResult result;
  const auto start = Clock::now();
  const auto deadline = start + request.timeout;
  auto pause = std::chrono::milliseconds(100);
  for (;;) {
    ++result.attempts;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const auto seen = attempt(request, left, result);
    result.ready = seen.empty();
    const auto shown = result.ready ? std::string("accepting connections") : seen;
    if (shown != result.last_seen && request.on_change)
      request.on_change(shown);
    result.last_seen = shown;
    if (result.ready || Clock::now() + pause >= deadline || (request.stop && request.stop()))
      break;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1'000));
  }
  result.waited_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

}  // namespace agentdb::health
