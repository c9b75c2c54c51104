// Pieces of text that the table and the HTML page of a report share.
#pragma once

#include <optional>
#include <string>

#include "cost/cost.hpp"

namespace agentdb::cost {

// Milliseconds rounded to a whole number, or "-" without executions.
[[nodiscard]] std::string ms_text(const std::optional<double>& ms);

// Thousands separators for counts: 1234567 -> 1,234,567.
[[nodiscard]] std::string grouped_digits(long long value);

// A group as a person reads it: its label and the start of its id, or its key.
[[nodiscard]] std::string key_text(const Figures& f);

// "2026-10-01 to 2026-11-30 (61 days, UTC)".
[[nodiscard]] std::string period_text(const Report& report);

}  // namespace agentdb::cost
