// Errors as the API answers them: {"error": {"code", "message", "details"}} with the HTTP status
// that says what happened. Never a stack trace, never SQL text, never another user's data.
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

#include "serve/http.hpp"

namespace agentdb {
class Error;
namespace db {
class QueryError;
}
}  // namespace agentdb

namespace agentdb::serve {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message,
           nlohmann::json details = nlohmann::json::object())
      : std::runtime_error(message),
        status_(status),
        code_(std::move(code)),
        details_(std::move(details)) {}
  [[nodiscard]] int status() const { return status_; }
  [[nodiscard]] const std::string& code() const { return code_; }
  [[nodiscard]] const nlohmann::json& details() const { return details_; }

 private:
  int status_;
  std::string code_;
  nlohmann::json details_;
};

[[nodiscard]] HttpResponse error_response(const ApiError& error);
// The status a statement the server refused maps to: 409 for a unique key taken or a
// serialization failure, 422 for a constraint or a value the column refuses, 403 for a row-level
// security refusal, 503 for a timeout or a server going away, 500 otherwise. The message names
// the constraint, never the statement.
[[nodiscard]] ApiError from_query_error(const db::QueryError& error);
// The server is not there to answer (gone, refusing, restarting, out of connections): 503, and
// for a replica a reason to ask the primary instead.
[[nodiscard]] bool database_unavailable(const db::QueryError& error);
// An agentdb Error that escaped a handler: cannot_connect and pool timeouts are 503, usage is 400.
[[nodiscard]] ApiError from_error(const Error& error);

}  // namespace agentdb::serve
