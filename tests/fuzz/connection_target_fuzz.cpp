// Feeds arbitrary bytes to the database URL parser and the password redaction: parsing either
// succeeds or fails with Error(usage) and a short message; a parsed target survives the round trip
// through the conninfo given to libpq (password included); redaction never throws.
// Anything else (a crash, a sanitizer report, a hang in a backtracking matcher) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "db/connection_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace agentdb;
  (void)db::redact_passwords(input);
  try {
    const auto target = db::parse_connection_target(input);
    (void)db::redact_passwords(input, target);
    const auto again = db::parse_connection_target(db::conninfo_with_password(target));
    if (again.password != target.password || again.conninfo != target.conninfo)
      __builtin_trap();
    if (db::with_database(target, "other").password != target.password)
      __builtin_trap();
  } catch (const Error& e) {
    constexpr std::size_t kLongestMessage = 2000;
    if (e.code() != ExitCode::usage || std::string_view(e.what()).size() > kLongestMessage)
      __builtin_trap();
  }
  return 0;
}
