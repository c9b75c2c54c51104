// Which checks a health run makes and the thresholds each is judged against: the defaults, then
// [health.CHECK] warning/critical in agentdb.toml, then --warning/--critical. Mistakes are usage
// errors naming where they were written.
#pragma once

#include <string>
#include <vector>

#include "core/config.hpp"
#include "health/check.hpp"

namespace agentdb::health {

struct CheckChoice {
  std::vector<std::string> names;      // --check; empty: every check
  std::vector<std::string> warnings;   // --warning CHECK=VALUE
  std::vector<std::string> criticals;  // --critical CHECK=VALUE
};

[[nodiscard]] std::vector<SelectedCheck> select_checks(const Config& config,
                                                       const CheckChoice& choice);

// "connection, server_version, ...", for help texts and hints.
[[nodiscard]] std::string check_names();

}  // namespace agentdb::health
