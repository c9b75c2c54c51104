// The database layer against a real server: error translation, connection failures, locks.
#include <gtest/gtest.h>

#include "db/advisory_lock.hpp"
#include "test_support.hpp"

namespace agentdb::testing {

TEST(Session, ReportsTheLineOfAServerErrorInMultiStatementSql) {
  ScratchDatabase db;
  auto session = db.connect();
  try {
    session->exec("SELECT 1;\nSELECT 2;\nSELEC 3;\n");
    FAIL() << "expected a QueryError";
  } catch (const db::QueryError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.sqlstate(), "42601");
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
  // The connection stays usable after an error.
  EXPECT_EQ(session->exec("SELECT 41 + 1")[0][0].as<int>(), 42);
}

TEST(Session, ConnectionRefusedIsExitThreeAndNeverShowsThePassword) {
  try {
    (void)db::Session::open(db::parse_connection_target("postgresql://u:hunter2@127.0.0.1:1/x"));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::cannot_connect);
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("127.0.0.1"), std::string::npos);
  }
}

TEST(Session, UnknownDatabaseIsExitThree) {
  try {
    (void)db::Session::open(db::with_database(cluster(), "no_such_database_here"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::cannot_connect);
    EXPECT_NE(std::string(e.what()).find("no_such_database_here"), std::string::npos);
  }
}

TEST(AdvisoryLock, TimesOutWithAConflictNamingTheHolder) {
  ScratchDatabase db;
  auto holder = db.connect();
  auto waiter = db.connect();
  db::AdvisoryLock held(*holder, 42, std::chrono::milliseconds(1000), "test");
  try {
    db::AdvisoryLock second(*waiter, 42, std::chrono::milliseconds(200), "test");
    FAIL() << "expected a lock timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::conflict);
    EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(holder->backend_pid())),
              std::string::npos)
        << e.what();
  }
}

TEST(AdvisoryLock, IsReleasedWhenTheHolderDisconnects) {
  ScratchDatabase db;
  {
    auto holder = db.connect();
    db::AdvisoryLock held(*holder, 7, std::chrono::milliseconds(1000), "test");
    holder->exec("SELECT 1");
  }
  auto waiter = db.connect();
  EXPECT_NO_THROW(db::AdvisoryLock(*waiter, 7, std::chrono::milliseconds(2000), "test"));
}

}  // namespace agentdb::testing
