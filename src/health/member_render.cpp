#include "health/member_render.hpp"

#include "core/output.hpp"
#include "health/check.hpp"
#include "util/strings.hpp"

namespace agentdb::health {

using nlohmann::json;

json member_json(const db::MemberState& member) {
  return {{"address", member.address},
          {"role", member.role()},
          {"timeline", member.timeline ? json(*member.timeline) : json(nullptr)},
          {"wal_position",
           member.wal_position ? json(db::format_lsn(*member.wal_position)) : json(nullptr)},
          {"lag_bytes", member.lag_bytes ? json(*member.lag_bytes) : json(nullptr)},
          {"error", member.reached ? json(nullptr) : json(member.error)}};
}

std::string member_text(const db::MemberState& member) {
  std::string text = member.address + " " + member.role();
  if (member.timeline)
    text += " tl " + std::to_string(*member.timeline);
  if (member.lag_bytes)
    text += " lag " + format_value(static_cast<double>(*member.lag_bytes), Unit::bytes);
  return util::printable(text);
}

std::string members_table(const std::vector<db::MemberState>& members) {
  Table table({"MEMBER", "ROLE", "TIMELINE", "WAL", "LAG"});
  for (const auto& member : members) {
    table.add_row(
        {util::printable(member.address), member.role(),
         member.timeline ? std::to_string(*member.timeline) : "-",
         member.wal_position ? db::format_lsn(*member.wal_position) : util::printable(member.error),
         member.lag_bytes ? format_value(static_cast<double>(*member.lag_bytes), Unit::bytes)
                          : "-"});
  }
  return table.render();
}

}  // namespace agentdb::health
