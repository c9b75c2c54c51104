#include "local/render.hpp"

#include "util/strings.hpp"

namespace agentdb::local {

nlohmann::json status_json(const ClusterStatus& status) {
  return {{"state", to_string(status.state)},
          {"home", status.paths.home.string()},
          {"data", status.paths.data.string()},
          {"socket_dir", status.paths.socket_dir.string()},
          {"log", status.paths.log_file.string()},
          {"url", status.url ? nlohmann::json(*status.url) : nlohmann::json(nullptr)}};
}

// Paths come from AGENTDB_HOME or the working directory, which may hold any byte: shown as text.
std::string status_text(const ClusterStatus& status) {
  auto text = std::string("local cluster: ") + to_string(status.state) +
              "\n  home:   " + util::printable(status.paths.home.string());
  if (status.state != ClusterState::absent) {
    text += "\n  data:   " + util::printable(status.paths.data.string());
    text += "\n  socket: " + util::printable(status.paths.socket_dir.string());
    text += "\n  log:    " + util::printable(status.paths.log_file.string());
    text += "\n  url:    " + util::printable(status.url.value_or(""));
  }
  return text;
}

nlohmann::json started_json(const db::ConnectionTarget& target) {
  return {{"state", "running"}, {"url", target.display}, {"conninfo", target.conninfo}};
}

std::string started_text(const db::ConnectionTarget& target) {
  return "local cluster running; connect with: psql \"" + util::printable(target.conninfo) + "\"";
}

}  // namespace agentdb::local
