// Session-level advisory locks: held until released or until the connection ends, so a runner that
// dies never leaves the lock behind.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "db/session.hpp"

namespace agentdb::db {

class AdvisoryLock {
 public:
  // Waits up to `timeout` for the lock. Throws Error(conflict) naming the holder when it times out.
  AdvisoryLock(Session& session, std::int64_t key, std::chrono::milliseconds timeout,
               const std::string& purpose);
  ~AdvisoryLock();
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;

 private:
  Session& session_;
  std::int64_t key_;
};

// Who holds the advisory lock `key` in the current database, for messages; empty when nobody.
[[nodiscard]] std::string describe_lock_holder(Session& session, std::int64_t key);

}  // namespace agentdb::db
