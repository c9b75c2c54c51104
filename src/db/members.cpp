#include "db/members.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "core/error.hpp"
#include "db/session.hpp"

namespace agentdb::db {

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

// host:port of a one-host target, from its display form postgresql://user@host:port/db.
std::string address_of(const ConnectionTarget& one_host) {
  const auto& display = one_host.display;
  auto begin = display.find("://");
  begin = begin == std::string::npos ? 0 : begin + 3;
  if (const auto at = display.find('@', begin); at != std::string::npos)
    begin = at + 1;
  const auto end = display.find('/', begin);
  return display.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace

const char* MemberState::role() const {
  if (!reached)
    return "unreachable";
  return in_recovery ? "standby" : "primary";
}

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

std::string format_lsn(std::uint64_t lsn) {
  char text[24];
  std::snprintf(text, sizeof text, "%X/%X", static_cast<unsigned>(lsn >> 32),
                static_cast<unsigned>(lsn & 0xFFFFFFFFu));
  return text;
}

MemberState ask_member(const ConnectionTarget& one_host, std::chrono::milliseconds timeout) {
  MemberState state;
  state.address = address_of(one_host);
  SessionOptions options;
  // libpq's connect_timeout is whole seconds, and below 2 it counts as 2.
  options.connect_timeout = std::chrono::seconds(std::max<long>(2, (timeout.count() + 999) / 1000));
  options.statement_timeout = timeout;
  try {
    auto session = Session::open(one_host, options);
    // The timeline a primary writes is in its WAL file names (the last checkpoint's lags behind a
    // promotion); a standby's is the one its WAL receiver streams.
    const auto rows = session->exec(
        "SELECT pg_is_in_recovery() AS in_recovery, "
        "(CASE WHEN pg_is_in_recovery() THEN coalesce("
        "(SELECT received_tli FROM pg_stat_wal_receiver), "
        "(SELECT timeline_id FROM pg_control_checkpoint())) "
        "ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int "
        "END)::int8 AS timeline, "
        "(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
        "ELSE pg_current_wal_lsn() END)::text AS wal_position, "
        "extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS replay_delay");
    state.reached = true;
    state.in_recovery = rows[0]["in_recovery"].as<bool>();
    state.timeline = rows[0]["timeline"].get<std::int64_t>();
    state.wal_position = parse_lsn(rows[0]["wal_position"].c_str());
    if (state.in_recovery)
      state.replay_delay_seconds = rows[0]["replay_delay"].get<double>();
  } catch (const Error& e) {
    state.error = redact_passwords(e.what(), one_host);
  }
  return state;
}

std::optional<std::int64_t> lag_behind(std::uint64_t primary_position, const MemberState& member) {
  if (!member.reached || !member.in_recovery || !member.wal_position)
    return std::nullopt;
  return static_cast<std::int64_t>(
      primary_position > *member.wal_position ? primary_position - *member.wal_position : 0);
}

std::vector<MemberState> ask_members(const ConnectionTarget& target,
                                     std::chrono::milliseconds timeout) {
  std::vector<MemberState> members;
  for (const auto& one_host : each_host(target))
    members.push_back(ask_member(one_host, timeout));
  // Against the one primary reached; two primaries give no one position to measure against.
  const auto primaries = std::count_if(members.begin(), members.end(), [](const auto& member) {
    return member.reached && !member.in_recovery;
  });
  const auto primary = std::find_if(members.begin(), members.end(), [](const auto& member) {
    return member.reached && !member.in_recovery;
  });
  if (primaries != 1 || !primary->wal_position)
    return members;
  const auto position = *primary->wal_position;
  for (auto& member : members)
    member.lag_bytes = lag_behind(position, member);
  return members;
}

}  // namespace agentdb::db
