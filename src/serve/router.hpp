// The route table: method and path pattern ("/api/v1/agents/{id}") to a handler, with the scope a
// key needs, whether the work only reads (a READ ONLY transaction, a replica when there is one),
// and whether the route touches the database under a key at all.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "serve/request.hpp"

namespace agentdb::serve {

class Service;

enum class Access { read_only, read_write };
enum class Auth {
  key,   // a valid API key; the handler runs in a transaction acting for the key's user
  none,  // public (liveness, metrics, the API document); the handler opens what it needs
};

using Handler = HttpResponse (*)(RequestContext& ctx, Service& service);

struct Route {
  std::string_view method;
  std::string_view pattern;
  Scope scope;
  Access access;
  Handler handler;
  Auth auth = Auth::key;
  std::string_view summary = {};
  // The statuses this route answers besides those of every keyed route (401, 429, 503, and 403
  // when it needs write or admin), as "201 400 415"; a route that lists 415 reads a JSON body.
  std::string_view responses = {};
  std::string_view query = {};  // its query parameters, as "after limit"
};

struct RouteMatch {
  const Route* route = nullptr;           // nullptr: no route has this path (404)
  bool path_known = false;                // the path exists with other methods (405)
  std::vector<std::string_view> allowed;  // those methods, for the Allow header
};

class Router {
 public:
  explicit Router(std::vector<Route> routes);
  // Fills ctx.params from the pattern's {names}.
  [[nodiscard]] RouteMatch match(std::string_view method, std::string_view path,
                                 RequestContext& ctx) const;
  [[nodiscard]] std::span<const Route> routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Every route the service answers, from the per-resource tables.
[[nodiscard]] std::vector<Route> all_routes();
[[nodiscard]] std::span<const Route> system_routes();
[[nodiscard]] std::span<const Route> agent_routes();
[[nodiscard]] std::span<const Route> conversation_routes();
[[nodiscard]] std::span<const Route> session_routes();
[[nodiscard]] std::span<const Route> plan_routes();
[[nodiscard]] std::span<const Route> execution_routes();
[[nodiscard]] std::span<const Route> cost_routes();
[[nodiscard]] std::span<const Route> admin_routes();

}  // namespace agentdb::serve
