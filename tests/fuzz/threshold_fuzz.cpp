// Feeds arbitrary bytes to the health threshold parser (--warning/--critical values and
// [health.CHECK] settings) for every unit: the first byte picks the unit, the rest is the text.
// A threshold it accepts must be finite, non-negative and printable in its unit; anything else (a
// crash, a sanitizer report, an exception) is a bug.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "health/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace agentdb::health;
  if (size == 0)
    return 0;
  constexpr Unit kUnits[] = {Unit::milliseconds, Unit::seconds, Unit::percent,
                             Unit::count,        Unit::bytes,   Unit::version};
  const Unit unit = kUnits[data[0] % std::size(kUnits)];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto value = parse_threshold(unit, text);
  if (!value)
    return 0;
  if (!std::isfinite(*value) || *value < 0 || (unit == Unit::percent && *value > 100))
    __builtin_trap();
  if (format_value(*value, unit).empty())
    __builtin_trap();
  for (const auto direction : {Direction::higher_is_worse, Direction::lower_is_worse}) {
    if (beyond(*value, *value, direction))
      __builtin_trap();
  }
  return 0;
}
