// An HTTP request and response as the service sees them: plain values, so that only server.cpp
// includes Boost.Beast (each translation unit with it costs ~20 s and ~800 MB to compile).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace agentdb::serve {

struct HttpRequest {
  std::string method;                                        // "GET", as sent
  std::string target;                                        // "/api/v1/agents?limit=10", as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string peer;  // the client's address

  // The first header of that (lower-case) name, or "" when there is none.
  [[nodiscard]] const std::string& header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace agentdb::serve
