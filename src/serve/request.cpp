#include "serve/request.hpp"

#include "db/session.hpp"
#include "serve/api_error.hpp"
#include "util/strings.hpp"

namespace agentdb::serve {

namespace {

constexpr int kMaxJsonDepth = 32;

ApiError bad_field(std::string_view name, std::string_view wanted) {
  return {400,
          "invalid_field",
          "field '" + std::string(name) + "' must be " + std::string(wanted),
          {{"field", std::string(name)}}};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

}  // namespace

bool Principal::allows(Scope scope) const {
  switch (scope) {
    case Scope::none:
      return true;
    case Scope::read:
      return read || write || admin;
    case Scope::write:
      return write || admin;
    case Scope::admin:
      return admin;
  }
  return false;
}

RequestContext::RequestContext(const HttpRequest& http, std::string request_id)
    : http_(http), request_id_(std::move(request_id)) {
  const auto mark = http.target.find('?');
  if (mark == std::string::npos)
    return;
  for (const auto& pair : util::split(std::string_view(http.target).substr(mark + 1), '&')) {
    const auto equals = pair.find('=');
    auto key = url_decode(pair.substr(0, equals));
    auto value = url_decode(equals == std::string::npos ? "" : pair.substr(equals + 1));
    if (!key || !value)
      throw ApiError(400, "invalid_query", "the query string has a broken %-escape");
    query_.emplace(std::move(*key), std::move(*value));
  }
}

const std::string& RequestContext::param(std::string_view name) const {
  return params.find(name)->second;
}

std::string RequestContext::uuid_param(std::string_view name) const {
  const auto& value = param(name);
  if (!is_uuid(value))
    throw ApiError(400, "invalid_id", "'" + excerpt(util::printable(value)) + "' is not a UUID",
                   {{"parameter", std::string(name)}});
  return util::to_lower(value);
}

std::optional<std::string> RequestContext::query(std::string_view name) const {
  const auto found = query_.find(name);
  return found == query_.end() ? std::nullopt : std::optional<std::string>(found->second);
}

std::string RequestContext::uuid_query(std::string_view name) const {
  auto value = query(name).value_or("");
  if (!value.empty() && !is_uuid(value))
    throw ApiError(400, "invalid_query", std::string(name) + " must be a UUID",
                   {{"parameter", std::string(name)}});
  return value;
}

int RequestContext::limit(int fallback, int most) const {
  const auto text = query("limit");
  if (!text)
    return fallback;
  const auto value = util::parse_int64(*text);
  if (!value || *value < 1 || *value > most)
    throw ApiError(400, "invalid_query",
                   "limit must be a whole number from 1 to " + std::to_string(most),
                   {{"parameter", "limit"}});
  return static_cast<int>(*value);
}

const nlohmann::json& RequestContext::body() {
  if (body_)
    return *body_;
  const auto& type = http_.header("content-type");
  if (!type.starts_with("application/json"))
    throw ApiError(415, "unsupported_media_type", "send the body as application/json");
  if (json_depth(http_.body) > kMaxJsonDepth)
    throw ApiError(400, "malformed_json",
                   "the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  auto parsed = nlohmann::json::parse(http_.body, nullptr, false);
  if (parsed.is_discarded())
    throw ApiError(400, "malformed_json", "the body is not valid JSON");
  if (!parsed.is_object())
    throw ApiError(400, "malformed_json", "the body must be a JSON object");
  body_ = std::move(parsed);
  return *body_;
}

db::Session& RequestContext::db() const {
  return *session;
}

void RequestContext::audit(std::string_view action, std::string_view resource_type,
                           std::string_view resource_id, const nlohmann::json& details) const {
  auto with_request = details;
  with_request["request_id"] = request_id_;
  with_request["key_prefix"] = principal_.key_prefix;
  (void)session->exec_params(
      "INSERT INTO audit_logs (user_id, action, resource_type, resource_id, details, ip_address,"
      " user_agent) VALUES (nullif($1, '')::uuid, $2, $3, $4, $5::jsonb, nullif($6, '')::inet,"
      " nullif($7, ''))",
      principal_.user_id, std::string(action), std::string(resource_type), std::string(resource_id),
      json_text(with_request), http_.peer, http_.header("user-agent").substr(0, 500));
}

std::optional<std::string> string_field(const nlohmann::json& body, std::string_view name) {
  const auto found = body.find(name);
  if (found == body.end() || found->is_null())
    return std::nullopt;
  if (!found->is_string())
    throw bad_field(name, "a string");
  return found->get<std::string>();
}

std::string required_string(const nlohmann::json& body, std::string_view name) {
  auto value = string_field(body, name);
  if (!value)
    throw ApiError(400, "missing_field", "field '" + std::string(name) + "' is required",
                   {{"field", std::string(name)}});
  return *value;
}

std::optional<std::string> uuid_field(const nlohmann::json& body, std::string_view name) {
  auto value = string_field(body, name);
  if (value && !is_uuid(*value))
    throw bad_field(name, "a UUID");
  return value;
}

std::optional<bool> bool_field(const nlohmann::json& body, std::string_view name) {
  const auto found = body.find(name);
  if (found == body.end() || found->is_null())
    return std::nullopt;
  if (!found->is_boolean())
    throw bad_field(name, "true or false");
  return found->get<bool>();
}

std::optional<long long> int_field(const nlohmann::json& body, std::string_view name) {
  const auto found = body.find(name);
  if (found == body.end() || found->is_null())
    return std::nullopt;
  if (!found->is_number_integer())
    throw bad_field(name, "a whole number");
  return found->get<long long>();
}

std::optional<std::string> json_field(const nlohmann::json& body, std::string_view name,
                                      std::string_view kind) {
  const auto found = body.find(name);
  if (found == body.end() || found->is_null())
    return std::nullopt;
  if ((kind == "object" && !found->is_object()) || (kind == "array" && !found->is_array()))
    throw bad_field(name, kind == "object" ? "a JSON object" : "a JSON array");
  return json_text(*found);
}

void only_fields(const nlohmann::json& body, std::span<const std::string_view> allowed) {
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const auto name : allowed)
      known = known || key == name;
    if (!known)
      throw ApiError(400, "unknown_field",
                     "field '" + excerpt(util::printable(key)) + "' is not accepted here",
                     {{"field", excerpt(util::printable(key))}});
  }
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36)
    return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : hex_value(text[i]) < 0)
      return false;
  }
  return true;
}

int json_depth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

std::optional<std::string> url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size() || hex_value(text[i + 1]) < 0 || hex_value(text[i + 2]) < 0)
        return std::nullopt;
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string json_text(const nlohmann::json& document) {
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace agentdb::serve
