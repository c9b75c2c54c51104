#include "serve/openapi.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "util/strings.hpp"

#ifndef AGENTDB_VERSION
#define AGENTDB_VERSION "0.0.0"
#endif

namespace agentdb::serve {

namespace {

using nlohmann::json;

const std::map<int, std::string_view>& status_descriptions() {
  static const std::map<int, std::string_view> descriptions = {
      {200, "OK"},
      {201, "Created"},
      {204, "Done; no body"},
      {400, "Malformed JSON, an invalid field, parameter or id (the error names which)"},
      {401, "No API key, or one that is unknown, revoked or expired"},
      {403, "The key lacks the scope, or the resource belongs to another user"},
      {404, "No such resource of yours"},
      {409, "Conflicts with the resource's state or a unique value"},
      {412, "If-Match names a version that is no longer current"},
      {413, "The body is larger than the service accepts"},
      {415, "The body is not application/json"},
      {422, "A value breaks a rule of the data (a constraint, a date range, a reference)"},
      {429, "Rate limited for the key's tier; retry after Retry-After seconds"},
      {503, "The database is unavailable or did not answer in time; retry after Retry-After"},
  };
  return descriptions;
}

// The first path segment after /api/v1 ("agents"), or "system" for /health, /metrics, ...
std::string tag_of(std::string_view pattern) {
  constexpr std::string_view kPrefix = "/api/v1/";
  if (!pattern.starts_with(kPrefix))
    return "system";
  const auto rest = pattern.substr(kPrefix.size());
  return std::string(rest.substr(0, rest.find('/')));
}

json tags() {
  const std::pair<const char*, const char*> described[] = {
      {"system", "Liveness, readiness, metrics and this document"},
      {"agents", "The agents a user defines"},
      {"conversations", "Conversations and their messages"},
      {"messages", "Search over the caller's messages"},
      {"sessions", "User sessions and their context"},
      {"plans", "Travel plans, with a version for optimistic concurrency"},
      {"executions", "Agent runs; finishing one writes its priced cost row"},
      {"costs", "LLM cost figures, as agentdb cost report and cost budget give them"},
      {"users", "Users of the platform (admin)"},
      {"api-keys", "API keys (admin)"},
      {"audit", "The audit trail of every change (admin)"},
  };
  json list = json::array();
  for (const auto& [name, description] : described)
    list.push_back({{"name", name}, {"description", description}});
  return list;
}

// "get /api/v1/agents/{id}/use" -> "get_agents_id_use": unique, URL-safe, stable.
std::string operation_id(const Route& route) {
  std::string id = util::to_lower(route.method);
  auto path = route.pattern;
  if (path.starts_with("/api/v1"))
    path.remove_prefix(7);
  for (const auto& part : util::split(path, '/')) {
    if (part.empty())
      continue;
    id += '_';
    for (const char c : part)
      if (c != '{' && c != '}')
        id += c == '-' || c == '.' ? '_' : c;
  }
  return id;
}

json query_parameter(std::string_view name) {
  json schema = {{"type", "string"}};
  if (name == "limit" || name == "messages")
    schema = {{"type", "integer"}, {"minimum", name == "limit" ? 1 : 0}};
  else if (name == "after" || name == "agent_id" || name == "user")
    schema = {{"type", "string"}, {"format", "uuid"}};
  else if (name == "active" || name == "per_user")
    schema = {{"type", "boolean"}};
  return {{"name", name}, {"in", "query"}, {"required", false}, {"schema", schema}};
}

json parameters_of(const Route& route) {
  json parameters = json::array();
  for (const auto& part : util::split(route.pattern, '/')) {
    if (part.size() < 3 || part.front() != '{')
      continue;
    const auto name = part.substr(1, part.size() - 2);
    json schema = {{"type", "string"}};
    if (name != "prefix")
      schema["format"] = "uuid";
    parameters.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", schema}});
  }
  for (const auto& name : util::split(route.query, ' '))
    if (!name.empty())
      parameters.push_back(query_parameter(name));
  const auto statuses = route_statuses(route);
  if (std::find(statuses.begin(), statuses.end(), 412) != statuses.end())  // a version check
    parameters.push_back({{"name", "If-Match"},
                          {"in", "header"},
                          {"required", false},
                          {"description", "Change only at this version (the plan's ETag)"},
                          {"schema", {{"type", "string"}}}});
  return parameters;
}

json response_of(const Route& route, int status) {
  json response = {{"description", status_descriptions().at(status)}};
  if (status >= 400) {
    response["content"]["application/json"]["schema"]["$ref"] = "#/components/schemas/Error";
    if (status == 429 || status == 503)
      response["headers"]["Retry-After"] = {{"description", "Seconds to wait before retrying"},
                                            {"schema", {{"type", "integer"}}}};
    return response;
  }
  if (status == 204)
    return response;
  if (route.pattern == "/metrics") {
    response["content"]["text/plain"]["schema"] = {{"type", "string"}};
    return response;
  }
  response["content"]["application/json"]["schema"] = {{"type", "object"}};
  if (route.pattern.starts_with("/api/v1/plans") && route.pattern != "/api/v1/plans")
    response["headers"]["ETag"] = {{"description", "The plan's version, for If-Match"},
                                   {"schema", {{"type", "string"}}}};
  return response;
}

json operation_of(const Route& route) {
  json operation = {{"operationId", operation_id(route)},
                    {"summary", route.summary},
                    {"tags", {tag_of(route.pattern)}}};
  const auto parameters = parameters_of(route);
  if (!parameters.empty())
    operation["parameters"] = parameters;
  const auto statuses = route_statuses(route);
  if (std::find(statuses.begin(), statuses.end(), 415) != statuses.end())
    operation["requestBody"] = {
        {"required", true},
        {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
  if (route.auth == Auth::none)
    operation["security"] = json::array();
  for (const int status : statuses)
    operation["responses"][std::to_string(status)] = response_of(route, status);
  return operation;
}

json components() {
  json error = {{"type", "object"},
                {"required", {"error"}},
                {"properties",
                 {{"error",
                   {{"type", "object"},
                    {"required", {"code", "message", "details"}},
                    {"properties",
                     {{"code", {{"type", "string"}, {"description", "Stable, for programs"}}},
                      {"message", {{"type", "string"}, {"description", "For people"}}},
                      {"details",
                       {{"type", "object"}, {"description", "Which field, limit, version"}}}}}}}}}};
  return {{"schemas", {{"Error", error}}},
          {"securitySchemes",
           {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
            {"apiKey", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-API-Key"}}}}}};
}

}  // namespace

std::vector<int> route_statuses(const Route& route) {
  std::set<int> statuses;
  for (const auto& code : util::split(route.responses, ' '))
    if (!code.empty())
      statuses.insert(std::stoi(std::string(code)));
  if (route.auth == Auth::key) {
    statuses.insert({401, 429, 503});
    if (route.scope == Scope::write || route.scope == Scope::admin)
      statuses.insert(403);
  }
  return {statuses.begin(), statuses.end()};
}

json openapi_document(std::span<const Route> routes) {
  json paths = json::object();
  for (const auto& route : routes)
    paths[std::string(route.pattern)][util::to_lower(route.method)] = operation_of(route);
  return {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "agentdb serve"},
        {"version", AGENTDB_VERSION},
        {"description",
         "The data service of the agent platform: agents, conversations and messages, sessions, "
         "travel plans, executions and their costs, over PostgreSQL with row-level security."}}},
      {"servers", {{{"url", "/"}}}},
      {"tags", tags()},
      {"security", {{{"bearer", json::array()}}, {{"apiKey", json::array()}}}},
      {"paths", paths},
      {"components", components()},
  };
}

}  // namespace agentdb::serve
