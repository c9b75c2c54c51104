#include "test_support.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>

#include "core/output.hpp"
#include "local/cluster.hpp"
#include "util/subprocess.hpp"

namespace agentdb::testing {

namespace fs = std::filesystem;

namespace {

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  static const auto seed = std::random_device{}();
  return std::to_string(::getpid()) + "_" + std::to_string(seed % 100000) + "_" +
         std::to_string(counter++);
}

// When the tests run outside ctest, the first test process starts a cluster of its own.
struct OwnCluster {
  fs::path home;
  ~OwnCluster() {
    if (home.empty())
      return;
    try {
      local::LocalCluster(home).destroy(Output(OutputSettings{.quiet = true}));
    } catch (...) {
    }
  }
};

}  // namespace

const db::ConnectionTarget& cluster() {
  static fs::path own_home;
  static const db::ConnectionTarget target = [] {
    fs::path home;
    if (const char* shared = std::getenv("AGENTDB_TEST_HOME");
        shared != nullptr && *shared != '\0') {
      home = shared;
    } else {
      home = fs::path("/tmp") / ("agentdb-test-" + std::to_string(::getpid()));
      own_home = home;
    }
    local::LocalCluster cluster(home);
    cluster.start(Output(OutputSettings{.quiet = true}));
    return cluster.target("postgres");
  }();
  // Made after the cluster started, so it is destroyed at exit before the statics that starting
  // it created (the PostgreSQL program lookup's cache), which destroying it uses again.
  static const OwnCluster own{own_home};
  return target;
}

ScratchDatabase::ScratchDatabase() : name_("test_" + unique_suffix()) {
  auto admin = db::Session::open(cluster());
  admin->exec("CREATE DATABASE " + admin->quote_name(name_));
  target_ = db::with_database(cluster(), name_);
}

ScratchDatabase::~ScratchDatabase() {
  try {
    auto admin = db::Session::open(cluster());
    admin->exec("DROP DATABASE IF EXISTS " + admin->quote_name(name_) + " WITH (FORCE)");
  } catch (...) {
  }
}

std::string ScratchDatabase::scalar(const std::string& sql) const {
  auto session = connect();
  const auto rows = session->exec(sql);
  if (rows.empty() || rows[0][0].is_null())
    return {};
  return rows[0][0].as<std::string>();
}

TempDir::TempDir() : path_(fs::temp_directory_path() / ("agentdb_test_" + unique_suffix())) {
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void TempDir::write(const std::string& name, const std::string& content) const {
  fs::create_directories((path_ / name).parent_path());
  std::ofstream(path_ / name, std::ios::binary) << content;
}

std::string agentdb_binary() {
  if (const char* binary = std::getenv("AGENTDB_BINARY"); binary != nullptr && *binary != '\0') {
    return binary;
  }
  return AGENTDB_TEST_BINARY;
}

CommandResult run_agentdb(const std::vector<std::string>& arguments,
                          const std::vector<std::pair<std::string, std::string>>& env) {
  std::vector<std::string> argv{agentdb_binary()};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  util::ProcessOptions options;
  options.environment = env;
  options.unset_environment = {"DATABASE_URL", "AGENTDB_MIGRATIONS_DIR", "NO_COLOR"};
  const auto result = util::run_process(argv, options);
  return CommandResult{result.exit_code, result.out, result.err};
}

}  // namespace agentdb::testing
