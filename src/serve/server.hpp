// The HTTP/1.1 server under `agentdb serve`: keep-alive connections on a few I/O threads, each
// complete request handed to a worker thread (the handler blocks on the database) and its response
// written back in order, so pipelined requests are answered in the order sent.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "serve/http.hpp"

namespace agentdb::serve {

struct ServerSettings {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see HttpServer::port)
  int io_threads = 2;
  int workers = 10;  // threads that run handlers; as many as the pool has connections
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  int max_connections = 1024;
  // A request must arrive whole within this, and an idle keep-alive connection is closed after it:
  // a client sending a byte every few seconds (slowloris) holds a connection no longer than this.
  std::chrono::milliseconds idle_timeout{30'000};
};

// Called on a worker thread for every request that parsed; never throws (errors are responses).
using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;
// Called for requests the server answers itself (malformed, too large, too many connections).
using RejectionObserver = std::function<void(int status)>;

class HttpServer {
 public:
  // Binds and listens at once; throws Error(usage) when the address cannot be bound.
  HttpServer(ServerSettings settings, RequestHandler handler, RejectionObserver rejected = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port it listens on (the one the kernel chose when settings.port was 0).
  [[nodiscard]] std::uint16_t port() const;

  // Serves until drain() has finished; blocks the calling thread.
  void run();
  // Stops accepting, lets the requests in flight finish for up to `timeout`, then closes every
  // connection and makes run() return. Safe to call from any thread, also more than once.
  void drain(std::chrono::milliseconds timeout);

  // Requests between their last byte read and their response written.
  [[nodiscard]] int in_flight() const;
  [[nodiscard]] int connections() const;

  struct Impl;  // server.cpp's, with its connections

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace agentdb::serve
