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

// Where each selected check's two thresholds came from, for messages: "the default", "--warning",
// or the configuration file.
constexpr std::string_view kDefault = "the default";

struct Origins {
  std::string warning{kDefault};
  std::string critical{kDefault};
};

class Layers {
 public:
  Layers() {
    for (const auto& spec : all_checks())
      checks_.push_back(SelectedCheck{&spec, Thresholds{spec.warning, spec.critical}});
    origins_.resize(checks_.size());
  }

  void apply(const std::string& setting, Level level, const std::string& origin) {
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
      usage("invalid " + std::string(level == Level::critical ? "critical" : "warning") +
                " threshold '" + setting.substr(eq + 1) + "' for " + name + " in " + origin,
            name + " takes " + accepted_thresholds(spec->unit));
    }
    for (std::size_t i = 0; i < checks_.size(); ++i) {
      if (checks_[i].spec != spec)
        continue;
      auto& thresholds = checks_[i].thresholds;
      (level == Level::critical ? thresholds.critical : thresholds.warning) = *value;
      (level == Level::critical ? origins_[i].critical : origins_[i].warning) = origin;
    }
  }

  // A warning beyond the critical threshold could never be raised first. Given both, that is a
  // mistake; with one a default, the default gives way (the WARNING level is then not reached
  // apart from the CRITICAL one).
  std::vector<SelectedCheck> ordered() && {
    for (std::size_t i = 0; i < checks_.size(); ++i) {
      auto& [spec, thresholds] = checks_[i];
      if (!thresholds.warning || !thresholds.critical ||
          !beyond(*thresholds.warning, *thresholds.critical, spec->direction))
        continue;
      const auto& from = origins_[i];
      if (from.warning == kDefault) {
        thresholds.warning = thresholds.critical;
      } else if (from.critical == kDefault) {
        thresholds.critical = thresholds.warning;
      } else {
        const bool higher = spec->direction == Direction::higher_is_worse;
        usage("the warning threshold of " + std::string(spec->name) + " (" +
                  format_value(*thresholds.warning, spec->unit) + ", " + from.warning + ") is " +
                  (higher ? "above" : "below") + " its critical threshold (" +
                  format_value(*thresholds.critical, spec->unit) + ", " + from.critical + ")",
              std::string("a warning must come before the critical level: give a ") +
                  (higher ? "lower" : "higher") + " warning or a " + (higher ? "higher" : "lower") +
                  " critical threshold");
      }
    }
    return std::move(checks_);
  }

 private:
  std::vector<SelectedCheck> checks_;
  std::vector<Origins> origins_;
};

// [health.CHECK] warning / critical; health.timeout is read elsewhere.
void apply_config(Layers& layers, const Config& config) {
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
    layers.apply(rest.substr(0, dot) + "=" + toml::to_setting(value),
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
  Layers layers;
  apply_config(layers, config);
  for (const auto& setting : choice.warnings)
    layers.apply(setting, Level::warning, "--warning");
  for (const auto& setting : choice.criticals)
    layers.apply(setting, Level::critical, "--critical");
  const auto all = std::move(layers).ordered();
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
