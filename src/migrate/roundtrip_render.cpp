#include "migrate/roundtrip_render.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "util/strings.hpp"

namespace agentdb::migrate {

namespace {

using nlohmann::json;

// "3 real, 1 comment".
std::string class_counts(const RoundtripFailure& failure) {
  std::string counts;
  for (const auto kind : {DifferenceClass::real, DifferenceClass::column_order,
                          DifferenceClass::enum_values, DifferenceClass::comment}) {
    const auto n = std::count_if(failure.objects.begin(), failure.objects.end(),
                                 [kind](const auto& o) { return o.difference_class == kind; });
    if (n > 0)
      counts +=
          (counts.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(to_string(kind));
  }
  return counts;
}

// What went wrong, in words: "the down of revision 2 add_column does not undo its up". A
// server's error and the names in it are shown as text.
std::string failure_summary(const RoundtripFailure& failure, int revisions) {
  const auto subject = failure.version ? "revision " + std::to_string(*failure.version) + " " +
                                             util::printable(failure.name)
                                       : std::string();
  const auto all = "all " + std::to_string(revisions) + " reversible revisions";
  if (!failure.error.empty())
    return util::printable(failure.error);
  switch (failure.stage) {
    case RoundtripStage::full_revert:
      return "reverting " + all + " does not give the schema before them";
    case RoundtripStage::full_reapply:
      return "re-applying " + all + " does not give the schema they gave the first time";
    default:
      return "the down of " + subject + " does not undo its up";
  }
}

}  // namespace

json roundtrip_json(const RoundtripResult& result) {
  json failures = json::array();
  for (const auto& failure : result.failures) {
    json objects = json::array();
    for (const auto& object : failure.objects) {
      objects.push_back({{"type", object.type},
                         {"schema", object.schema},
                         {"name", object.name},
                         {"change", to_string(object.change)},
                         {"class", to_string(object.difference_class)},
                         {"diff", object.diff}});
    }
    failures.push_back(
        {{"version", failure.version ? json(version_text(*failure.version)) : json(nullptr)},
         {"name", failure.version ? json(failure.name) : json(nullptr)},
         {"stage", to_string(failure.stage)},
         {"fails", failure.fails(result.strictness)},
         {"error", failure.error.empty() ? json(nullptr) : json(failure.error)},
         {"objects", objects}});
  }
  return {{"ok", result.ok()},
          {"strict", result.strictness == Strictness::strict},
          {"revisions", result.revisions_checked},
          {"whole_set_checked", result.whole_set_checked},
          {"failures", failures},
          {"scratch_database", result.scratch_database}};
}

void print_roundtrip(const Output& out, const RoundtripResult& result) {
  for (const auto& failure : result.failures) {
    if (&failure != &result.failures.front())
      out.print("");
    const bool fails = failure.fails(result.strictness);
    auto heading = out.paint(fails ? Colour::red : Colour::yellow, fails ? "FAIL" : "WARN") + "  " +
                   std::string(to_string(failure.stage)) + ": " +
                   failure_summary(failure, result.revisions_checked);
    if (!failure.objects.empty())
      heading += " (" + class_counts(failure) + ")";
    out.print(heading);
    for (const auto& object : failure.objects) {
      // Object names, comments and defaults in a diff are the schema's text: shown as text.
      out.print(out.paint(Colour::bold, util::printable(object_label(object))) + ": " +
                std::string(to_string(object.difference_class)) + ", " +
                std::string(to_string(object.change)));
      out.print(util::printable(object.diff, util::Newlines::keep));
    }
  }
  if (!result.ok())
    return;
  std::string summary = "roundtrip: " + std::to_string(result.revisions_checked) +
                        " revisions applied, reverted and re-applied; ";
  if (result.failures.empty()) {
    out.print(summary + "schemas identical");
  } else {
    out.print(summary + std::to_string(result.failures.size()) +
              " check(s) found only column order, enum values or comments that differ (shown "
              "above); --strict fails on them");
  }
}

std::optional<Error> roundtrip_error(const RoundtripResult& result, OutputFormat format) {
  if (result.ok())
    return std::nullopt;
  const RoundtripFailure* first = nullptr;
  std::set<long long> failing;
  for (const auto& failure : result.failures) {
    if (!failure.fails(result.strictness))
      continue;
    if (first == nullptr)
      first = &failure;
    if (failure.version)
      failing.insert(*failure.version);
  }
  std::string message = "roundtrip failed: ";
  if (!failing.empty()) {
    message += std::to_string(failing.size()) + " of " + std::to_string(result.revisions_checked) +
               " revisions fail; first: ";
  }
  message += failure_summary(*first, result.revisions_checked);
  const auto shown = std::find_if(first->objects.begin(), first->objects.end(),
                                  [&result](const ObjectDifference& o) {
                                    return result.strictness == Strictness::strict ||
                                           o.difference_class == DifferenceClass::real;
                                  });
  if (shown != first->objects.end())
    message +=
        " (" + util::printable(object_label(*shown) + ": " + telling_changed_line(*shown)) + ")";
  const std::string where =
      format == OutputFormat::json ? "the failures in the JSON output" : "the diffs above";
  const bool only_undoable = first->error.empty() && shown != first->objects.end() &&
                             shown->difference_class != DifferenceClass::real;
  return Error(ExitCode::failure, message,
               only_undoable
                   ? "see " + where +
                         "; PostgreSQL cannot reorder columns or drop enum values: run without "
                         "--strict to accept these and leftover comments, or undo them in the down "
                         "file"
                   : "see " + where +
                         "; make each down file drop or restore exactly what its up file "
                         "creates or changes");
}

}  // namespace agentdb::migrate
