#include "local/render.hpp"

namespace agentdb::local {

nlohmann::json status_json(const ClusterStatus& status) {
  return {{"state", to_string(status.state)},
          {"home", status.paths.home.string()},
          {"data", status.paths.data.string()},
          {"socket_dir", status.paths.socket_dir.string()},
          {"log", status.paths.log_file.string()},
          {"url", status.url ? nlohmann::json(*status.url) : nlohmann::json(nullptr)}};
}

std::string status_text(const ClusterStatus& status) {
  auto text = std::string("local cluster: ") + to_string(status.state) +
              "\n  home:   " + status.paths.home.string();
  if (status.state != ClusterState::absent) {
    text += "\n  data:   " + status.paths.data.string();
    text += "\n  socket: " + status.paths.socket_dir.string();
    text += "\n  log:    " + status.paths.log_file.string();
    text += "\n  url:    " + status.url.value_or("");
  }
  return text;
}

nlohmann::json started_json(const db::ConnectionTarget& target) {
  return {{"state", "running"}, {"url", target.display}, {"conninfo", target.conninfo}};
}

std::string started_text(const db::ConnectionTarget& target) {
  return "local cluster running; connect with: psql \"" + target.conninfo + "\"";
}

}  // namespace agentdb::local
