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

}  // namespace agentdb
