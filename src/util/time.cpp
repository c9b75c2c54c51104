#include "util/time.hpp"

#include <cstdio>
#include <ctime>

#include "util/strings.hpp"

namespace agentdb::util {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  text = trim(text);
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  const auto number = parse_int64(text.substr(0, digits));
  if (!number)
    return std::nullopt;
  const auto unit = text.substr(digits);
  long long factor = 0;
  if (unit.empty() || unit == "s")
    factor = 1000;
  if (unit == "ms")
    factor = 1;
  if (unit == "m" || unit == "min")
    factor = 60'000;
  if (unit == "h")
    factor = 3'600'000;
  if (factor == 0 || *number > (1LL << 40))
    return std::nullopt;
  return std::chrono::milliseconds(*number * factor);
}

std::string compact_utc(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%S", &parts);
  return buffer;
}

std::string iso_utc(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer;
}

std::optional<std::chrono::sys_seconds> parse_iso_utc(std::string_view text) {
  if (text.size() != 20)
    return std::nullopt;
  const std::string copy(text);
  std::tm parts{};
  const char* end = ::strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  if (end == nullptr || *end != '\0')
    return std::nullopt;
  return std::chrono::sys_seconds(std::chrono::seconds(::timegm(&parts)));
}

std::string human_duration(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  char buffer[64];
  if (ms < 1000) {
    std::snprintf(buffer, sizeof buffer, "%lld ms", static_cast<long long>(ms));
  } else if (ms < 60'000) {
    std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(ms) / 1000.0);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld min %02lld s", static_cast<long long>(ms / 60'000),
                  static_cast<long long>((ms / 1000) % 60));
  }
  return buffer;
}

}  // namespace agentdb::util
