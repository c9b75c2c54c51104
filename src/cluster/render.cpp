#include "cluster/render.hpp"

#include <cmath>
#include <cstdio>

#include "util/strings.hpp"

namespace agentdb::cluster {

namespace {

using nlohmann::json;

std::string lsn_text(std::uint64_t lsn) {
  char text[24];
  std::snprintf(text, sizeof text, "%X/%X", static_cast<unsigned>(lsn >> 32),
                static_cast<unsigned>(lsn & 0xffffffffU));
  return text;
}

std::string bytes_text(const std::optional<std::int64_t>& bytes) {
  return bytes ? util::human_bytes(static_cast<std::uint64_t>(std::max<std::int64_t>(0, *bytes)))
               : std::string("-");
}

// What PostgreSQL said, in a few words.
std::string postgres_text(const PostgresView& pg) {
  if (!pg.asked)
    return "not asked";
  if (!pg.reached)
    return "no answer";
  std::string text = pg.in_recovery ? "standby" : "primary";
  if (pg.wal_position)
    text += " at " + lsn_text(*pg.wal_position);
  return text;
}

json member_json(const MemberStatus& member) {
  const auto& p = member.patroni;
  json patroni = {{"role", p.role},
                  {"state", p.state},
                  {"host", p.host},
                  {"port", p.port},
                  {"timeline", p.timeline ? json(*p.timeline) : json(nullptr)},
                  {"lag_bytes", p.lag_bytes ? json(*p.lag_bytes) : json(nullptr)}};
  const auto& pg = member.postgres;
  json postgres = {{"asked", pg.asked}, {"reached", pg.reached}};
  if (pg.reached) {
    postgres["in_recovery"] = pg.in_recovery;
    postgres["timeline"] = pg.timeline ? json(*pg.timeline) : json(nullptr);
    postgres["wal_position"] = pg.wal_position ? json(lsn_text(*pg.wal_position)) : json(nullptr);
    postgres["lag_bytes"] = pg.lag_bytes ? json(*pg.lag_bytes) : json(nullptr);
    postgres["replay_delay_s"] =
        pg.replay_delay_seconds ? json(*pg.replay_delay_seconds) : json(nullptr);
  } else if (pg.asked) {
    postgres["error"] = pg.error;
  }
  return {{"name", p.name},
          {"status", level_name(member.level)},
          {"patroni", patroni},
          {"postgres", postgres},
          {"problems", member.problems}};
}

}  // namespace

json status_json(const StatusResult& result) {
  json sources = json::array();
  for (const auto& source : result.sources) {
    json item = {{"url", source.url}, {"answered", source.answered}};
    if (source.answered)
      item["leader"] = source.leader().empty() ? json(nullptr) : json(source.leader());
    else
      item["error"] = source.error;
    sources.push_back(item);
  }
  json members = json::array();
  for (const auto& member : result.members)
    members.push_back(member_json(member));
  return {{"status", level_name(result.level)},
          {"sources", sources},
          {"members", members},
          {"problems", result.problems}};
}

std::string status_text(const StatusResult& result, const Output& out) {
  std::string text;
  if (!result.members.empty()) {
    Table table({"MEMBER", "ROLE", "STATE", "HOST", "TL", "LAG (PATRONI)", "POSTGRESQL",
                 "LAG (WAL)", "STATUS"});
    for (const auto& member : result.members) {
      const auto& p = member.patroni;
      const auto level = level_name(member.level);
      const auto colour = member.level == Level::ok        ? Colour::green
                          : member.level == Level::warning ? Colour::yellow
                                                           : Colour::red;
      table.add_row({util::printable(p.name), util::printable(p.role), util::printable(p.state),
                     util::printable(p.host) + ":" + std::to_string(p.port),
                     p.timeline ? std::to_string(*p.timeline) : "-", bytes_text(p.lag_bytes),
                     postgres_text(member.postgres), bytes_text(member.postgres.lag_bytes),
                     out.paint(colour, level)});
    }
    text += table.render() + "\n";
  }
  for (const auto& problem : result.problems)
    text += "- " + util::printable(problem) + "\n";
  std::string leader;
  for (const auto& source : result.sources) {
    if (source.answered) {
      leader = source.leader();
      break;
    }
  }
  text += std::string(level_name(result.level)) + ": " + std::to_string(result.members.size()) +
          " member(s)" + (leader.empty() ? std::string() : ", leader " + util::printable(leader)) +
          ", " + std::to_string(result.problems.size()) + " problem(s)";
  return text;
}

}  // namespace agentdb::cluster
