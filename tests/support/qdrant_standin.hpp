// The Qdrant stand-in (tests/qdrant/qdrant_standin.py) as a test fixture: a real HTTP server on a
// free loopback port for one test, stopped afterwards, with access to what it recorded.
#pragma once

#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"
#include "util/files.hpp"

#ifndef AGENTDB_SOURCE_DIR
#define AGENTDB_SOURCE_DIR "."
#endif

extern char** environ;

namespace agentdb::testing {

// The stand-in server, started on a free port for one test and stopped afterwards.
class QdrantStandIn {
 public:
  explicit QdrantStandIn(std::vector<std::string> extra = {}) {
    const auto port_file = dir_.path() / "port";
    std::vector<std::string> args{
        "python3",     std::string(AGENTDB_SOURCE_DIR) + "/tests/qdrant/qdrant_standin.py",
        "--port",      "0",
        "--port-file", port_file.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& arg : args)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (::posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start python3");
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      if (const auto text = util::read_file(port_file); text && !text->empty())
        port_ = std::stoi(*text);
    }
    if (port_ == 0)
      throw std::runtime_error("the Qdrant stand-in did not start");
    control_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }
  ~QdrantStandIn() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  QdrantStandIn(const QdrantStandIn&) = delete;
  QdrantStandIn& operator=(const QdrantStandIn&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  nlohmann::json get(const std::string& path) {
    const auto result = control_->Get(path);
    return result ? nlohmann::json::parse(result->body) : nlohmann::json(nullptr);
  }
  void post(const std::string& path, const nlohmann::json& body) {
    (void)control_->Post(path, body.dump(), "application/json");
  }
  [[nodiscard]] nlohmann::json violations() { return get("/__standin/violations"); }
  // Requests agentdb sent, as "METHOD /path".
  [[nodiscard]] std::vector<std::string> requests() {
    std::vector<std::string> lines;
    for (const auto& entry : get("/__standin/requests"))
      lines.push_back(entry["method"].get<std::string>() + " " + entry["path"].get<std::string>());
    return lines;
  }

 private:
  TempDir dir_;
  pid_t pid_ = 0;
  int port_ = 0;
  std::unique_ptr<httplib::Client> control_;
};

}  // namespace agentdb::testing
