#include "db/connection_target.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace agentdb::db {

TEST(ConnectionTarget, KeepsThePasswordOutOfConninfoAndDisplay) {
  const auto target =
      parse_connection_target("postgresql://alice:s3cret@db.example:6432/app?sslmode=disable");
  EXPECT_EQ(target.password, "s3cret");
  EXPECT_EQ(target.dbname, "app");
  EXPECT_EQ(target.display, "postgresql://alice@db.example:6432/app");
  EXPECT_EQ(target.conninfo.find("s3cret"), std::string::npos);
  EXPECT_NE(conninfo_with_password(target).find("s3cret"), std::string::npos);
}

TEST(ConnectionTarget, AcceptsKeywordValueStrings) {
  const auto target =
      parse_connection_target("host=/tmp/sock user=agentdb dbname=agentdb password='a b'");
  EXPECT_EQ(target.password, "a b");
  EXPECT_EQ(target.display, "postgresql://agentdb@%2Ftmp%2Fsock/agentdb");
}

TEST(ConnectionTarget, SwitchesDatabaseAndKeepsCredentials) {
  const auto target = with_database(parse_connection_target("postgresql://bob:pw@h/one"), "two");
  EXPECT_EQ(target.dbname, "two");
  EXPECT_EQ(target.password, "pw");
}

TEST(ConnectionTarget, RejectsMalformedUrlsWithoutEchoingThePassword) {
  try {
    (void)parse_connection_target("postgresql://bob:topsecret@host:notaport/db?bogus_option=1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos);
  }
}

TEST(RedactPasswords, HidesUrlAndKeywordPasswords) {
  EXPECT_EQ(redact_passwords("to postgresql://u:pw@h/db failed"),
            "to postgresql://u:****@h/db failed");
  EXPECT_EQ(redact_passwords("host=h password=pw user=u"), "host=h password=**** user=u");
  EXPECT_EQ(redact_passwords("password='a b' x"), "password=**** x");
}

}  // namespace agentdb::db
