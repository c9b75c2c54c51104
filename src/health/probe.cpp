#include "health/probe.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace agentdb::health {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// What all threads share: counters, the outage timeline and the first error texts.
class Ledger {
 public:
  explicit Ledger(Clock::time_point start) : start_(start) {}

  void failure(std::uint64_t ProbeResult::*counter, const std::string& message) {
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    ++(result_.*counter);
    last_error_ = now;
    if (result_.outages.empty() || result_.outages.back().recovered) {
      result_.outages.push_back(Outage{seconds_between(start_, now), 0, false, 0});
    }
    ++result_.outages.back().errors;
    if (result_.error_messages.size() < 5 &&
        std::find(result_.error_messages.begin(), result_.error_messages.end(), message) ==
            result_.error_messages.end())
      result_.error_messages.push_back(message);
  }

  // A query that started at `started` succeeded now.
  void success(Clock::time_point started) {
    ++queries_;
    if (!in_outage_.load(std::memory_order_relaxed))
      return;
    std::lock_guard lock(mutex_);
    auto& outage = result_.outages.back();
    if (!outage.recovered && started > last_error_) {
      outage.recovered = true;
      outage.end_s = seconds_between(start_, Clock::now());
      in_outage_ = false;
    }
  }

  void mark_outage() { in_outage_ = true; }
  [[nodiscard]] std::uint64_t queries() const { return queries_.load(); }
  [[nodiscard]] std::uint64_t errors() {
    std::lock_guard lock(mutex_);
    return result_.errors();
  }
  ProbeResult take() {
    std::lock_guard lock(mutex_);
    result_.queries = queries_.load();
    return result_;
  }

 private:
  Clock::time_point start_;
  std::mutex mutex_;
  ProbeResult result_;
  Clock::time_point last_error_{};
  std::atomic<std::uint64_t> queries_{0};
  std::atomic<bool> in_outage_{false};
};

// One thread's loop: acquire, run the query, record; back off after a failure.
void drive(db::ConnectionPool& pool, const std::string& query, Ledger& ledger,
           const std::atomic<bool>& done, std::vector<float>& wait_samples,
           std::vector<float>& latency_samples) {
  auto backoff = std::chrono::milliseconds(10);
  while (!done.load(std::memory_order_relaxed)) {
    const auto asked = Clock::now();
    bool failed = false;
    try {
      auto lease = pool.acquire();
      const auto got = Clock::now();
      wait_samples.push_back(std::chrono::duration<float, std::micro>(got - asked).count());
      try {
        (void)lease->exec(query);
        const auto finished = Clock::now();
        latency_samples.push_back(std::chrono::duration<float, std::micro>(finished - got).count());
        ledger.success(asked);
        backoff = std::chrono::milliseconds(10);
      } catch (const Error& e) {
        failed = true;
        ledger.mark_outage();
        ledger.failure(
            lease->is_open() ? &ProbeResult::query_errors : &ProbeResult::broken_connections,
            e.what());
      }
    } catch (const db::PoolTimeout& e) {
      failed = true;
      ledger.mark_outage();
      ledger.failure(&ProbeResult::acquire_timeouts, e.what());
    } catch (const Error& e) {
      failed = true;
      ledger.mark_outage();
      ledger.failure(&ProbeResult::connect_failures, e.what());
    }
    if (failed) {
      // Do not hammer a server that is down; retry soon, then less often.
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(200));
    }
  }
}

}  // namespace

LatencySummary summarise(std::vector<float>& micros) {
  LatencySummary summary;
  summary.count = micros.size();
  if (micros.empty())
    return summary;
  const auto at = [&](double quantile) {
    const auto index = static_cast<std::size_t>(quantile * static_cast<double>(micros.size() - 1));
    std::nth_element(micros.begin(), micros.begin() + static_cast<std::ptrdiff_t>(index),
                     micros.end());
    return micros[index] / 1000.0;
  };
  summary.p50_ms = at(0.50);
  summary.p95_ms = at(0.95);
  summary.p99_ms = at(0.99);
  summary.max_ms = *std::max_element(micros.begin(), micros.end()) / 1000.0;
  return summary;
}

ProbeResult run_probe(db::ConnectionPool& pool, const ProbeSettings& settings,
                      const ProbeTick& tick, const std::function<bool()>& stop) {
  const auto start = Clock::now();
  const auto end = start + settings.duration;
  Ledger ledger(start);
  std::atomic<bool> done{false};
  std::vector<std::vector<float>> waits(static_cast<std::size_t>(settings.threads));
  std::vector<std::vector<float>> latencies(static_cast<std::size_t>(settings.threads));

  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(settings.threads));
  for (std::size_t i = 0; i < static_cast<std::size_t>(settings.threads); ++i)
    threads.emplace_back(
        [&, i] { drive(pool, settings.query, ledger, done, waits[i], latencies[i]); });

  auto next_tick = start + std::chrono::seconds(1);
  while (Clock::now() < end && !(stop && stop())) {
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(100), end - Clock::now()));
    if (tick && Clock::now() >= next_tick) {
      tick(seconds_between(start, Clock::now()), ledger.queries(), ledger.errors(),
           pool.counters());
      next_tick += std::chrono::seconds(1);
    }
  }
  done = true;
  for (auto& thread : threads)
    thread.join();

  auto result = ledger.take();
  result.elapsed_s = seconds_between(start, Clock::now());
  std::vector<float> all_waits;
  std::vector<float> all_latencies;
  for (auto& samples : waits)
    all_waits.insert(all_waits.end(), samples.begin(), samples.end());
  for (auto& samples : latencies)
    all_latencies.insert(all_latencies.end(), samples.begin(), samples.end());
  result.acquire_wait = summarise(all_waits);
  result.query_latency = summarise(all_latencies);
  result.pool = pool.counters();
  return result;
}

}  // namespace agentdb::health
