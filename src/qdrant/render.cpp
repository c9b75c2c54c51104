#include "qdrant/render.hpp"

#include "util/strings.hpp"

namespace agentdb::qdrant {

using nlohmann::json;

namespace {

const char* marker(const Change& change) {
  if (change.destructive)
    return "!";
  switch (change.kind) {
    case ChangeKind::create:
    case ChangeKind::create_index:
      return "+";
    case ChangeKind::delete_index:
      return "-";
    default:
      return "~";
  }
}

json change_json(const Change& change) {
  return {{"kind", to_string(change.kind)},
          {"collection", change.collection},
          {"summary", change.summary},
          {"details", change.details},
          {"destructive", change.destructive}};
}

json changes_json(const std::vector<Change>& changes) {
  json list = json::array();
  for (const auto& change : changes)
    list.push_back(change_json(change));
  return list;
}

// Index and alias changes name their collection; the others name it in their summary.
bool names_collection(ChangeKind kind) {
  return kind == ChangeKind::create_index || kind == ChangeKind::delete_index ||
         kind == ChangeKind::aliases;
}

void append_line(std::string& text, const std::string& line) {
  if (!text.empty())
    text += '\n';
  text += line;
}

// Collection names, statuses and versions come from the server or the collections file: the
// text forms show them through util::printable.
void append_changes(std::string& text, const PlanResult& result, const Output& out) {
  for (const auto& change : result.plan.changes) {
    auto line = std::string("  ") + marker(change) + " " + util::printable(change.summary);
    if (names_collection(change.kind))
      line += " on " + util::printable(change.collection);
    if (change.destructive)
      line += "  " + out.paint(Colour::red, "[destructive]");
    append_line(text, line);
    for (const auto& detail : change.details)
      append_line(text, "      " + util::printable(detail));
  }
  if (!result.plan.undeclared.empty()) {
    append_line(text, "left alone (not in " + util::printable(result.source) +
                          "): " + util::printable(util::join(result.plan.undeclared, ", ")));
  }
}

Colour status_colour(const std::string& status) {
  return status == "green" ? Colour::green : (status == "yellow" ? Colour::yellow : Colour::red);
}

std::string count_text(const json& count) {
  return count.is_number() ? std::to_string(count.get<long long>()) : std::string("-");
}

std::string drift_text(const CollectionStatus& row) {
  if (!row.declared)
    return "not declared";
  return row.drift == 0 ? std::string("none") : std::to_string(row.drift) + " change(s)";
}

}  // namespace

json plan_json(const PlanResult& result) {
  return {{"url", result.url},
          {"server_version", result.server_version},
          {"file", result.source},
          {"changes", changes_json(result.plan.changes)},
          {"undeclared", result.plan.undeclared},
          {"in_sync", result.plan.empty()}};
}

std::string plan_text(const PlanResult& result, const Output& out) {
  std::string text =
      "Qdrant " +
      util::printable(result.server_version + " at " + result.url + " against " + result.source) +
      ":";
  append_changes(text, result, out);
  if (result.plan.empty()) {
    append_line(text, "no changes: the server matches the file");
    return text;
  }
  int destructive = 0;
  for (const auto& change : result.plan.changes)
    destructive += change.destructive ? 1 : 0;
  append_line(text, std::to_string(result.plan.changes.size()) + " change(s), " +
                        std::to_string(destructive) +
                        " destructive; 'agentdb qdrant apply' makes them");
  return text;
}

std::string applied_line(const Change& change) {
  return std::string("  ") + marker(change) + " done: " + util::printable(change.summary) +
         (names_collection(change.kind) ? " on " + util::printable(change.collection) : "");
}

json apply_json(const ApplyResult& result) {
  return {{"applied", changes_json(result.applied)}, {"in_sync", true}};
}

std::string apply_text(const ApplyResult& result) {
  if (result.applied.empty())
    return "nothing to do: Qdrant at " + util::printable(result.url) + " already matches " +
           util::printable(result.source);
  return "applied " + std::to_string(result.applied.size()) + " change(s)";
}

json status_json(const StatusResult& result) {
  json rows = json::array();
  for (const auto& row : result.collections) {
    if (!row.exists) {
      rows.push_back({{"name", row.name}, {"status", "missing"}, {"declared", true}});
      continue;
    }
    rows.push_back({{"name", row.name},
                    {"status", row.status},
                    {"declared", row.declared},
                    {"points_count", row.points_count},
                    {"indexed_vectors_count", row.indexed_vectors_count},
                    {"segments_count", row.segments_count},
                    {"drift", row.drift}});
  }
  return {{"url", result.url}, {"server_version", result.server_version}, {"collections", rows}};
}

std::string status_text(const StatusResult& result, const Output& out) {
  Table table({"COLLECTION", "STATUS", "POINTS", "INDEXED", "SEGMENTS", "DRIFT"});
  for (const auto& row : result.collections) {
    if (!row.exists) {
      table.add_row({util::printable(row.name), out.paint(Colour::red, "missing"), "-", "-", "-",
                     "not created"});
      continue;
    }
    table.add_row({util::printable(row.name),
                   out.paint(status_colour(row.status), util::printable(row.status)),
                   count_text(row.points_count), count_text(row.indexed_vectors_count),
                   count_text(row.segments_count), drift_text(row)});
  }
  return "Qdrant " + util::printable(result.server_version + " at " + result.url) + "\n" +
         table.render();
}

json sync_check_json(const SyncCheckResult& result) {
  json rows = json::array();
  for (const auto& row : result.collections) {
    rows.push_back({{"collection", row.collection},
                    {"qdrant_points", row.points ? json(*row.points) : json(nullptr)},
                    {"postgres_rows", row.rows},
                    {"difference", row.difference},
                    {"in_sync", row.in_sync()}});
  }
  return {{"collections", rows}, {"in_sync", result.in_sync()}};
}

std::string sync_check_text(const SyncCheckResult& result) {
  Table table({"COLLECTION", "QDRANT", "POSTGRESQL", "DRIFT"});
  for (const auto& row : result.collections) {
    const auto drift = row.in_sync()
                           ? std::string("none")
                           : (row.difference > 0 ? "+" : "") + std::to_string(row.difference);
    table.add_row({util::printable(row.collection),
                   row.points ? std::to_string(*row.points) : "missing", std::to_string(row.rows),
                   drift});
  }
  return table.render() + (result.in_sync()
                               ? "every collection matches the rows it mirrors"
                               : std::to_string(result.drifted) + " collection(s) out of sync");
}

json snapshot_json(const SnapshotResult& result) {
  return {{"collection", result.collection}, {"snapshot", result.snapshot}};
}

std::string snapshot_name(const SnapshotResult& result) {
  return util::printable(result.snapshot.value("name", std::string()));
}

std::string snapshot_note(const SnapshotResult& result) {
  return "snapshot of " + util::printable(result.collection) + ": " +
         util::human_bytes(result.snapshot.value("size", std::uint64_t{0}));
}

json drop_json(const DropResult& result) {
  return {{"dropped", result.dropped}};
}

std::string drop_text(const DropResult& result) {
  return "dropped collection " + util::printable(result.dropped);
}

}  // namespace agentdb::qdrant
