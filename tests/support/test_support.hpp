// Test fixtures shared by the integration tests: a real PostgreSQL cluster (started by the ctest
// fixture, or by the first test process when run by hand), throwaway databases and directories, and
// a way to run the agentdb binary as a user would.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/connection_target.hpp"
#include "db/session.hpp"

namespace agentdb::testing {

// The shared test cluster's "postgres" database.
[[nodiscard]] const db::ConnectionTarget& cluster();

// A database of its own for one test, dropped afterwards.
class ScratchDatabase {
 public:
  ScratchDatabase();
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  [[nodiscard]] const db::ConnectionTarget& target() const { return target_; }
  // What to pass as --database-url.
  [[nodiscard]] std::string url() const { return db::conninfo_with_password(target_); }
  [[nodiscard]] std::unique_ptr<db::Session> connect() const { return db::Session::open(target_); }
  // Runs a query and returns the first column of the first row, or "" when there is none.
  [[nodiscard]] std::string scalar(const std::string& sql) const;

 private:
  std::string name_;
  db::ConnectionTarget target_;
};

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  void write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the agentdb binary under test with the given arguments and extra environment.
[[nodiscard]] CommandResult run_agentdb(
    const std::vector<std::string>& arguments,
    const std::vector<std::pair<std::string, std::string>>& env = {});

[[nodiscard]] std::string agentdb_binary();

}  // namespace agentdb::testing
