#include "qdrant/planner.hpp"

#include <algorithm>

namespace agentdb::qdrant {

using nlohmann::json;

const char* to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::create:
      return "create";
    case ChangeKind::recreate:
      return "recreate";
    case ChangeKind::update:
      return "update";
    case ChangeKind::create_index:
      return "create-index";
    case ChangeKind::delete_index:
      return "delete-index";
    case ChangeKind::aliases:
      return "aliases";
  }
  return "?";
}

bool Plan::destructive() const {
  return std::any_of(changes.begin(), changes.end(), [](const Change& c) { return c.destructive; });
}

namespace {

std::string show(const json& value) {
  return value.is_null() ? "(none)" : value.dump();
}

bool same_value(const json& desired, const json& live) {
  if (desired.is_number() && live.is_number())
    return desired.get<double>() == live.get<double>();
  return desired == live;
}

// Records every key given in `desired` whose live value differs, as "path: live -> desired".
// Keys the file leaves out are Qdrant's to choose, so they never count as drift.
void diff_subset(const json& desired, const json& live, const std::string& path,
                 std::vector<std::string>& out) {
  if (desired.is_object() && live.is_object()) {
    for (const auto& [key, value] : desired.items()) {
      const auto found = live.find(key);
      diff_subset(value, found == live.end() ? json(nullptr) : *found,
                  path.empty() ? key : path + "." + key, out);
    }
    return;
  }
  if (!same_value(desired, live))
    out.push_back(path + ": " + show(live) + " -> " + show(desired));
}

struct CollectionDiff {
  std::vector<std::string> destructive;  // needs the collection recreated
  std::vector<std::string> in_place;     // PATCH can change it
  json patch = json::object();
};

// Vector parameters: size, distance, datatype and multivector layout are fixed at creation; the
// rest can be patched (under the vector's name, "" for the unnamed one).
void diff_vector(const json& desired, const json& live, const std::string& name,
                 const std::string& path, CollectionDiff& diff) {
  for (const auto& [key, value] : desired.items()) {
    const auto found = live.find(key);
    const json live_value = found == live.end() ? json(nullptr) : *found;
    std::vector<std::string> changed;
    diff_subset(value, live_value, path + "." + key, changed);
    if (changed.empty())
      continue;
    const bool patchable = key == "on_disk" || key == "hnsw_config" || key == "quantization_config";
    auto& list = patchable ? diff.in_place : diff.destructive;
    list.insert(list.end(), changed.begin(), changed.end());
    if (patchable)
      diff.patch["vectors"][name][key] = value;
  }
}

void diff_vectors(const json& desired, const json& live, CollectionDiff& diff) {
  const bool desired_single = desired.contains("size");
  const bool live_single = live.is_object() && live.contains("size");
  if (desired_single != live_single) {
    diff.destructive.push_back(std::string("vectors: ") + (live_single ? "one unnamed" : "named") +
                               " -> " + (desired_single ? "one unnamed" : "named"));
    return;
  }
  if (desired_single) {
    diff_vector(desired, live, "", "vectors", diff);
    return;
  }
  for (const auto& [name, params] : desired.items()) {
    if (!live.contains(name)) {
      diff.destructive.push_back("vectors." + name + ": added");
      continue;
    }
    diff_vector(params, live[name], name, "vectors." + name, diff);
  }
  for (const auto& [name, params] : live.items()) {
    if (!desired.contains(name))
      diff.destructive.push_back("vectors." + name + ": removed");
  }
}

// Where each create-body key lives in GET /collections/{name} (config.params or config), and
// whether PATCH can change it (and under which key).
struct KeyRule {
  const char* key;
  const char* live_section;  // "params" or "config"
  const char* live_key;
  const char* patch_key;  // nullptr: recreate only
  bool under_params;      // patched inside "params"
};
constexpr KeyRule kRules[] = {
    {"shard_number", "params", "shard_number", nullptr, false},
    {"sharding_method", "params", "sharding_method", nullptr, false},
    {"replication_factor", "params", "replication_factor", "replication_factor", true},
    {"write_consistency_factor", "params", "write_consistency_factor", "write_consistency_factor",
     true},
    {"on_disk_payload", "params", "on_disk_payload", "on_disk_payload", true},
    {"hnsw_config", "config", "hnsw_config", "hnsw_config", false},
    {"optimizers_config", "config", "optimizer_config", "optimizers_config", false},
    {"quantization_config", "config", "quantization_config", "quantization_config", false},
    {"wal_config", "config", "wal_config", nullptr, false},
    {"strict_mode_config", "config", "strict_mode_config", "strict_mode_config", false},
    {"metadata", "config", "metadata", "metadata", false},
};

CollectionDiff diff_collection(const CollectionSpec& spec, const json& info) {
  CollectionDiff diff;
  const json config = info.value("config", json::object());
  const json params = config.value("params", json::object());
  const auto& body = spec.create_body;
  if (body.contains("vectors"))
    diff_vectors(body["vectors"], params.value("vectors", json(nullptr)), diff);
  if (body.contains("sparse_vectors")) {
    const json live_sparse = params.value("sparse_vectors", json::object());
    for (const auto& [name, value] : body["sparse_vectors"].items()) {
      if (!live_sparse.is_object() || !live_sparse.contains(name)) {
        diff.destructive.push_back("sparse_vectors." + name + ": added");
        continue;
      }
      std::vector<std::string> changed;
      diff_subset(value, live_sparse[name], "sparse_vectors." + name, changed);
      if (!changed.empty()) {
        diff.in_place.insert(diff.in_place.end(), changed.begin(), changed.end());
        diff.patch["sparse_vectors"][name] = value;
      }
    }
    if (live_sparse.is_object()) {
      for (const auto& [name, value] : live_sparse.items()) {
        if (!body["sparse_vectors"].contains(name))
          diff.destructive.push_back("sparse_vectors." + name + ": removed");
      }
    }
  }
  for (const auto& rule : kRules) {
    if (!body.contains(rule.key))
      continue;
    const json& section = std::string_view(rule.live_section) == "params" ? params : config;
    const auto found = section.find(rule.live_key);
    std::vector<std::string> changed;
    diff_subset(body[rule.key], found == section.end() ? json(nullptr) : *found, rule.key, changed);
    if (changed.empty())
      continue;
    if (rule.patch_key == nullptr) {
      diff.destructive.insert(diff.destructive.end(), changed.begin(), changed.end());
    } else {
      diff.in_place.insert(diff.in_place.end(), changed.begin(), changed.end());
      if (rule.under_params)
        diff.patch["params"][rule.patch_key] = body[rule.key];
      else
        diff.patch[rule.patch_key] = body[rule.key];
    }
  }
  return diff;
}

json index_body(const std::string& field, const json& declaration) {
  return {{"field_name", field}, {"field_schema", declaration}};
}

void plan_indexes(const CollectionSpec& spec, const json* info, std::vector<Change>& changes) {
  const json live =
      info != nullptr ? info->value("payload_schema", json::object()) : json::object();
  for (const auto& [field, schema] : live.items()) {
    const auto declared = spec.payload_indexes.find(field);
    if (declared == spec.payload_indexes.end() && !spec.manages_indexes)
      continue;
    const auto live_type = schema.value("data_type", std::string());
    bool keep = declared != spec.payload_indexes.end() && index_type(declared->second) == live_type;
    std::vector<std::string> changed;
    if (keep && declared->second.is_object()) {
      json wanted = declared->second;
      wanted.erase("type");
      diff_subset(wanted, schema.value("params", json::object()), field, changed);
      keep = changed.empty();
    }
    if (keep)
      continue;
    Change change{ChangeKind::delete_index, spec.name, "", {}, false, nullptr, field};
    change.summary = declared == spec.payload_indexes.end()
                         ? "delete payload index " + field + " (" + live_type + ", not declared)"
                         : "replace payload index " + field + " (" + live_type + " -> " +
                               index_type(declared->second) + ")";
    change.details = changed;
    changes.push_back(change);
  }
  for (const auto& [field, declaration] : spec.payload_indexes) {
    const bool exists_as_declared =
        live.contains(field) && std::none_of(changes.begin(), changes.end(), [&](const Change& c) {
          return c.kind == ChangeKind::delete_index && c.collection == spec.name &&
                 c.field == field;
        });
    if (exists_as_declared)
      continue;
    changes.push_back({ChangeKind::create_index,
                       spec.name,
                       "create payload index " + field + " (" + index_type(declaration) + ")",
                       {},
                       false,
                       index_body(field, declaration),
                       field});
  }
}

void plan_aliases(const CollectionSpec& spec, const LiveState& live, bool recreated,
                  std::vector<Change>& changes) {
  json actions = json::array();
  std::vector<std::string> details;
  for (const auto& alias : spec.aliases) {
    const auto found = live.aliases.find(alias);
    if (found != live.aliases.end() && found->second == spec.name && !recreated)
      continue;
    if (found != live.aliases.end() && found->second != spec.name) {
      actions.push_back({{"delete_alias", {{"alias_name", alias}}}});
      details.push_back(alias + ": " + found->second + " -> " + spec.name);
    } else {
      details.push_back(alias + ": (none) -> " + spec.name);
    }
    actions.push_back({{"create_alias", {{"collection_name", spec.name}, {"alias_name", alias}}}});
  }
  if (!recreated && spec.manages_aliases) {
    for (const auto& [alias, collection] : live.aliases) {
      if (collection == spec.name &&
          std::find(spec.aliases.begin(), spec.aliases.end(), alias) == spec.aliases.end()) {
        actions.push_back({{"delete_alias", {{"alias_name", alias}}}});
        details.push_back(alias + ": " + spec.name + " -> (none)");
      }
    }
  }
  if (actions.empty())
    return;
  changes.push_back({ChangeKind::aliases,
                     spec.name,
                     "change " + std::to_string(details.size()) + " alias(es)",
                     details,
                     false,
                     {{"actions", actions}},
                     ""});
}

}  // namespace

Plan make_plan(const CollectionsFile& file, const LiveState& live) {
  Plan plan;
  for (const auto& spec : file.collections) {
    const auto found = live.collections.find(spec.name);
    const json* info = found == live.collections.end() ? nullptr : &found->second;
    bool recreated = false;
    if (info == nullptr) {
      plan.changes.push_back({ChangeKind::create,
                              spec.name,
                              "create collection " + spec.name,
                              {},
                              false,
                              spec.create_body,
                              ""});
      recreated = true;
    } else {
      const auto diff = diff_collection(spec, *info);
      if (!diff.destructive.empty()) {
        auto details = diff.destructive;
        details.insert(details.end(), diff.in_place.begin(), diff.in_place.end());
        const auto points = info->value("points_count", json(0));
        plan.changes.push_back(
            {ChangeKind::recreate, spec.name,
             "recreate collection " + spec.name + " (drops its " + show(points) + " points)",
             details, true, spec.create_body, ""});
        recreated = true;
      } else if (!diff.in_place.empty()) {
        plan.changes.push_back({ChangeKind::update, spec.name,
                                "update collection " + spec.name + " in place", diff.in_place,
                                false, diff.patch, ""});
      }
    }
    plan_indexes(spec, recreated ? nullptr : info, plan.changes);
    plan_aliases(spec, live, recreated && info != nullptr, plan.changes);
  }
  for (const auto& [name, info] : live.collections) {
    if (file.find(name) == nullptr)
      plan.undeclared.push_back(name);
  }
  return plan;
}

}  // namespace agentdb::qdrant
