// Command-line value checks whose failure messages read like the rest of agentdb's errors.
#pragma once

#include <CLI/CLI.hpp>
#include <cerrno>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "core/error.hpp"

namespace agentdb {

inline constexpr long long kUnboundedWholeNumber = 1LL << 62;
inline constexpr std::string_view kWholeNumberName = "whole number ";

// A whole number from `minimum` to `maximum`. Its name carries the range, so the dispatcher can
// name the accepted range also when the value does not fit the option's type.
inline CLI::Validator whole_number(long long minimum, long long maximum = kUnboundedWholeNumber) {
  return CLI::Validator(
      [minimum, maximum](std::string& value) -> std::string {
        long long parsed = 0;
        std::size_t used = 0;
        try {
          parsed = std::stoll(value, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != value.size() || used == 0 || parsed < minimum || parsed > maximum) {
          return "'" + excerpt(value) + "' is not a whole number from " + std::to_string(minimum) +
                 (maximum < kUnboundedWholeNumber ? " to " + std::to_string(maximum) : " up");
        }
        return {};
      },
      "", std::string(kWholeNumberName) + std::to_string(minimum) + " " + std::to_string(maximum));
}

// The range a whole_number() validator was made with.
inline std::optional<std::pair<long long, long long>> whole_number_range(
    const CLI::Validator& validator) {
  const auto& name = validator.get_name();
  if (!name.starts_with(kWholeNumberName))
    return std::nullopt;
  std::size_t used = 0;
  const auto rest = name.substr(kWholeNumberName.size());
  const auto minimum = std::stoll(rest, &used);
  return std::pair(minimum, std::stoll(rest.substr(used)));
}

// A folder option: a path that exists must be a directory (one that does not is left to the
// command, which may create it), and no path may be longer than the system takes.
inline CLI::Validator folder_path() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        constexpr std::size_t kLongestPath = 4095;
        if (value.size() > kLongestPath) {
          return "'" + excerpt(value) + "' is longer than a path can be (" +
                 std::to_string(kLongestPath) + " bytes)";
        }
        std::error_code error;
        const auto status = std::filesystem::status(value, error);
        if (error.value() == ENOTDIR ||
            (std::filesystem::exists(status) && !std::filesystem::is_directory(status))) {
          return "'" + excerpt(value) + "' is not a directory; give a folder";
        }
        return {};
      },
      "", "folder");
}

// Integers on the command line are decimal: CLI11 converts with strtoll(s, 0), which reads
// "000100" as octal 64 and "0x10" as 16, clamps what overflows and wraps "-1" for unsigned types.
// This transform, put first on every integer option by the dispatcher, accepts an optional sign
// (no '-' for unsigned options) and decimal digits only, strips leading zeros, and rejects values
// past 64 bits, so "000100" and "100" are the same number and anything else is a usage error
// naming the option (the dispatcher then adds the accepted range).
enum class Signedness { is_signed, is_unsigned };
inline CLI::Validator decimal_integer(Signedness signedness) {
  return CLI::Validator(
      [signedness](std::string& value) -> std::string {
        std::size_t digits = value.starts_with('-') || value.starts_with('+') ? 1 : 0;
        const bool negative = value.starts_with('-');
        if (digits == value.size() ||
            value.find_first_not_of("0123456789", digits) != std::string::npos) {
          return "'" + excerpt(value) + "' is not a decimal whole number";
        }
        while (digits + 1 < value.size() && value[digits] == '0')
          ++digits;
        const auto magnitude = value.substr(digits);
        const bool zero = magnitude == "0";
        const std::string largest =
            signedness == Signedness::is_unsigned
                ? std::to_string(std::numeric_limits<unsigned long long>::max())
                : std::to_string(std::numeric_limits<long long>::max() + 0ULL + (negative ? 1 : 0));
        const bool too_large = magnitude.size() > largest.size() ||
                               (magnitude.size() == largest.size() && magnitude > largest);
        if (too_large || (negative && !zero && signedness == Signedness::is_unsigned))
          return "'" + excerpt(value) + "' is out of range";
        value = (negative && !zero ? "-" : "") + magnitude;
        return {};
      },
      "", "decimal");
}

}  // namespace agentdb
