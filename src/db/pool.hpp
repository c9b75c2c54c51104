// A fixed-size pool of database sessions shared by threads: what `agentdb serve` uses and what
// `agentdb pool probe` measures. Connections are opened on demand up to max_size, checked before
// reuse when they sat idle long enough to have gone stale, and recycled after max_lifetime.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "core/error.hpp"
#include "db/connection_target.hpp"
#include "db/session.hpp"

namespace agentdb::db {

struct PoolSettings {
  int max_size = 10;
  int min_idle = 0;  // opened by warm_up(); call it again to refill after connections broke
  std::chrono::milliseconds acquire_timeout{5'000};
  // An idle connection older than this is pinged before it is handed out (0: always).
  std::chrono::milliseconds stale_after{10'000};
  std::chrono::milliseconds max_lifetime{30 * 60'000};  // 0: never recycled
  SessionOptions session;
  // Each connection opened with open_primary (db/primary.hpp): the primary among several hosts,
  // found by asking each one.
  bool primary_only = false;
};

struct PoolCounters {
  int size = 0;  // open connections, idle + in use (+ being opened)
  int idle = 0;
  int in_use = 0;
  int waiting = 0;  // threads blocked in acquire()
  std::uint64_t total_acquired = 0;
  std::uint64_t timeouts = 0;          // acquire() gave up after acquire_timeout
  std::uint64_t opened = 0;            // connections opened successfully
  std::uint64_t connect_failures = 0;  // attempts to open one that failed
  std::uint64_t broken = 0;            // found dead on return or by the stale check
  std::uint64_t recycled = 0;          // closed for reaching max_lifetime
};

// No connection became free within acquire_timeout: the pool is exhausted.
class PoolTimeout : public Error {
 public:
  using Error::Error;
};

class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  // Settings are checked (max_size >= 1, 0 <= min_idle <= max_size); Error(usage) otherwise.
  ConnectionPool(ConnectionTarget target, PoolSettings settings);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();  // returns the connection; a dead one is closed instead

    Session& operator*() const;
    Session* operator->() const;
    // Closes the connection when it comes back instead of keeping it: it answers, but from the
    // wrong server (a primary demoted by a switchover, reached through a proxy that outlived it).
    void discard();

   private:
    friend class ConnectionPool;
    struct Entry;
    Lease(ConnectionPool& pool, std::unique_ptr<Entry> entry);
    ConnectionPool* pool_;
    std::unique_ptr<Entry> entry_;
  };

  // A connection for the caller's exclusive use. Throws PoolTimeout when none is free within
  // acquire_timeout, or Error(cannot_connect) when a new connection cannot be opened. Once a
  // connection has come back lost, every idle one is pinged before it is handed out.
  [[nodiscard]] Lease acquire();

  // Opens connections until min_idle are idle; throws Error(cannot_connect) on failure.
  void warm_up();

  [[nodiscard]] PoolCounters counters() const;
  [[nodiscard]] const PoolSettings& settings() const { return settings_; }

 private:
  void give_back(std::unique_ptr<Lease::Entry> entry);
  [[nodiscard]] std::unique_ptr<Lease::Entry> open_entry();
  // Whether an idle entry may be handed out: young enough, and answering if it might be stale.
  [[nodiscard]] bool usable(Lease::Entry& entry, Clock::time_point now);

  const ConnectionTarget target_;
  const PoolSettings settings_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::deque<std::unique_ptr<Lease::Entry>> idle_;  // most recently returned at the back
  PoolCounters counters_;
};

struct ConnectionPool::Lease::Entry {
  std::unique_ptr<Session> session;
  Clock::time_point opened_at;
  Clock::time_point returned_at;
  bool discarded = false;
};

inline void ConnectionPool::Lease::discard() {
  entry_->discarded = true;
}

inline Session& ConnectionPool::Lease::operator*() const {
  return *entry_->session;
}
inline Session* ConnectionPool::Lease::operator->() const {
  return entry_->session.get();
}

}  // namespace agentdb::db
