#include "cluster/cluster.hpp"

#include <algorithm>
#include <set>

#include "cluster/gather.hpp"
#include "util/strings.hpp"

namespace agentdb::cluster {

namespace {

// Patroni 3.0 says "running" of a healthy replica, later versions "streaming".
bool replica_state_ok(const std::string& state) {
  return state == "running" || state == "streaming";
}

class Findings {
 public:
  explicit Findings(StatusResult& result) : result_(result) {}
  void add(Level level, const std::string& problem, MemberStatus* member = nullptr) {
    result_.level = std::max(result_.level, level);
    result_.problems.push_back(problem);
    if (member != nullptr) {
      member->level = std::max(member->level, level);
      member->problems.push_back(problem);
    }
  }

 private:
  StatusResult& result_;
};

// Two Patroni APIs that name different leaders (or one none) see two clusters.
void judge_sources(const StatusResult& result, Findings& findings) {
  std::set<std::string> leaders;
  std::string views;
  for (const auto& source : result.sources) {
    if (!source.answered) {
      findings.add(Level::warning, "Patroni at " + source.url + " gives no view: " + source.error);
      continue;
    }
    const auto leader = source.leader();
    leaders.insert(leader);
    views += (views.empty() ? "" : ", ") + source.url + " sees " +
             (leader.empty() ? "no leader" : "leader " + leader);
  }
  if (leaders.size() > 1)
    findings.add(Level::critical, "split view: " + views);
}

void judge_postgres(MemberStatus& member, bool is_leader, const std::string& leader,
                    Findings& findings) {
  const auto& pg = member.postgres;
  const auto& name = member.patroni.name;
  if (!pg.asked)
    return;
  if (!pg.reached) {
    findings.add(is_leader ? Level::critical : Level::warning,
                 (is_leader ? "leader " : "replica ") + name + ": PostgreSQL does not answer (" +
                     pg.error + ")",
                 &member);
  } else if (is_leader && pg.in_recovery) {
    findings.add(Level::critical, "leader " + name + " is still in recovery (not yet a primary)",
                 &member);
  } else if (!is_leader && !pg.in_recovery) {
    findings.add(Level::critical,
                 name + " is a primary too, beside the leader " +
                     (leader.empty() ? std::string("(none)") : leader) + ": split brain",
                 &member);
  }
}

void judge_replica(MemberStatus& member, const PatroniMember* leader,
                   std::int64_t lag_warning_bytes, Findings& findings) {
  const auto& name = member.patroni.name;
  if (!replica_state_ok(member.patroni.state))
    findings.add(Level::warning, "replica " + name + " is " + member.patroni.state, &member);
  const auto lag = member.postgres.lag_bytes ? member.postgres.lag_bytes : member.patroni.lag_bytes;
  if (lag && *lag > lag_warning_bytes) {
    findings.add(Level::warning,
                 "replica " + name + " is " + util::human_bytes(static_cast<std::uint64_t>(*lag)) +
                     " behind (warning above " +
                     util::human_bytes(static_cast<std::uint64_t>(lag_warning_bytes)) + ")",
                 &member);
  }
  if (leader != nullptr && leader->timeline && member.patroni.timeline &&
      *leader->timeline != *member.patroni.timeline && replica_state_ok(member.patroni.state)) {
    findings.add(Level::warning,
                 "replica " + name + " is on timeline " + std::to_string(*member.patroni.timeline) +
                     ", the leader on " + std::to_string(*leader->timeline),
                 &member);
  }
}

}  // namespace

const char* level_name(Level level) {
  switch (level) {
    case Level::ok:
      return "OK";
    case Level::warning:
      return "WARNING";
    case Level::critical:
      return "CRITICAL";
    case Level::unknown:
      break;
  }
  return "UNKNOWN";
}

StatusResult evaluate(std::vector<PatroniView> sources, std::vector<MemberStatus> members,
                      std::int64_t lag_warning_bytes) {
  StatusResult result;
  result.sources = std::move(sources);
  result.members = std::move(members);
  const auto first = std::find_if(result.sources.begin(), result.sources.end(),
                                  [](const PatroniView& view) { return view.answered; });
  if (first == result.sources.end()) {
    result.level = Level::unknown;
    for (const auto& source : result.sources)
      result.problems.push_back("Patroni at " + source.url + " gives no view: " + source.error);
    return result;
  }
  Findings findings(result);
  judge_sources(result, findings);
  const auto leader = first->leader();
  if (leader.empty())
    findings.add(Level::critical,
                 "no leader: Patroni lists none (a failover under way, or no "
                 "member can take over)");
  const PatroniMember* leader_member = nullptr;
  std::optional<std::uint64_t> primary_position;
  for (const auto& member : result.members) {
    if (member.patroni.name == leader) {
      leader_member = &member.patroni;
      if (member.postgres.reached && !member.postgres.in_recovery)
        primary_position = member.postgres.wal_position;
    }
  }
  for (auto& member : result.members) {
    const bool is_leader = !leader.empty() && member.patroni.name == leader;
    auto& pg = member.postgres;
    if (!is_leader && primary_position)
      pg.lag_bytes = db::lag_behind(*primary_position, pg);
    judge_postgres(member, is_leader, leader, findings);
    if (!is_leader)
      judge_replica(member, leader_member, lag_warning_bytes, findings);
  }
  return result;
}

StatusResult cluster_status(const StatusRequest& request) {
  std::vector<std::string> urls;
  for (const auto& url : request.patroni_urls)
    urls.push_back(checked_patroni_url(url));
  std::vector<PatroniView> sources;
  for (const auto& url : urls)
    sources.push_back(ask_patroni(url, request.timeout));
  std::vector<MemberStatus> members;
  for (const auto& source : sources) {
    if (!source.answered)
      continue;
    for (const auto& patroni : source.members) {
      MemberStatus member;
      member.patroni = patroni;
      if (request.credentials && !patroni.host.empty() && patroni.port > 0)
        member.postgres =
            ask_postgres(*request.credentials, patroni.host, patroni.port, request.timeout);
      members.push_back(std::move(member));
    }
    break;
  }
  return evaluate(std::move(sources), std::move(members), request.lag_warning_bytes);
}

}  // namespace agentdb::cluster
