// Patroni's REST API: GET /cluster on each URL given (any member answers for the whole cluster,
// from what the DCS holds), so two members that disagree show a split view.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cluster/cluster.hpp"
#include "cluster/gather.hpp"
#include "core/error.hpp"
#include "util/strings.hpp"

namespace agentdb::cluster {

using nlohmann::json;

std::string PatroniView::leader() const {
  for (const auto& member : members) {
    if (member.role == "leader" || member.role == "standby_leader")
      return member.name;
  }
  return "";
}

namespace {

std::optional<std::int64_t> integer_field(const json& member, const char* key) {
  const auto it = member.find(key);
  if (it == member.end() || !it->is_number_integer())
    return std::nullopt;  // Patroni writes "unknown" for a lag it cannot tell
  return it->get<std::int64_t>();
}

std::string text_field(const json& member, const char* key) {
  const auto it = member.find(key);
  return it != member.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<PatroniMember> parse_patroni_cluster(const std::string& body) {
  const auto document = json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.is_object() || !document.contains("members") ||
      !document["members"].is_array())
    throw Error(ExitCode::failure, "the answer is not Patroni's /cluster document");
  std::vector<PatroniMember> members;
  for (const auto& entry : document["members"]) {
    if (!entry.is_object())
      continue;
    PatroniMember member;
    member.name = text_field(entry, "name");
    member.role = text_field(entry, "role");
    member.state = text_field(entry, "state");
    member.host = text_field(entry, "host");
    member.port = static_cast<int>(integer_field(entry, "port").value_or(0));
    member.timeline = integer_field(entry, "timeline");
    member.lag_bytes = integer_field(entry, "lag");
    members.push_back(std::move(member));
  }
  return members;
}

std::string checked_patroni_url(std::string url) {
  while (url.ends_with("/"))
    url.pop_back();
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    throw Error(ExitCode::usage, "invalid Patroni URL '" + util::printable(url) + "'",
                "give Patroni's REST API as http://host:8008 (--patroni-url, repeatable)");
  }
  return url;
}

PatroniView ask_patroni(const std::string& url, std::chrono::milliseconds timeout) {
  PatroniView view;
  view.url = url;
  httplib::Client client(url);
  const auto seconds = timeout.count() / 1000;
  const auto micros = (timeout.count() % 1000) * 1000;
  client.set_connection_timeout(seconds, micros);
  client.set_read_timeout(seconds, micros);
  const auto result = client.Get("/cluster");
  if (!result) {
    view.error = "no answer (" + httplib::to_string(result.error()) + " error)";
    return view;
  }
  if (result->status != 200) {
    view.error = "HTTP " + std::to_string(result->status) + " from GET /cluster";
    return view;
  }
  try {
    view.members = parse_patroni_cluster(result->body);
    view.answered = true;
  } catch (const Error& e) {
    view.error = e.what();
  }
  return view;
}

}  // namespace agentdb::cluster
