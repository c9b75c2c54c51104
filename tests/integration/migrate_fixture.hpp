// A scratch database plus a migrations directory, and shortcuts to run `agentdb migrate` on them.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace agentdb::testing {

class MigrateTest : public ::testing::Test {
 protected:
  // Writes <version>_<name>.up.sql and, unless `down` is null, the .down.sql.
  void revision(long long version, const std::string& name, const std::string& up,
                const char* down = "") const {
    const auto stem = std::to_string(version) + "_" + name;
    dir.write(stem + ".up.sql", up);
    if (down != nullptr)
      dir.write(stem + ".down.sql", down);
  }

  // A table per revision, as most tests need nothing more.
  void table_revision(long long version, const std::string& table) const {
    revision(version, "create_" + table, "CREATE TABLE " + table + " (id bigint PRIMARY KEY);",
             ("DROP TABLE " + table + ";").c_str());
  }

  [[nodiscard]] CommandResult migrate(std::vector<std::string> arguments) const {
    std::vector<std::string> argv{"--database-url", db.url(), "--no-color",
                                  "migrate",        "--dir",  dir.path().string()};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run_agentdb(argv);
  }

  [[nodiscard]] nlohmann::json migrate_json(std::vector<std::string> arguments) const {
    arguments.push_back("--json");
    const auto result = migrate(arguments);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return nlohmann::json::parse(result.out);
  }

  [[nodiscard]] bool table_exists(const std::string& table) const {
    return db.scalar("SELECT to_regclass('" + table + "') IS NOT NULL") == "t";
  }

  [[nodiscard]] std::string recorded_versions() const {
    return db.scalar(
        "SELECT coalesce(string_agg(version::text || ':' || status, ',' ORDER BY version), '') "
        "FROM agentdb_schema_migrations");
  }

  ScratchDatabase db;
  TempDir dir;
};

}  // namespace agentdb::testing
