// The period a cost report covers: whole days in a time zone, from --since or --from/--to, and the
// period of the same length just before it. Pure: today's date comes from the caller.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace agentdb::cost {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  [[nodiscard]] std::string text() const;  // YYYY-MM-DD
  [[nodiscard]] long long days_since_epoch() const;
  [[nodiscard]] static Date from_days(long long days);
  [[nodiscard]] Date plus_days(long long days) const {
    return from_days(days_since_epoch() + days);
  }
  friend bool operator==(const Date&, const Date&) = default;
};

// "2026-11-23"; nullopt unless a real calendar date.
[[nodiscard]] std::optional<Date> parse_date(std::string_view text);

struct Window {
  Date from;  // inclusive
  Date to;    // inclusive
  [[nodiscard]] long long days() const {
    return to.days_since_epoch() - from.days_since_epoch() + 1;
  }
  // The window of the same length that ends the day before this one starts.
  [[nodiscard]] Window previous() const;
};

// --since Nd | Nw (the last N days or weeks, today included), or --from/--to (inclusive dates;
// --to defaults to today). Default: the last 30 days. Throws Error(usage) for anything else, a
// window that ends before it starts, or one longer than 20 years.
[[nodiscard]] Window resolve_window(std::string_view since, std::string_view from,
                                    std::string_view to, const Date& today);

}  // namespace agentdb::cost
