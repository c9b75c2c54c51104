#include "seed/seed.hpp"

#include <ctime>
#include <string>

#include "core/error.hpp"

namespace agentdb::seed {

namespace {

[[noreturn]] void usage(const std::string& message, const std::string& hint) {
  throw Error(ExitCode::usage, message, hint);
}

// Midnight UTC at the start of `date`, or of today when empty, as Unix seconds: the data ends
// there, so a run on the same day with the same seed writes the same data. Only a real day in
// YYYY-MM-DD form is taken (strptime alone takes 2026-02-31 and trailing text).
long long end_of_window(const std::string& date) {
  std::tm parts{};
  if (date.empty()) {
    const std::time_t now = std::time(nullptr);
    ::gmtime_r(&now, &parts);
    parts.tm_hour = parts.tm_min = parts.tm_sec = 0;
    return static_cast<long long>(::timegm(&parts));
  }
  const char* rest = ::strptime(date.c_str(), "%Y-%m-%d", &parts);
  const std::time_t midnight = ::timegm(&parts);  // normalises 02-31 to 03-03
  std::tm again{};
  char text[32] = {};
  if (rest != nullptr && *rest == '\0' && ::gmtime_r(&midnight, &again) != nullptr)
    std::strftime(text, sizeof text, "%Y-%m-%d", &again);
  if (date != text)
    usage("invalid --end '" + date + "'", "use a day as YYYY-MM-DD, such as 2026-11-23");
  return static_cast<long long>(midnight);
}

void check_count(const char* option, long long count, long long least, long long most) {
  if (count < least || count > most) {
    usage(std::string(option) + " " + std::to_string(count) + " is out of range",
          std::string(option) + " takes a whole number from " + std::to_string(least) + " to " +
              std::to_string(most));
  }
}

void check_counts(const SynthCounts& c) {
  check_count("--users", c.users, 1, kMaxSynthHeld);
  check_count("--conversations", c.conversations, 1, kMaxSynthHeld);
  check_count("--messages", c.messages, 0, kMaxSynthRows);
  check_count("--executions", c.executions, 0, kMaxSynthRows);
  // Each bounded above, so the sum cannot overflow.
  const long long rows = c.users + c.conversations + c.messages + 2 * c.executions;
  if (rows > kMaxSynthRows) {
    usage("the requested synthetic data is " + std::to_string(rows) +
              " rows (users, conversations, messages, executions and their costs)",
          "keep the total at " + std::to_string(kMaxSynthRows) + " rows or fewer");
  }
}

// The window [end - days, end) must lie within 1970 (Unix time, which the generated ids carry)
// and the year 9999 (four-digit years).
void check_window(long long end_unix, int days) {
  check_count("--days", days, 1, kMaxSynthDays);
  constexpr long long kYear10000 = 253'402'300'800;  // 10000-01-01 00:00:00 UTC
  if (end_unix >= kYear10000)
    usage("--end lies after the year 9999", "give a day up to 9999-12-31");
  if (end_unix - static_cast<long long>(days) * 86'400 < 0) {
    usage("--end and --days put the start of the data before 1970-01-01",
          "give a later --end or fewer --days");
  }
}

}  // namespace

std::vector<SetSummary> list_seed_sets(const std::filesystem::path& dir) {
  std::vector<SetSummary> summaries;
  for (const auto& name : list_sets(dir)) {
    const auto set = load_set(dir, name);
    SetSummary summary{name, set.files.size(), set.row_count(), {}};
    for (const auto& file : set.files)
      summary.tables.push_back(file.table);
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

std::vector<SeedSet> load_seed_sets(const SeedRequest& request) {
  const auto names = request.sets.empty() ? std::vector<std::string>{"reference"} : request.sets;
  std::vector<SeedSet> sets;
  for (const auto& name : names)
    sets.push_back(load_set(request.dir, name));
  return sets;
}

SeedResult apply_seed_sets(db::Session& session, const std::vector<SeedSet>& sets,
                           const SeedRequest& request) {
  SeedResult result;
  result.commit = request.commit;
  for (const auto& set : sets) {
    result.sets.push_back(apply_set(session, set, request.commit));
    if (request.after_each)
      request.after_each(result.sets.back());
  }
  return result;
}

SynthSettings synth_settings(const SynthRequest& request) {
  SynthSettings settings;
  check_count("--scale", request.scale, 1, kMaxSynthScale);  // before it multiplies
  settings.counts = counts_for_scale(request.scale);
  auto& c = settings.counts;
  c.users = request.users.value_or(c.users);
  c.conversations = request.conversations.value_or(c.conversations);
  c.messages = request.messages.value_or(c.messages);
  c.executions = request.executions.value_or(c.executions);
  check_counts(c);
  settings.random_seed = request.random_seed;
  settings.days = request.days;
  settings.end_unix = end_of_window(request.end_date);
  check_window(settings.end_unix, settings.days);
  return settings;
}

}  // namespace agentdb::seed
