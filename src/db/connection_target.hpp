// Where to connect, parsed once from a URL or key=value string. The password is kept apart so it
// can reach libpq and child tools (as PGPASSWORD) without ever being printed or put on a command
// line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace agentdb::db {

struct ConnectionTarget {
  std::string conninfo;  // libpq keyword=value string, without the password
  std::string password;  // empty when none was given
  std::string display;   // postgresql://user@host:port/dbname for messages; never a password
  std::string dbname;
  std::size_t host_count = 1;  // libpq tries several hosts in turn (host=a,b,c)
};

// Accepts postgresql:// and postgres:// URLs and keyword=value strings. Throws Error(usage) when
// empty, of another scheme (named in the message) or malformed; the message never holds a password
// and echoes long input cut short.
[[nodiscard]] ConnectionTarget parse_connection_target(std::string_view url);

// The same server and credentials, another database.
[[nodiscard]] ConnectionTarget with_database(const ConnectionTarget& target,
                                             std::string_view dbname);

// The same target with one libpq keyword set, e.g. target_session_attrs=read-write.
[[nodiscard]] ConnectionTarget with_parameter(const ConnectionTarget& target, std::string_view key,
                                              std::string_view value);

// One target per host of `target` (libpq's host=a,b,c with one port each or one for all), each
// with target_session_attrs=any: that server, whatever its role. One for a single host.
[[nodiscard]] std::vector<ConnectionTarget> each_host(const ConnectionTarget& target);

// The conninfo a libpq client should receive, password included.
[[nodiscard]] std::string conninfo_with_password(const ConnectionTarget& target);

// Free text that did not parse (an echoed URL, a server's message): hides, in linear time, the
// userinfo password of every scheme://user:password@ and every password=value or
// password='quoted value' (any case, spaces around '=') behind "****".
[[nodiscard]] std::string redact_passwords(std::string_view text);
// The same, and the password libpq parsed for `target` wherever it appears (when it is long enough
// to be told apart from an ordinary word): for messages about connecting to `target`.
[[nodiscard]] std::string redact_passwords(std::string_view text, const ConnectionTarget& target);

}  // namespace agentdb::db
