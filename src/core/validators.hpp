// Command-line value checks whose failure messages read like the rest of agentdb's errors.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace agentdb {

// A whole number from `minimum` to `maximum`.
inline CLI::Validator whole_number(long long minimum, long long maximum = (1LL << 62)) {
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
          return "'" + value + "' is not a whole number from " + std::to_string(minimum) +
                 (maximum < (1LL << 62) ? " to " + std::to_string(maximum) : " up");
        }
        return {};
      },
      "", "whole number");
}

// Integers on the command line are decimal: CLI11 converts with strtoll(s, 0), which reads
// "000100" as octal 64 and "0x10" as 16. This transform, put first on every integer option by the
// dispatcher, accepts an optional sign and decimal digits only and strips leading zeros, so
// "000100" and "100" are the same number and anything else is a usage error naming the option.
inline CLI::Validator decimal_integer() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        std::size_t digits = value.starts_with('-') || value.starts_with('+') ? 1 : 0;
        const auto sign = value.substr(0, digits);
        if (digits == value.size() ||
            value.find_first_not_of("0123456789", digits) != std::string::npos) {
          return "'" + value + "' is not a decimal whole number";
        }
        while (digits + 1 < value.size() && value[digits] == '0')
          ++digits;
        value = (sign == "-" ? sign : std::string()) + value.substr(digits);
        return {};
      },
      "", "decimal");
}

}  // namespace agentdb
