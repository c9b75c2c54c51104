// The fixture of the serve tests: a scratch database at the current schema, an admin, a writer
// and a reader key, and `agentdb serve` on it with an HTTP client.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "serve_process.hpp"
#include "servers.hpp"
#include "test_support.hpp"
#include "util/strings.hpp"

#ifndef AGENTDB_SOURCE_DIR
#define AGENTDB_SOURCE_DIR "."
#endif

namespace agentdb::testing {

using nlohmann::json;

inline httplib::Headers bearer(const std::string& key) {
  return {{"Authorization", "Bearer " + key}};
}

// Sends raw bytes and reads until the server closes or `wanted` responses arrived.
inline std::string raw_exchange(int port, const std::string& bytes, int wanted_responses) {
  const int fd = connect_loopback(port);
  if (fd < 0)
    return {};
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string received;
  char buffer[4096];
  while (true) {
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0)
      break;
    received.append(buffer, static_cast<std::size_t>(n));
    std::size_t count = 0;
    for (auto at = received.find("HTTP/1.1 "); at != std::string::npos;
         at = received.find("HTTP/1.1 ", at + 1))
      ++count;
    if (static_cast<int>(count) >= wanted_responses && received.ends_with("}"))
      break;
  }
  ::close(fd);
  return received;
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The server closes a connection whose body is too large while the client still writes.
    ::signal(SIGPIPE, SIG_IGN);
    const auto up = run_agentdb(
        {"--database-url", db.url(), "migrate", "--dir", AGENTDB_SOURCE_DIR "/migrations", "up"});
    ASSERT_EQ(up.exit_code, 0) << up.err;
    admin_key = new_key("admin@example.com", "read,write,admin", "unlimited");
    writer_key = new_key("writer@example.com", "read,write", "unlimited");
    reader_key = new_key("reader@example.com", "read", "unlimited");
  }

  [[nodiscard]] std::string new_key(const std::string& email, const std::string& scopes,
                                    const std::string& tier) const {
    const auto made = run_agentdb({"--database-url", db.url(), "keys", "create", "--user", email,
                                   "--scope", scopes, "--tier", tier});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return std::string(util::trim(made.out));
  }

  void start(std::vector<std::string> extra = {}) {
    server = std::make_unique<ServeProcess>(db.url(), std::move(extra));
    ASSERT_TRUE(server->listening()) << server->stderr_text();
    http = server->client();
  }

  [[nodiscard]] json post(const std::string& path, const json& body, const std::string& key,
                          int expected) const {
    const auto response = http->Post(path, bearer(key), body.dump(), "application/json");
    EXPECT_TRUE(response) << path;
    if (!response)
      return {};
    EXPECT_EQ(response->status, expected) << path << ": " << response->body;
    return response->body.empty() ? json() : json::parse(response->body);
  }

  [[nodiscard]] json get(const std::string& path, const std::string& key, int expected) const {
    const auto response = http->Get(path, bearer(key));
    EXPECT_TRUE(response) << path;
    if (!response)
      return {};
    EXPECT_EQ(response->status, expected) << path << ": " << response->body;
    return json::parse(response->body);
  }

  ScratchDatabase db;
  std::string admin_key, writer_key, reader_key;
  std::unique_ptr<ServeProcess> server;
  std::unique_ptr<httplib::Client> http;
};

}  // namespace agentdb::testing
