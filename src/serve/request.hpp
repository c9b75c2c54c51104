// What a handler gets: the request, its path parameters and query, the caller, and the database
// session inside the request's transaction (row-level security already keyed on the caller).
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "serve/http.hpp"

namespace agentdb::db {
class Session;
}

namespace agentdb::serve {

enum class Scope { none, read, write, admin };

// The key a request came with, as app_authenticate found it.
struct Principal {
  std::string key_id;
  std::string user_id;
  std::string key_prefix;
  std::string tier;
  bool read = false;
  bool write = false;
  bool admin = false;
  [[nodiscard]] bool allows(Scope scope) const;
};

class RequestContext {
 public:
  RequestContext(const HttpRequest& http, std::string request_id);

  [[nodiscard]] const HttpRequest& http() const { return http_; }
  [[nodiscard]] const std::string& request_id() const { return request_id_; }

  // A path parameter of the route ("{id}"); ids are checked to be UUIDs (400 otherwise).
  [[nodiscard]] const std::string& param(std::string_view name) const;
  [[nodiscard]] std::string uuid_param(std::string_view name) const;
  // A query parameter, decoded; nullopt when absent.
  [[nodiscard]] std::optional<std::string> query(std::string_view name) const;
  // A query parameter that must be a UUID when given ("" when absent); 400 naming it otherwise.
  [[nodiscard]] std::string uuid_query(std::string_view name) const;
  // ?limit= within 1..most (default when absent); 400 naming the parameter otherwise.
  [[nodiscard]] int limit(int fallback, int most) const;

  // The body as a JSON object: 415 when not application/json, 400 for malformed JSON, nesting
  // deeper than 32, or anything but an object.
  [[nodiscard]] const nlohmann::json& body();

  // Inside the request's transaction; only for routes that authenticate.
  [[nodiscard]] db::Session& db() const;
  [[nodiscard]] const Principal& caller() const { return principal_; }

  // Writes the audit row of a change in the same transaction: who, what, which resource.
  void audit(std::string_view action, std::string_view resource_type, std::string_view resource_id,
             const nlohmann::json& details = nlohmann::json::object()) const;

  // Set by the router and the service.
  std::map<std::string, std::string, std::less<>> params;
  db::Session* session = nullptr;
  Principal principal_;

 private:
  const HttpRequest& http_;
  std::string request_id_;
  std::map<std::string, std::string, std::less<>> query_;
  std::optional<nlohmann::json> body_;
};

// A field of a JSON object, typed: 400 naming the field when it has another type.
[[nodiscard]] std::optional<std::string> string_field(const nlohmann::json& body,
                                                      std::string_view name);
[[nodiscard]] std::string required_string(const nlohmann::json& body, std::string_view name);
// A string field that must be a UUID when given.
[[nodiscard]] std::optional<std::string> uuid_field(const nlohmann::json& body,
                                                    std::string_view name);
[[nodiscard]] std::optional<bool> bool_field(const nlohmann::json& body, std::string_view name);
[[nodiscard]] std::optional<long long> int_field(const nlohmann::json& body, std::string_view name);
// An object or array field kept as JSON text, checked to be `kind` ("object" / "array").
[[nodiscard]] std::optional<std::string> json_field(const nlohmann::json& body,
                                                    std::string_view name, std::string_view kind);
// Fails with 400 naming the first field the body has beyond `allowed`.
void only_fields(const nlohmann::json& body, std::span<const std::string_view> allowed);

[[nodiscard]] bool is_uuid(std::string_view text);
// Deepest nesting of arrays and objects in JSON text, counted without parsing (linear, no stack).
[[nodiscard]] int json_depth(std::string_view text);
// "%41b+c" -> "Ab c"; nullopt on a broken escape.
[[nodiscard]] std::optional<std::string> url_decode(std::string_view text);

// A document as compact JSON text; bytes that are not UTF-8 are replaced instead of throwing.
[[nodiscard]] std::string json_text(const nlohmann::json& document);

// A JSON body as the response of a handler.
[[nodiscard]] HttpResponse json_response(int status, std::string body);

}  // namespace agentdb::serve
