#include "serve/systemd_notify.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace agentdb::serve {

namespace {

// A file descriptor closed on every path.
struct Socket {
  int fd;
  ~Socket() {
    if (fd >= 0)
      ::close(fd);
  }
};

bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0)
    return false;
  pollfd entry{fd, events, 0};
  return ::poll(&entry, 1, static_cast<int>(left.count())) == 1 && (entry.revents & events) != 0;
}

}  // namespace

bool answers_health(const std::string& address, unsigned short port,
                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Listening on every address: ask on loopback.
  sockaddr_storage to{};
  socklen_t size = 0;
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&to);
      ::inet_pton(AF_INET, address == "0.0.0.0" ? "127.0.0.1" : address.c_str(), &v4->sin_addr) ==
      1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    size = sizeof *v4;
  } else if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&to);
             ::inet_pton(AF_INET6, address == "::" ? "::1" : address.c_str(), &v6->sin6_addr) ==
             1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    size = sizeof *v6;
  } else {
    return false;
  }
  const Socket socket{::socket(to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (socket.fd < 0)
    return false;
  if (::connect(socket.fd, reinterpret_cast<const sockaddr*>(&to), size) != 0 &&
      (errno != EINPROGRESS || !wait_for(socket.fd, POLLOUT, deadline)))
    return false;
  constexpr char request[] = "GET /health HTTP/1.1\r\nHost: watchdog\r\nConnection: close\r\n\r\n";
  if (::send(socket.fd, request, sizeof request - 1, MSG_NOSIGNAL) !=
      static_cast<ssize_t>(sizeof request - 1))
    return false;
  char answer[16] = {};
  std::size_t got = 0;
  while (got < 12 && wait_for(socket.fd, POLLIN, deadline)) {
    const auto n = ::recv(socket.fd, answer + got, 12 - got, 0);
    if (n <= 0)
      return false;
    got += static_cast<std::size_t>(n);
  }
  return got == 12 && std::strncmp(answer, "HTTP/1.1 200", 12) == 0;
}

SystemdNotifier::SystemdNotifier(std::string address, unsigned short port)
    : address_(std::move(address)), port_(port) {
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
    watchdog_ = std::chrono::microseconds(usec);
}

void SystemdNotifier::ready(const std::string& status) const {
  (void)::sd_notify(0, ("READY=1\nSTATUS=" + status).c_str());
}

void SystemdNotifier::reloading() const {
  (void)::sd_notify(0, "RELOADING=1");
}

void SystemdNotifier::stopping() const {
  (void)::sd_notify(0, "STOPPING=1\nSTATUS=finishing the requests in flight");
}

void SystemdNotifier::tick() {
  if (!watchdog_)
    return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_ping_)
    return;
  if (answers_health(address_, port_, std::chrono::milliseconds(1'000))) {
    (void)::sd_notify(0, "WATCHDOG=1");
    next_ping_ = now + *watchdog_ / 2;
  } else {
    next_ping_ = now + std::chrono::seconds(1);  // asked again soon; systemd acts at the interval
  }
}

}  // namespace agentdb::serve
