// Durations and UTC timestamps.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace agentdb::util {

// "250ms", "60s", "5m", "2h", or a bare number of seconds; nullopt when malformed or negative.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The given UTC time as YYYYMMDDHHMMSS.
[[nodiscard]] std::string compact_utc(std::chrono::system_clock::time_point time);

// The given UTC time as ISO 8601, "2026-11-23T11:53:27Z".
[[nodiscard]] std::string iso_utc(std::chrono::system_clock::time_point time);

// Parses "YYYY-MM-DDTHH:MM:SSZ" (as iso_utc writes it); nullopt for anything else.
[[nodiscard]] std::optional<std::chrono::sys_seconds> parse_iso_utc(std::string_view text);

// A duration for people: "850 ms", "12.3 s", "4 min 05 s".
[[nodiscard]] std::string human_duration(std::chrono::milliseconds duration);

}  // namespace agentdb::util
