// What each member's PostgreSQL says of itself: in recovery or not, its timeline and WAL position.
#include <algorithm>
#include <string_view>

#include "cluster/gather.hpp"
#include "core/error.hpp"
#include "db/session.hpp"
#include "util/strings.hpp"

namespace agentdb::cluster {

namespace {

// One half of an LSN: up to 8 hex digits.
std::optional<std::uint64_t> parse_hex_word(std::string_view text) {
  if (text.empty() || text.size() > 8)
    return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                             : -1;
    if (digit < 0)
      return std::nullopt;
    value = value * 16 + static_cast<std::uint64_t>(digit);
  }
  return value;
}

}  // namespace

std::optional<std::uint64_t> parse_lsn(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos)
    return std::nullopt;
  const auto high = parse_hex_word(std::string_view(text).substr(0, slash));
  const auto low = parse_hex_word(std::string_view(text).substr(slash + 1));
  if (!high || !low)
    return std::nullopt;
  return (*high << 32) | *low;
}

PostgresView ask_postgres(const db::ConnectionTarget& credentials, const std::string& host,
                          int port, std::chrono::milliseconds timeout) {
  PostgresView view;
  view.asked = true;
  auto target = db::with_parameter(credentials, "host", host);
  target = db::with_parameter(target, "port", std::to_string(port));
  // Only this member: the URL's own choice among several hosts does not apply.
  target = db::with_parameter(target, "target_session_attrs", "any");
  db::SessionOptions options;
  // libpq's connect_timeout is whole seconds, and below 2 it counts as 2.
  options.connect_timeout = std::chrono::seconds(std::max<long>(2, (timeout.count() + 999) / 1000));
  options.statement_timeout = timeout;
  try {
    auto session = db::Session::open(target, options);
    const auto rows = session->exec(
        "SELECT pg_is_in_recovery() AS in_recovery, "
        "(SELECT timeline_id FROM pg_control_checkpoint()) AS timeline, "
        "(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
        "ELSE pg_current_wal_lsn() END)::text AS wal_position, "
        "extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS replay_delay");
    view.reached = true;
    view.in_recovery = rows[0]["in_recovery"].as<bool>();
    view.timeline = rows[0]["timeline"].get<std::int64_t>();
    view.wal_position = parse_lsn(rows[0]["wal_position"].c_str());
    if (view.in_recovery)
      view.replay_delay_seconds = rows[0]["replay_delay"].get<double>();
  } catch (const Error& e) {
    view.error = db::redact_passwords(e.what(), target);
  }
  return view;
}

}  // namespace agentdb::cluster
