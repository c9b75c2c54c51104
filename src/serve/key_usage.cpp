#include "serve/key_usage.hpp"

#include <map>
#include <vector>

#include "db/pool.hpp"
#include "db/session.hpp"
#include "db/transaction.hpp"

namespace agentdb::serve {

namespace {
// The schema's advice for this hot column: write it no more than once a minute per key.
constexpr auto kPerKey = std::chrono::minutes(1);
}  // namespace

KeyUsage::KeyUsage(db::ConnectionPool& pool, std::chrono::milliseconds interval)
    : pool_(pool), interval_(interval), thread_([this](std::stop_token stop) { run(stop); }) {}

KeyUsage::~KeyUsage() {
  thread_.request_stop();
  thread_.join();
  try {
    (void)flush();
  } catch (const std::exception&) {
    // Stopping with the database gone: the times of the last minute are not worth a hang.
  }
}

void KeyUsage::note(const std::string& key_id, const std::string& user_id) {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  auto [written, first] = written_.try_emplace(key_id, now);
  if (!first && now - written->second < kPerKey)
    return;
  written->second = now;
  pending_.insert_or_assign(key_id, user_id);
}

std::size_t KeyUsage::flush() {
  std::map<std::string, std::vector<std::string>> keys_of_user;
  std::unordered_map<std::string, std::string> taken;
  {
    std::lock_guard lock(mutex_);
    taken.swap(pending_);
    std::erase_if(written_, [now = Clock::now()](const auto& entry) {
      return now - entry.second >= kPerKey;
    });
  }
  if (taken.empty())
    return 0;
  for (const auto& [key_id, user_id] : taken)
    keys_of_user[user_id].push_back(key_id);
  try {
    auto lease = pool_.acquire();
    db::Transaction tx(*lease);
    (void)lease->exec("SET LOCAL ROLE agentdb_service");
    for (const auto& [user_id, key_ids] : keys_of_user) {
      (void)lease->exec_params("SELECT set_config('app.current_user_id', $1, true)", user_id);
      for (const auto& key_id : key_ids)
        (void)lease->exec_params("UPDATE api_keys SET last_used_at = now() WHERE id = $1", key_id);
    }
    tx.commit();
  } catch (...) {
    std::lock_guard lock(mutex_);
    pending_.merge(taken);  // uses noted meanwhile are newer: they are kept
    throw;
  }
  return taken.size();
}

void KeyUsage::run(const std::stop_token& stop) {
  std::mutex idle;
  std::unique_lock lock(idle);
  while (!stop.stop_requested()) {
    (void)wake_.wait_for(lock, stop, interval_, [] { return false; });
    if (stop.stop_requested())
      break;
    try {
      (void)flush();
    } catch (const std::exception&) {
      // The database is away: the uses stay pending for the next round.
    }
  }
}

}  // namespace agentdb::serve
