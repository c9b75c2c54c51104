// Where to connect, parsed once from a URL or key=value string. The password is kept apart so it
// can reach libpq and child tools (as PGPASSWORD) without ever being printed or put on a command
// line.
#pragma once

#include <string>
#include <string_view>

namespace agentdb::db {

struct ConnectionTarget {
  std::string conninfo;  // libpq keyword=value string, without the password
  std::string password;  // empty when none was given
  std::string display;   // postgresql://user@host:port/dbname for messages; never a password
  std::string dbname;
};

// Accepts postgresql:// URLs and keyword=value strings. Throws Error(usage) when malformed.
[[nodiscard]] ConnectionTarget parse_connection_target(std::string_view url);

// The same server and credentials, another database.
[[nodiscard]] ConnectionTarget with_database(const ConnectionTarget& target,
                                             std::string_view dbname);

// The conninfo a libpq client should receive, password included.
[[nodiscard]] std::string conninfo_with_password(const ConnectionTarget& target);

// Replaces anything that looks like a password in free text (URLs, password=...) with "****".
[[nodiscard]] std::string redact_passwords(std::string_view text);

}  // namespace agentdb::db
