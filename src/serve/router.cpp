#include "serve/router.hpp"

#include "util/strings.hpp"

namespace agentdb::serve {

namespace {

// Matches "/api/v1/agents/{id}" against "/api/v1/agents/123", filling `params` on success.
bool matches(std::string_view pattern, std::string_view path,
             std::map<std::string, std::string, std::less<>>& params) {
  const auto wanted = util::split(pattern, '/');
  const auto given = util::split(path, '/');
  if (wanted.size() != given.size())
    return false;
  std::map<std::string, std::string, std::less<>> found;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    const auto& part = wanted[i];
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      if (given[i].empty())
        return false;
      found.emplace(part.substr(1, part.size() - 2), given[i]);
    } else if (part != given[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {}

RouteMatch Router::match(std::string_view method, std::string_view path,
                         RequestContext& ctx) const {
  RouteMatch result;
  std::map<std::string, std::string, std::less<>> params;
  for (const auto& route : routes_) {
    if (!matches(route.pattern, path, params))
      continue;
    result.path_known = true;
    result.allowed.push_back(route.method);
    if (route.method == method && result.route == nullptr) {
      result.route = &route;
      ctx.params = params;
    }
  }
  return result;
}

std::vector<Route> all_routes() {
  std::vector<Route> routes;
  for (const auto table : {system_routes(), agent_routes(), conversation_routes(), session_routes(),
                           plan_routes(), execution_routes(), cost_routes(), admin_routes()})
    routes.insert(routes.end(), table.begin(), table.end());
  return routes;
}

}  // namespace agentdb::serve
