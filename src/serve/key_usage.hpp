// When each API key was last used (api_keys.last_used_at), without a write in every request:
// most requests run in READ ONLY transactions, and the column is a hot row. Uses are noted in
// memory and written by a background thread every interval (at most once a minute per key), and
// once more when the service stops. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>

namespace agentdb::db {
class ConnectionPool;
}

namespace agentdb::serve {

class KeyUsage {
 public:
  using Clock = std::chrono::steady_clock;

  KeyUsage(db::ConnectionPool& pool, std::chrono::milliseconds interval);
  ~KeyUsage();  // stops the thread, then writes what is pending (a database that is gone: lost)
  KeyUsage(const KeyUsage&) = delete;
  KeyUsage& operator=(const KeyUsage&) = delete;

  void note(const std::string& key_id, const std::string& user_id);
  // Writes the pending uses in one transaction, as agentdb_service for each key's user (RLS
  // applies); returns how many keys it wrote. On failure they stay pending and it throws.
  std::size_t flush();

 private:
  void run(const std::stop_token& stop);

  db::ConnectionPool& pool_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> pending_;        // key id -> user id
  std::unordered_map<std::string, Clock::time_point> written_;  // key id -> when noted for writing
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: started once the rest exists
};

}  // namespace agentdb::serve
