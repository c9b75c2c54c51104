// The only translation unit with Boost.Beast. g++ 12 with -std=c++20 needs <utility> before Asio.
#include <utility>

#include "serve/server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "core/error.hpp"

namespace agentdb::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

const std::string& HttpRequest::header(std::string_view name) const {
  static const std::string none;
  for (const auto& [key, value] : headers)
    if (key == name)
      return value;
  return none;
}

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A response the server writes itself, before any handler ran.
HttpResponse rejection(int status, std::string_view code, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.body = R"({"error":{"code":")" + std::string(code) + R"(","message":")" +
                  std::string(message) + R"(","details":{}}})";
  return response;
}

}  // namespace

struct HttpServer::Impl {
  ServerSettings settings;
  RequestHandler handler;
  RejectionObserver rejected;
  // Declared before io: connections still queued in io when it is destroyed count themselves out.
  std::atomic<int> in_flight{0};
  std::atomic<int> connections{0};
  std::atomic<bool> draining{false};
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer drain_timer{io};
  asio::thread_pool workers;  // destroyed first: joins the handlers still running

  Impl(ServerSettings s, RequestHandler h, RejectionObserver r)
      : settings(std::move(s)),
        handler(std::move(h)),
        rejected(std::move(r)),
        workers(static_cast<std::size_t>(std::max(1, settings.workers))) {}

  void accept();
  void wait_for_drain(std::chrono::steady_clock::time_point deadline);
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server) {
    ++server_.connections;
  }
  ~Connection() { --server_.connections; }

  void start() { read(); }
  // Over max_connections: one 503 and close.
  void refuse() {
    keep_alive_ = false;
    ++server_.in_flight;
    write(rejection(503, "too_many_connections", "the server has too many connections; retry"));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(server_.settings.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_.settings.max_header_bytes));
    stream_.expires_after(server_.settings.idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof)
      return close();
    if (ec) {
      // Nothing more can be read reliably after a malformed request: answer and close.
      keep_alive_ = false;
      if (ec == http::error::body_limit)
        return reject(413, "body_too_large",
                      "the request body exceeds " +
                          std::to_string(server_.settings.max_body_bytes) + " bytes");
      if (ec == http::error::header_limit)
        return reject(431, "headers_too_large", "the request headers are too large");
      return reject(400, "malformed_request", "the request is not valid HTTP/1.1");
    }
    stream_.expires_never();
    auto request = to_request(parser_->release());
    keep_alive_ = keep_alive_request_ && !server_.draining;
    ++server_.in_flight;
    asio::post(server_.workers, [self = shared_from_this(), request = std::move(request)] {
      auto response = self->server_.handler(request);
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->write(response); });
    });
  }

  void reject(int status, std::string_view code, const std::string& message) {
    linger_ = true;
    if (server_.rejected)
      server_.rejected(status);
    ++server_.in_flight;
    write(rejection(status, code, message));
  }

  HttpRequest to_request(http::request<http::string_body>&& message) {
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message)
      request.headers.emplace_back(
          lower(std::string_view(field.name_string().data(), field.name_string().size())),
          std::string(field.value()));
    request.body = std::move(message.body());
    beast::error_code ec;
    const auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec)
      request.peer = remote.address().to_string();
    keep_alive_request_ = message.keep_alive();
    return request;
  }

  void write(const HttpResponse& response) {
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::server, "agentdb");
    response_.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers)
      response_.set(name, value);
    response_.keep_alive(keep_alive_ && !server_.draining);
    response_.body() = response.body;
    response_.prepare_payload();
    stream_.expires_after(server_.settings.idle_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        --self->server_.in_flight;
                        if (!ec && self->linger_)
                          return self->linger_close();
                        if (ec || !self->response_.keep_alive())
                          return self->close();
                        self->read();
                      });
  }

  // After answering a request whose rest is not read (a body too large), read and drop what the
  // client still sends for a while: closing at once would reset the connection and the client
  // would never see the answer.
  void linger_close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    discard();
  }

  void discard() {
    stream_.async_read_some(asio::buffer(discarded_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->discarded_bytes_ += n;
                              if (ec || self->discarded_bytes_ > kMostDiscarded)
                                return self->stream_.close();
                              self->discard();
                            });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool keep_alive_request_ = true;
  bool keep_alive_ = true;
  bool linger_ = false;
  static constexpr std::size_t kMostDiscarded = 16 << 20;
  std::array<char, 16384> discarded_{};
  std::size_t discarded_bytes_ = 0;
};

}  // namespace

void HttpServer::Impl::accept() {
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec)
      return;  // the acceptor was closed by drain()
    auto connection = std::make_shared<Connection>(std::move(socket), *this);
    if (connections > settings.max_connections)
      connection->refuse();
    else
      connection->start();
    accept();
  });
}

void HttpServer::Impl::wait_for_drain(std::chrono::steady_clock::time_point deadline) {
  if (in_flight == 0 || std::chrono::steady_clock::now() >= deadline) {
    io.stop();
    return;
  }
  drain_timer.expires_after(std::chrono::milliseconds(20));
  drain_timer.async_wait([this, deadline](beast::error_code) { wait_for_drain(deadline); });
}

HttpServer::HttpServer(ServerSettings settings, RequestHandler handler, RejectionObserver rejected)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(handler), std::move(rejected))) {
  const auto& s = impl_->settings;
  beast::error_code ec;
  const auto address = asio::ip::make_address(s.address, ec);
  if (ec)
    throw Error(ExitCode::usage, "invalid --listen address '" + s.address + "'",
                "give an IP address and port, such as 127.0.0.1:8080 or 0.0.0.0:8080");
  const tcp::endpoint endpoint(address, s.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw Error(
        ExitCode::usage,
        "cannot listen on " + s.address + ":" + std::to_string(s.port) + ": " + ec.message(),
        "choose another --listen address or stop what uses it");
  impl_->accept();
}

HttpServer::~HttpServer() {
  impl_->io.stop();
  impl_->workers.join();
}

std::uint16_t HttpServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void HttpServer::run() {
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, impl_->settings.io_threads); ++i)
    threads.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& thread : threads)
    thread.join();
}

void HttpServer::drain(std::chrono::milliseconds timeout) {
  asio::post(impl_->io, [this, timeout] {
    if (impl_->draining.exchange(true))
      return;
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->wait_for_drain(std::chrono::steady_clock::now() + timeout);
  });
}

int HttpServer::in_flight() const {
  return impl_->in_flight;
}

int HttpServer::connections() const {
  return impl_->connections;
}

}  // namespace agentdb::serve
