// The OpenAPI 3.1 document of the service, made from the route table itself, so that it cannot
// name a route the service lacks or miss one it has; a test sends a request for every status it
// documents.
#pragma once

#include <nlohmann/json.hpp>

#include <span>

#include "serve/router.hpp"

namespace agentdb::serve {

[[nodiscard]] nlohmann::json openapi_document(std::span<const Route> routes);

// The statuses a route answers: its own and those every keyed route has, ascending.
[[nodiscard]] std::vector<int> route_statuses(const Route& route);

}  // namespace agentdb::serve
