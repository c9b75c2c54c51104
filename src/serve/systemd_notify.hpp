// What serve tells systemd when it runs as a Type=notify unit: READY=1 once it listens,
// RELOADING=1/READY=1 around a SIGHUP, STOPPING=1 when it drains, and WATCHDOG=1 while its HTTP
// listener still answers. Without NOTIFY_SOCKET (not under systemd) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace agentdb::serve {

class SystemdNotifier {
 public:
  // `port`: serve's own listener on `address`, which the watchdog asks for GET /health.
  SystemdNotifier(std::string address, unsigned short port);

  void ready(const std::string& status) const;
  void reloading() const;
  void stopping() const;
  // Called often (every 200 ms); sends WATCHDOG=1 each half watchdog interval, when serve's own
  // GET /health has answered 200 within a second.
  void tick();

 private:
  std::string address_;
  unsigned short port_;
  std::optional<std::chrono::microseconds> watchdog_;  // WatchdogSec, when systemd set one
  std::chrono::steady_clock::time_point next_ping_{};
};

// GET /health on address:port over a fresh connection, bounded by `timeout`: whether it answered
// 200. For the watchdog: serve's I/O loop, not only its signal thread, is alive.
[[nodiscard]] bool answers_health(const std::string& address, unsigned short port,
                                  std::chrono::milliseconds timeout);

}  // namespace agentdb::serve
