#include "db/pool.hpp"

#include <utility>

#include "db/primary.hpp"

namespace agentdb::db {

ConnectionPool::ConnectionPool(ConnectionTarget target, PoolSettings settings)
    : target_(std::move(target)), settings_(std::move(settings)) {
  if (settings_.max_size < 1) {
    throw Error(ExitCode::usage, "a pool needs at least one connection",
                "give --connections 1 or more");
  }
  if (settings_.min_idle < 0 || settings_.min_idle > settings_.max_size) {
    throw Error(ExitCode::usage, "the minimum idle count must lie between 0 and the pool size",
                "lower --min-idle or raise --connections");
  }
}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease::Lease(ConnectionPool& pool, std::unique_ptr<Entry> entry)
    : pool_(&pool), entry_(std::move(entry)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), entry_(std::move(other.entry_)) {}

ConnectionPool::Lease::~Lease() {
  if (entry_)
    pool_->give_back(std::move(entry_));
}

std::unique_ptr<ConnectionPool::Lease::Entry> ConnectionPool::open_entry() {
  auto entry = std::make_unique<Lease::Entry>();
  entry->session = settings_.primary_only ? open_primary(target_, settings_.session)
                                          : Session::open(target_, settings_.session);
  entry->opened_at = entry->returned_at = Clock::now();
  return entry;
}

bool ConnectionPool::usable(Lease::Entry& entry, Clock::time_point now) {
  if (settings_.max_lifetime.count() > 0 && now - entry.opened_at >= settings_.max_lifetime) {
    ++counters_.recycled;
    return false;
  }
  if (!entry.session->is_open() || entry.discarded) {
    ++counters_.broken;
    return false;
  }
  return true;
}

ConnectionPool::Lease ConnectionPool::acquire() {
  const auto deadline = Clock::now() + settings_.acquire_timeout;
  std::unique_lock lock(mutex_);
  while (true) {
    if (!idle_.empty()) {
      auto entry = std::move(idle_.back());
      idle_.pop_back();
      if (!usable(*entry, Clock::now())) {
        --counters_.size;
        lock.unlock();
        entry.reset();  // closing may take a round trip; not under the lock
        lock.lock();
        continue;
      }
      const bool maybe_stale = Clock::now() - entry->returned_at >= settings_.stale_after;
      ++counters_.in_use;
      ++counters_.total_acquired;
      if (!maybe_stale)
        return Lease(*this, std::move(entry));
      // A connection idle this long may have been closed by the server, a proxy or a firewall
      // without our knowing; one round trip tells before the caller's query fails on it.
      lock.unlock();
      try {
        entry->session->exec("SELECT 1");
        return Lease(*this, std::move(entry));
      } catch (const Error&) {
        entry.reset();
        lock.lock();
        --counters_.in_use;
        --counters_.total_acquired;
        --counters_.size;
        ++counters_.broken;
        continue;
      }
    }
    if (counters_.size < settings_.max_size) {
      ++counters_.size;  // reserve the slot while connecting without the lock
      lock.unlock();
      try {
        auto entry = open_entry();
        lock.lock();
        ++counters_.opened;
        ++counters_.in_use;
        ++counters_.total_acquired;
        return Lease(*this, std::move(entry));
      } catch (...) {
        lock.lock();
        --counters_.size;
        ++counters_.connect_failures;
        available_.notify_one();  // the slot is free again for a waiter to try
        throw;
      }
    }
    ++counters_.waiting;
    const bool woke = available_.wait_until(
        lock, deadline, [&] { return !idle_.empty() || counters_.size < settings_.max_size; });
    --counters_.waiting;
    if (!woke) {
      ++counters_.timeouts;
      throw PoolTimeout(ExitCode::failure,
                        "no connection became free within " +
                            std::to_string(settings_.acquire_timeout.count()) + " ms (all " +
                            std::to_string(settings_.max_size) + " in use)",
                        "raise the pool size or the acquire timeout, or find what holds them");
    }
  }
}

void ConnectionPool::give_back(std::unique_ptr<Lease::Entry> entry) {
  const auto now = Clock::now();
  std::unique_lock lock(mutex_);
  --counters_.in_use;
  if (!usable(*entry, now)) {
    if (!entry->session->is_open()) {
      // Lost, and the idle ones likely went with it (their server died or was demoted): each is
      // pinged before it is handed out again, so a caller's retry meets a live server.
      for (auto& idle : idle_)
        idle->returned_at = Clock::time_point{};
    }
    --counters_.size;
    lock.unlock();
    available_.notify_one();
    entry.reset();
    return;
  }
  entry->returned_at = now;
  idle_.push_back(std::move(entry));
  lock.unlock();
  available_.notify_one();
}

void ConnectionPool::warm_up() {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (static_cast<int>(idle_.size()) >= settings_.min_idle ||
          counters_.size >= settings_.max_size)
        return;
      ++counters_.size;
    }
    std::unique_ptr<Lease::Entry> entry;
    try {
      entry = open_entry();
    } catch (...) {
      std::lock_guard lock(mutex_);
      --counters_.size;
      ++counters_.connect_failures;
      throw;
    }
    {
      std::lock_guard lock(mutex_);
      ++counters_.opened;
      idle_.push_back(std::move(entry));
    }
    available_.notify_one();
  }
}

PoolCounters ConnectionPool::counters() const {
  std::lock_guard lock(mutex_);
  auto copy = counters_;
  copy.idle = static_cast<int>(idle_.size());
  return copy;
}

}  // namespace agentdb::db
