// What each member of a replicated cluster says of itself, asked directly (not through libpq's
// choice among several hosts): its role, timeline and WAL position. For `health`, `pool status`
// and `cluster status`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/connection_target.hpp"

namespace agentdb::db {

struct MemberState {
  std::string address;  // host:port, as the target names it
  bool reached = false;
  std::string error;  // why not, when not reached (never a password)
  bool in_recovery = false;
  std::optional<std::int64_t> timeline;
  std::optional<std::uint64_t> wal_position;   // current (primary) or replayed (standby) LSN
  std::optional<std::int64_t> lag_bytes;       // standby: behind the primary's current LSN
  std::optional<double> replay_delay_seconds;  // standby: since the last replayed transaction

  [[nodiscard]] const char* role() const;  // "primary", "standby" or "unreachable"
};

// "0/3000060" -> 0x3000060; nullopt when not an LSN.
[[nodiscard]] std::optional<std::uint64_t> parse_lsn(const std::string& text);
[[nodiscard]] std::string format_lsn(std::uint64_t lsn);

// The server `one_host` names (a target of one host), asked within `timeout`; never throws for
// an unreachable server (that is a finding).
[[nodiscard]] MemberState ask_member(const ConnectionTarget& one_host,
                                     std::chrono::milliseconds timeout);

// Every host of `target` in turn (each_host), with each standby's lag against the one primary
// among them, when exactly one was reached.
[[nodiscard]] std::vector<MemberState> ask_members(const ConnectionTarget& target,
                                                   std::chrono::milliseconds timeout);

// How far a reached standby's replayed position is behind `primary_position` (0 when ahead);
// none for a primary, an unreachable member or one without a position.
[[nodiscard]] std::optional<std::int64_t> lag_behind(std::uint64_t primary_position,
                                                     const MemberState& member);

}  // namespace agentdb::db
