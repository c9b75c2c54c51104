#include "seed/seed.hpp"

#include <ctime>

#include "core/error.hpp"

namespace agentdb::seed {

namespace {

// Midnight UTC at the start of `date`, or of today when empty, as Unix seconds: the data ends
// there, so a run on the same day with the same seed writes the same data.
long long end_of_window(const std::string& date) {
  std::tm parts{};
  if (date.empty()) {
    const std::time_t now = std::time(nullptr);
    ::gmtime_r(&now, &parts);
  } else if (::strptime(date.c_str(), "%Y-%m-%d", &parts) == nullptr) {
    throw Error(ExitCode::usage, "invalid --end '" + date + "'", "use a date such as 2026-11-23");
  }
  parts.tm_hour = parts.tm_min = parts.tm_sec = 0;
  return static_cast<long long>(::timegm(&parts));
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
  settings.counts = counts_for_scale(request.scale);
  auto& c = settings.counts;
  c.users = request.users.value_or(c.users);
  c.conversations = request.conversations.value_or(c.conversations);
  c.messages = request.messages.value_or(c.messages);
  c.executions = request.executions.value_or(c.executions);
  if (c.users < 1 || c.conversations < 1 || c.messages < 0 || c.executions < 0) {
    throw Error(ExitCode::usage, "synthetic data needs at least one user and one conversation");
  }
  settings.random_seed = request.random_seed;
  settings.days = request.days;
  settings.end_unix = end_of_window(request.end_date);
  return settings;
}

}  // namespace agentdb::seed
