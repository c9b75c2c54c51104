#include "migrate/schema_diff.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "util/strings.hpp"

namespace agentdb::migrate {

namespace {

using Lines = std::vector<std::string>;

// "-- Name: a a_pkey; Type: CONSTRAINT; Schema: public; Owner: app" (an optional
// "; Tablespace: ..." follows the owner). The type is looked for from the right, as a name may
// hold "; ".
std::optional<SchemaObject> parse_header(std::string_view line) {
  constexpr std::string_view name_tag = "-- Name: ";
  constexpr std::string_view type_tag = "; Type: ";
  constexpr std::string_view schema_tag = "; Schema: ";
  if (!line.starts_with(name_tag))
    return std::nullopt;
  const auto type_at = line.rfind(type_tag);
  if (type_at == std::string_view::npos || type_at < name_tag.size())
    return std::nullopt;
  const auto schema_at = line.find(schema_tag, type_at);
  if (schema_at == std::string_view::npos)
    return std::nullopt;
  const auto schema_from = schema_at + schema_tag.size();
  const auto schema_end = line.find("; ", schema_from);
  SchemaObject object;
  object.name = line.substr(name_tag.size(), type_at - name_tag.size());
  object.type = line.substr(type_at + type_tag.size(), schema_at - type_at - type_tag.size());
  object.schema = line.substr(
      schema_from, schema_end == std::string_view::npos ? schema_end : schema_end - schema_from);
  return object;
}

// What pg_dump writes around objects rather than in them: blank lines, its "--" comment blocks
// and the session settings it switches before the objects that need them. Only stripped from the
// ends of an object, so a function body's own lines are never touched.
bool is_filler(std::string_view line) {
  return line.empty() || line.starts_with("--") ||
         (line.starts_with("SET ") && line.ends_with(";")) ||
         line.starts_with("SELECT pg_catalog.set_config(");
}

std::string object_text(const Lines& lines, std::size_t from, std::size_t to) {
  while (from < to && is_filler(lines[from]))
    ++from;
  while (to > from && is_filler(lines[to - 1]))
    --to;
  // pg_dump's runs of blank lines (two after every CREATE) say nothing; one is kept.
  std::string text;
  for (auto i = from; i < to; ++i) {
    if (!lines[i].empty() || !lines[i - 1].empty())
      text += lines[i] + "\n";
  }
  return text;
}

// A parenthesised list a statement spreads over lines (a table's columns, an enum's labels): the
// items without indentation or trailing comma, and the text around them.
struct ListedText {
  Lines items;
  Lines rest;
};

std::optional<ListedText> split_list(const std::string& text, std::string_view opener_start,
                                     std::string_view opener_end) {
  ListedText listed;
  bool inside = false;
  bool found = false;
  for (const auto& line : util::split_lines(text)) {
    if (inside && line.starts_with(")")) {
      inside = false;
    } else if (inside) {
      auto item = std::string(util::trim(line));
      if (item.ends_with(","))
        item.pop_back();
      listed.items.push_back(std::move(item));
      continue;
    } else if (!found && line.starts_with(opener_start) && line.ends_with(opener_end)) {
      inside = found = true;
    }
    listed.rest.push_back(line);
  }
  if (!found || inside)
    return std::nullopt;
  return listed;
}

bool is_subsequence(const Lines& shorter, const Lines& longer) {
  std::size_t at = 0;
  for (const auto& item : longer) {
    if (at < shorter.size() && item == shorter[at])
      ++at;
  }
  return at == shorter.size();
}

bool same_columns_reordered(const std::string& before, const std::string& after) {
  const auto a = split_list(before, "CREATE ", " (");
  const auto b = split_list(after, "CREATE ", " (");
  if (!a || !b || a->rest != b->rest || a->items == b->items)
    return false;
  auto sorted_a = a->items;
  auto sorted_b = b->items;
  std::sort(sorted_a.begin(), sorted_a.end());
  std::sort(sorted_b.begin(), sorted_b.end());
  return sorted_a == sorted_b;
}

bool only_extra_enum_labels(const std::string& before, const std::string& after) {
  const auto a = split_list(before, "CREATE TYPE ", " AS ENUM (");
  const auto b = split_list(after, "CREATE TYPE ", " AS ENUM (");
  if (!a || !b || a->rest != b->rest || a->items.size() == b->items.size())
    return false;
  return a->items.size() < b->items.size() ? is_subsequence(a->items, b->items)
                                           : is_subsequence(b->items, a->items);
}

std::string without_comment_lines(const std::string& text) {
  std::string kept;
  for (const auto& line : util::split_lines(text)) {
    if (!util::trim(line).starts_with("--"))
      kept += line + "\n";
  }
  return kept;
}

// Objects keyed by type, schema and name; a key seen again gets its occurrence number, so
// entries pg_dump names alike are still compared one to one.
std::vector<std::pair<std::string, SchemaObject>> keyed_objects(std::string_view dump) {
  std::vector<std::pair<std::string, SchemaObject>> keyed;
  std::map<std::string, int> seen;
  for (auto& object : split_dump_objects(dump)) {
    auto key = object.type + '\x1f' + object.schema + '\x1f' + object.name;
    if (const int n = seen[key]++; n > 0)
      key += '\x1f' + std::to_string(n);
    keyed.emplace_back(std::move(key), std::move(object));
  }
  return keyed;
}

ObjectDifference difference_of(const SchemaObject& object, const std::optional<std::string>& before,
                               const std::optional<std::string>& after) {
  ObjectDifference difference;
  difference.type = object.type;
  difference.schema = object.schema;
  difference.name = object.name;
  difference.change = !before  ? ObjectChange::added
                      : !after ? ObjectChange::removed
                               : ObjectChange::changed;
  difference.difference_class = classify_difference(object.type, before, after);
  difference.diff = unified_diff(before.value_or(""), after.value_or(""));
  return difference;
}

enum class EditKind { keep, remove, add };
struct Edit {
  EditKind kind;
  std::string_view line;
};

// The shortest edit script from `a` to `b` by longest common subsequence, removals before
// additions within a change. Schema objects are small; past a few million cells the middle is
// shown as removed and added whole rather than spending the memory.
std::vector<Edit> edit_script(const Lines& a, const Lines& b) {
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
    ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  const auto n = a.size() - prefix - suffix;
  const auto m = b.size() - prefix - suffix;
  std::vector<Edit> edits;
  for (std::size_t i = 0; i < prefix; ++i)
    edits.push_back({EditKind::keep, a[i]});
  const bool affordable = n * m <= 4'000'000;
  // lcs[i * (m + 1) + j]: length of the longest common subsequence of a[i..n) and b[j..m).
  std::vector<std::uint32_t> lcs(affordable ? (n + 1) * (m + 1) : 0, 0);
  const auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& {
    return lcs[i * (m + 1) + j];
  };
  for (std::size_t i = n; affordable && i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      at(i, j) = a[prefix + i] == b[prefix + j] ? at(i + 1, j + 1) + 1
                                                : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  std::size_t i = 0;
  std::size_t j = 0;
  while (affordable && i < n && j < m) {
    if (a[prefix + i] == b[prefix + j]) {
      edits.push_back({EditKind::keep, a[prefix + i++]});
      ++j;
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      edits.push_back({EditKind::remove, a[prefix + i++]});
    } else {
      edits.push_back({EditKind::add, b[prefix + j++]});
    }
  }
  for (; i < n; ++i)
    edits.push_back({EditKind::remove, a[prefix + i]});
  for (; j < m; ++j)
    edits.push_back({EditKind::add, b[prefix + j]});
  for (auto k = a.size() - suffix; k < a.size(); ++k)
    edits.push_back({EditKind::keep, a[k]});
  return edits;
}

// "l,n" of a hunk header, as diff(1) writes it: a lone line without ",1", an empty range at the
// line before it.
std::string hunk_range(std::size_t start, std::size_t length) {
  if (length == 1)
    return std::to_string(start + 1);
  return std::to_string(length == 0 ? start : start + 1) + "," + std::to_string(length);
}

std::string render_hunk(const std::vector<Edit>& edits, std::size_t from, std::size_t to,
                        std::size_t a_start, std::size_t b_start) {
  std::size_t a_length = 0;
  std::size_t b_length = 0;
  std::string body;
  for (auto k = from; k < to; ++k) {
    const auto kind = edits[k].kind;
    a_length += kind != EditKind::add;
    b_length += kind != EditKind::remove;
    body += kind == EditKind::keep ? ' ' : kind == EditKind::remove ? '-' : '+';
    body += std::string(edits[k].line) + "\n";
  }
  return "@@ -" + hunk_range(a_start, a_length) + " +" + hunk_range(b_start, b_length) + " @@\n" +
         body;
}

}  // namespace

std::vector<SchemaObject> split_dump_objects(std::string_view dump) {
  const auto lines = util::split_lines(dump);
  std::vector<SchemaObject> objects;
  std::size_t body_from = 0;
  for (std::size_t i = 0; i <= lines.size(); ++i) {
    auto header = i < lines.size() ? parse_header(lines[i]) : std::nullopt;
    if (i < lines.size() && !header)
      continue;
    if (!objects.empty())
      objects.back().text = object_text(lines, body_from, i);
    if (header)
      objects.push_back(std::move(*header));
    body_from = i + 1;
  }
  return objects;
}

std::string_view to_string(DifferenceClass difference_class) {
  switch (difference_class) {
    case DifferenceClass::column_order:
      return "column-order";
    case DifferenceClass::enum_values:
      return "enum-values";
    case DifferenceClass::comment:
      return "comment";
    default:
      return "real";
  }
}

std::string_view to_string(ObjectChange change) {
  switch (change) {
    case ObjectChange::added:
      return "added";
    case ObjectChange::removed:
      return "removed";
    default:
      return "changed";
  }
}

DifferenceClass classify_difference(std::string_view type, const std::optional<std::string>& before,
                                    const std::optional<std::string>& after) {
  if (type == "COMMENT")
    return DifferenceClass::comment;
  if (!before || !after)
    return DifferenceClass::real;
  if (without_comment_lines(*before) == without_comment_lines(*after))
    return DifferenceClass::comment;
  if (type == "TABLE" && same_columns_reordered(*before, *after))
    return DifferenceClass::column_order;
  if (type == "TYPE" && only_extra_enum_labels(*before, *after))
    return DifferenceClass::enum_values;
  return DifferenceClass::real;
}

std::vector<ObjectDifference> diff_schema_dumps(std::string_view before, std::string_view after) {
  const auto old_objects = keyed_objects(before);
  const auto new_objects = keyed_objects(after);
  std::map<std::string_view, const SchemaObject*> old_by_key;
  std::map<std::string_view, const SchemaObject*> new_by_key;
  for (const auto& [key, object] : old_objects)
    old_by_key.emplace(key, &object);
  for (const auto& [key, object] : new_objects)
    new_by_key.emplace(key, &object);
  std::vector<ObjectDifference> differences;
  for (const auto& [key, object] : old_objects) {
    const auto found = new_by_key.find(key);
    if (found == new_by_key.end())
      differences.push_back(difference_of(object, object.text, std::nullopt));
    else if (found->second->text != object.text)
      differences.push_back(difference_of(object, object.text, found->second->text));
  }
  for (const auto& [key, object] : new_objects) {
    if (!old_by_key.contains(key))
      differences.push_back(difference_of(object, std::nullopt, object.text));
  }
  return differences;
}

std::string object_label(const ObjectDifference& difference) {
  const auto& name = difference.name;
  if (difference.schema == "-")
    return difference.type + " " + name;
  if (name.find(' ') == std::string::npos)
    return difference.type + " " + difference.schema + "." + name;
  return difference.type + " " + name + " (schema " + difference.schema + ")";
}

std::string telling_changed_line(const ObjectDifference& difference) {
  const auto content = [](std::string_view line) {
    auto text = util::trim(line.substr(1));
    if (text.ends_with(','))
      text.remove_suffix(1);
    return std::string(text);
  };
  const auto lines = util::split_lines(difference.diff);
  Lines changed;
  std::multiset<std::string> removed_and_added[2];
  for (std::size_t i = 2; i < lines.size(); ++i) {  // after "--- before" and "+++ after"
    if (lines[i].starts_with('-') || lines[i].starts_with('+')) {
      removed_and_added[lines[i][0] == '+'].insert(content(lines[i]));
      changed.push_back(lines[i]);
    }
  }
  const auto telling = std::find_if(changed.begin(), changed.end(), [&](const std::string& line) {
    return !removed_and_added[line[0] == '-'].contains(content(line));
  });
  if (changed.empty())
    return {};
  const auto& shown = telling != changed.end() ? *telling : changed.front();
  return shown.size() > 60 ? shown.substr(0, 57) + "..." : shown;
}

std::string unified_diff(std::string_view before, std::string_view after, int context) {
  const auto a = util::split_lines(before);
  const auto b = util::split_lines(after);
  if (a == b)
    return {};
  const auto edits = edit_script(a, b);
  const auto gap = static_cast<std::size_t>(std::max(context, 0));
  // Lines of each side that come before edit k, for the hunk headers.
  std::vector<std::size_t> a_before(edits.size() + 1, 0);
  std::vector<std::size_t> b_before(edits.size() + 1, 0);
  for (std::size_t k = 0; k < edits.size(); ++k) {
    a_before[k + 1] = a_before[k] + (edits[k].kind != EditKind::add);
    b_before[k + 1] = b_before[k] + (edits[k].kind != EditKind::remove);
  }
  std::string out = "--- before\n+++ after\n";
  std::size_t next = 0;
  while (true) {
    auto change = next;
    while (change < edits.size() && edits[change].kind == EditKind::keep)
      ++change;
    if (change == edits.size())
      break;
    // Changes closer than twice the context share one hunk.
    auto last = change;
    for (auto k = change; k < edits.size() && k - last <= 2 * gap + 1; ++k) {
      if (edits[k].kind != EditKind::keep)
        last = k;
    }
    const auto from = std::max(next, change >= gap ? change - gap : 0);
    const auto to = std::min(edits.size(), last + gap + 1);
    out += render_hunk(edits, from, to, a_before[from], b_before[from]);
    next = to;
  }
  return out;
}

}  // namespace agentdb::migrate
