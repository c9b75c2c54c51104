#include "cost/window.hpp"

#include <cstdio>

#include "core/error.hpp"
#include "util/strings.hpp"

namespace agentdb::cost {

namespace {

// Howard Hinnant's civil-date algorithms (days from 1970-01-01, proleptic Gregorian).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

[[noreturn]] void bad(const std::string& message, const std::string& hint) {
  throw Error(ExitCode::usage, message, hint);
}

}  // namespace

std::string Date::text() const {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year, month, day);
  return buffer;
}

long long Date::days_since_epoch() const {
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

Date Date::from_days(long long z) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return std::nullopt;
  const auto year = util::parse_int64(text.substr(0, 4));
  const auto month = util::parse_int64(text.substr(5, 2));
  const auto day = util::parse_int64(text.substr(8, 2));
  if (!year || !month || !day || *year < 1900 || *year > 9999 || *month < 1 || *month > 12)
    return std::nullopt;
  if (*day < 1 || *day > days_in_month(static_cast<int>(*year), static_cast<int>(*month)))
    return std::nullopt;
  return Date{static_cast<int>(*year), static_cast<int>(*month), static_cast<int>(*day)};
}

Window Window::previous() const {
  return Window{from.plus_days(-days()), from.plus_days(-1)};
}

Window resolve_window(std::string_view since, std::string_view from, std::string_view to,
                      const Date& today) {
  if (!since.empty() && (!from.empty() || !to.empty()))
    bad("--since and --from/--to both given", "use one way to name the period");
  if (!from.empty() || !to.empty()) {
    if (from.empty())
      bad("--to without --from", "give the first day with --from YYYY-MM-DD");
    const auto first = parse_date(from);
    if (!first)
      bad("invalid date '" + std::string(from) + "'", "write dates as YYYY-MM-DD, e.g. 2026-11-01");
    auto last = today;
    if (!to.empty()) {
      const auto parsed = parse_date(to);
      if (!parsed)
        bad("invalid date '" + std::string(to) + "'", "write dates as YYYY-MM-DD, e.g. 2026-11-30");
      last = *parsed;
    }
    Window window{*first, last};
    if (window.days() < 1)
      bad("--to " + last.text() + " is before --from " + first->text(), "swap the two dates");
    if (window.days() > 20 * 366)
      bad("a period of more than 20 years", "choose a shorter period");
    return window;
  }
  const std::string text = since.empty() ? std::string("30d") : std::string(since);
  const auto unit = text.empty() ? '\0' : text.back();
  const auto count = util::parse_int64(std::string_view(text).substr(0, text.size() - 1));
  if ((unit != 'd' && unit != 'w') || !count || *count < 1 || *count > 20 * 366) {
    bad("invalid --since '" + text + "'", "give days or weeks, e.g. 30d, 365d or 12w");
  }
  const long long days = unit == 'w' ? *count * 7 : *count;
  if (days > 20 * 366)
    bad("a period of more than 20 years", "choose a shorter period");
  return Window{today.plus_days(-(days - 1)), today};
}

}  // namespace agentdb::cost
