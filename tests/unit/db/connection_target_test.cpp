#include "db/connection_target.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <random>
#include <string>

#include "core/error.hpp"

namespace agentdb::db {

TEST(ConnectionTarget, SeveralHostsEachWithItsPort) {
  const auto target =
      parse_connection_target("postgresql://u:pw@10.0.0.1:5432,10.0.0.2:5433,10.0.0.3/app");
  EXPECT_EQ(target.host_count, 3U);
  EXPECT_EQ(target.display, "postgresql://u@10.0.0.1:5432,10.0.0.2:5433,10.0.0.3/app");
  const auto one_port = parse_connection_target("host=a,b port=6432 dbname=x user=u");
  EXPECT_EQ(one_port.host_count, 2U);
  EXPECT_EQ(one_port.display, "postgresql://u@a:6432,b:6432/x");
  EXPECT_EQ(parse_connection_target("postgresql://u@h/x").host_count, 1U);
}

TEST(ConnectionTarget, EachHostIsOneTargetWithItsPortAndAnyRole) {
  const auto hosts = each_host(parse_connection_target(
      "postgresql://u:pw@10.0.0.1:5432,10.0.0.2:5433/app?target_session_attrs=read-write"));
  ASSERT_EQ(hosts.size(), 2U);
  EXPECT_EQ(hosts[0].display, "postgresql://u@10.0.0.1:5432/app");
  EXPECT_EQ(hosts[1].display, "postgresql://u@10.0.0.2:5433/app");
  for (const auto& host : hosts) {
    EXPECT_EQ(host.host_count, 1U);
    EXPECT_EQ(host.password, "pw");
    EXPECT_NE(host.conninfo.find("target_session_attrs="), std::string::npos);
    EXPECT_EQ(host.conninfo.find("read-write"), std::string::npos);
  }
  const auto one_port = each_host(parse_connection_target("host=a,b port=6432 dbname=x user=u"));
  ASSERT_EQ(one_port.size(), 2U);
  EXPECT_EQ(one_port[1].display, "postgresql://u@b:6432/x");
  EXPECT_EQ(each_host(parse_connection_target("postgresql://u@h:7/x")).front().display,
            "postgresql://u@h:7/x");
}

TEST(ConnectionTarget, WithParameterKeepsThePassword) {
  const auto target = with_parameter(parse_connection_target("postgresql://u:pw@a,b/x"),
                                     "target_session_attrs", "read-write");
  EXPECT_EQ(target.password, "pw");
  EXPECT_NE(target.conninfo.find("target_session_attrs="), std::string::npos);
  EXPECT_NE(target.conninfo.find("read-write"), std::string::npos);
  EXPECT_EQ(target.host_count, 2U);
}

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
  EXPECT_EQ(redact_passwords("PGPASSWORD = 'a \\' b' x"), "PGPASSWORD = **** x");
  EXPECT_EQ(redact_passwords("see postgres://u:a b@c@h/db"), "see postgres://u:****@h/db");
}

}  // namespace agentdb::db

namespace agentdb::db {
namespace {

// Random passwords over the whole printable ASCII range, long enough that finding one in a message
// cannot be a coincidence.
std::string random_password(std::mt19937& random) {
  std::uniform_int_distribution<int> length(8, 24);
  std::uniform_int_distribution<int> printable(0x20, 0x7e);
  std::string password(static_cast<std::size_t>(length(random)), ' ');
  for (auto& c : password)
    c = static_cast<char>(printable(random));
  return password;
}

// `only` empty: every byte but RFC 3986's unreserved ones; else just those bytes.
std::string percent_encoded(std::string_view text, std::string_view only = {}) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
    const bool encode = only.empty() ? !unreserved : only.find(c) != std::string_view::npos;
    if (encode)
      out += {'%', kHex[byte >> 4U], kHex[byte & 0xFU]};
    else
      out += c;
  }
  return out;
}

// libpq's keyword=value escaping: a backslash before every `special` character.
std::string backslash_escaped(std::string_view text, std::string_view special) {
  std::string out;
  for (const char c : text) {
    if (special.find(c) != std::string_view::npos)
      out += '\\';
    out += c;
  }
  return out;
}

std::string parse_failure(const std::string& url) {
  try {
    (void)parse_connection_target(url);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage) << url;
    return e.what();
  }
  ADD_FAILURE() << "accepted " << excerpt(url);
  return {};
}

}  // namespace

TEST(RedactPasswords, HidesRandomPrintablePasswordsInEveryForm) {
  std::mt19937 random(15);
  for (int round = 0; round < 3000; ++round) {
    const auto password = random_password(random);
    const auto encoded = percent_encoded(password);
    const auto minimal = percent_encoded(password, "%@/");
    const auto quoted = "'" + backslash_escaped(password, "'\\") + "'";
    const auto bare = backslash_escaped(password, "'\\ ");
    const std::string forms[] = {
        "postgresql://u:" + encoded + "@127.0.0.1:1/x",
        "postgres://u:" + minimal + "@127.0.0.1:1/x",
        "host=127.0.0.1 port=1 password=" + quoted + " dbname=x",
        "host=127.0.0.1 port=1 password = " + bare + " dbname=x",
    };
    const std::string redacted[] = {
        "postgresql://u:****@127.0.0.1:1/x",
        "postgres://u:****@127.0.0.1:1/x",
        "host=127.0.0.1 port=1 password=**** dbname=x",
        "host=127.0.0.1 port=1 password = **** dbname=x",
    };
    for (std::size_t i = 0; i < std::size(forms); ++i) {
      SCOPED_TRACE(forms[i]);
      EXPECT_EQ(redact_passwords(forms[i]), redacted[i]);
      const auto target = parse_connection_target(forms[i]);
      EXPECT_EQ(target.password, password);
      EXPECT_EQ(target.display.find(password), std::string::npos);
      EXPECT_EQ(target.conninfo.find(password), std::string::npos);
      EXPECT_EQ(redact_passwords("failed: " + password, target), "failed: ****");
    }
    const std::string malformed[] = {
        "postgresql://u:" + encoded + "@[::1/x",       // libpq echoes the whole URL
        "postgresql://u:" + encoded + "%zz@h/x",       // ... or the password's bad token
        "postgresql://u:" + minimal + "@h/x?bogus=1",  // ... or a query parameter
        "mysql://u:" + encoded + "@h/x",
        "host=h password=" + quoted + " bogus",
        "host=h password='" + backslash_escaped(password, "'\\"),  // unterminated
    };
    for (const auto& url : malformed) {
      const auto message = parse_failure(url);
      for (const auto& secret : {password, encoded, minimal, quoted, bare})
        EXPECT_EQ(message.find(secret), std::string::npos) << url << " -> " << message;
    }
  }
}

TEST(RedactPasswords, TakesLinearTimeOnHostileText) {
  const std::string hostile[] = {
      [] {
        std::string text;
        while (text.size() < 200000)
          text += "a://b:c";
        return text + "@";
      }(),
      std::string(200000, '@'),
      [] {
        std::string text;
        while (text.size() < 200000)
          text += "password = '\\";
        return text;
      }(),
      "postgresql://u:" + std::string(200000, ':') + "@[",
      "PassWord = '" + std::string(200000, '\\'),
  };
  const auto started = std::chrono::steady_clock::now();
  for (const auto& text : hostile) {
    (void)redact_passwords(text);
    const auto message = parse_failure(text);
    EXPECT_LT(message.size(), 400U) << message.substr(0, 400);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST(ConnectionTarget, NamesAnUnsupportedSchemeAndWhatIsAccepted) {
  const auto message = parse_failure("mysql://u:pw@h/x");
  EXPECT_NE(message.find("unsupported database URL scheme 'mysql://'"), std::string::npos)
      << message;
  EXPECT_NE(message.find("postgresql:// or postgres://"), std::string::npos) << message;
  EXPECT_EQ(parse_connection_target("postgres://u@h/x").dbname, "x");
}

TEST(ConnectionTarget, RejectsAnEmptyUrl) {
  EXPECT_NE(parse_failure("").find("empty"), std::string::npos);
  EXPECT_NE(parse_failure("  ").find("empty"), std::string::npos);
}

TEST(ConnectionTarget, CutsLongInputShortInItsMessage) {
  const auto message = parse_failure(std::string(120000, 'x'));
  EXPECT_LT(message.size(), 300U) << message.substr(0, 400);
  EXPECT_NE(message.find("(120000 bytes)"), std::string::npos) << message;
}

// libpq quotes the rest of the input after a keyword that lacks "="; a quote inside it once left
// the whole rest unpaired and so uncut (found by tests/fuzz/connection_target_fuzz).
TEST(ConnectionTarget, CutsLibpqsReasonShortWhenTheInputHoldsQuotes) {
  const auto message = parse_failure("a\"" + std::string(3000, 'b'));
  EXPECT_LT(message.size(), 400U) << message.substr(0, 400);
  EXPECT_NE(message.find("missing \"=\""), std::string::npos) << message;
}

}  // namespace agentdb::db
