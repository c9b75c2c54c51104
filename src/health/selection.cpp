#include "health/selection.hpp"

#include <algorithm>

#include "core/toml.hpp"
#include "util/strings.hpp"

namespace agentdb::health {

namespace {

enum class Level { warning, critical };

// A usage error; agentdb's entry point reports it as UNKNOWN (3) for health, the plugin convention.
[[noreturn]] void usage(const std::string& message, const std::string& hint) {
  throw Error(ExitCode::usage, message, hint);
}

void apply_threshold(std::vector<SelectedCheck>& all, const std::string& setting, Level level,
                     const std::string& origin) {
  const auto eq = setting.find('=');
  if (eq == std::string::npos) {
    usage("invalid threshold '" + setting + "' in " + origin,
          "write CHECK=VALUE, e.g. connections=90 or long_query=2m");
  }
  const auto name = setting.substr(0, eq);
  const auto* spec = find_check(name);
  if (spec == nullptr)
    usage("unknown check '" + name + "' in " + origin, "checks: " + check_names());
  const auto value = parse_threshold(spec->unit, setting.substr(eq + 1));
  if (!value) {
    usage("invalid threshold '" + setting.substr(eq + 1) + "' for " + name + " in " + origin,
          "give a number in the check's unit, or a duration (500ms, 2m) or size (64MB)");
  }
  for (auto& selected : all) {
    if (selected.spec == spec)
      (level == Level::critical ? selected.thresholds.critical : selected.thresholds.warning) =
          *value;
  }
}

// [health.CHECK] warning / critical; health.timeout is read elsewhere.
void apply_config(std::vector<SelectedCheck>& all, const Config& config) {
  const auto origin = config.source().string();
  for (const auto& [key, value] : config.document()) {
    if (!key.starts_with("health.") || key == "health.timeout")
      continue;
    const auto rest = key.substr(7);
    const auto dot = rest.rfind('.');
    const auto level = dot == std::string::npos ? std::string() : rest.substr(dot + 1);
    if (dot == std::string::npos || (level != "warning" && level != "critical")) {
      usage(origin + ": unknown setting '" + key + "'",
            "health settings are health.timeout and health.CHECK.warning / .critical");
    }
    apply_threshold(all, rest.substr(0, dot) + "=" + toml::to_setting(value),
                    level == "critical" ? Level::critical : Level::warning, origin);
  }
}

}  // namespace

std::string check_names() {
  std::vector<std::string> names;
  for (const auto& check : all_checks())
    names.emplace_back(check.name);
  return util::join(names, ", ");
}

std::vector<SelectedCheck> select_checks(const Config& config, const CheckChoice& choice) {
  std::vector<SelectedCheck> all;
  for (const auto& spec : all_checks())
    all.push_back(SelectedCheck{&spec, Thresholds{spec.warning, spec.critical}});
  apply_config(all, config);
  for (const auto& setting : choice.warnings)
    apply_threshold(all, setting, Level::warning, "--warning");
  for (const auto& setting : choice.criticals)
    apply_threshold(all, setting, Level::critical, "--critical");
  if (choice.names.empty())
    return all;
  for (const auto& name : choice.names) {
    if (find_check(name) == nullptr)
      usage("unknown check '" + name + "'", "checks: " + check_names());
  }
  std::vector<SelectedCheck> chosen;
  for (const auto& selected : all) {
    if (std::find(choice.names.begin(), choice.names.end(), selected.spec->name) !=
        choice.names.end())
      chosen.push_back(selected);
  }
  return chosen;
}

}  // namespace agentdb::health
