// Feeds arbitrary bytes to the agentdb.toml reader (toml++ and the flattening into settings) and
// renders every value it accepts as a setting. The expected failure is toml::ParseError with a
// position in the text; anything else (a crash, a sanitizer report, another exception, a key that
// is not fully qualified) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/toml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace agentdb;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& [key, value] : toml::parse(input)) {
      if (key.empty() || key.front() == '.' || key.back() == '.' ||
          key.find("..") != std::string::npos)
        __builtin_trap();
      (void)toml::to_setting(value);
    }
  } catch (const toml::ParseError& e) {
    if (e.line() < 1 || e.column() < 1)
      __builtin_trap();
  }
  return 0;
}
