#include "serve/api_error.hpp"

#include "db/pool.hpp"
#include "db/session.hpp"
#include "serve/request.hpp"

namespace agentdb::serve {

HttpResponse error_response(const ApiError& error) {
  HttpResponse response;
  response.status = error.status();
  response.body = json_text(
      {{"error",
        {{"code", error.code()}, {"message", error.what()}, {"details", error.details()}}}});
  if (error.status() == 401)  // RFC 9110: a 401 names the scheme that would work
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"agentdb\"");
  if (error.status() == 503 || error.status() == 429)
    response.headers.emplace_back("Retry-After", error.details().value("retry_after", "1"));
  return response;
}

namespace {

// The constraint a message names ("... violates check constraint \"agents_name_check\""), or "".
std::string constraint_of(const std::string& message) {
  const auto key = message.find("constraint \"");
  if (key == std::string::npos)
    return {};
  const auto start = key + 12;
  const auto end = message.find('"', start);
  return end == std::string::npos ? std::string() : message.substr(start, end - start);
}

}  // namespace

bool database_unavailable(const db::QueryError& error) {
  const auto& state = error.sqlstate();
  // 25006: a read-only transaction, on a primary just demoted to a standby by a switchover.
  return state.starts_with("08") || state.starts_with("57P") || state == "53300" ||
         state == "25006";
}

ApiError from_query_error(const db::QueryError& error) {
  const auto& state = error.sqlstate();
  const auto constraint = constraint_of(error.what());
  auto details = nlohmann::json::object();
  if (!constraint.empty())
    details["constraint"] = constraint;
  if (state == "23505")
    return {409, "conflict", "a resource with the same unique value already exists", details};
  if (state == "40001" || state == "40P01")
    return {409, "conflict", "the request conflicted with a concurrent one; retry it", details};
  if (state.starts_with("23"))
    return {422, "constraint_violated", "the request violates a rule of the data", details};
  if (state.starts_with("22"))
    return {422, "invalid_value", "a value in the request is not valid for its field", details};
  if (state == "42501")
    return {403, "forbidden", "the key may not change this resource"};
  if (state == "57014")
    return {503, "timeout", "the database did not answer in time; retry"};
  if (database_unavailable(error))
    return {503, "database_unavailable", "the database is unavailable; retry"};
  return {500, "internal", "the request failed inside the service"};
}

ApiError from_error(const Error& error) {
  if (dynamic_cast<const db::PoolTimeout*>(&error) != nullptr)
    return {503, "busy", "no database connection became free in time; retry"};
  if (error.code() == ExitCode::cannot_connect)
    return {503, "database_unavailable", "the database is unavailable; retry"};
  if (error.code() == ExitCode::usage)
    return {400, "invalid_request", error.what()};
  return {500, "internal", "the request failed inside the service"};
}

}  // namespace agentdb::serve
