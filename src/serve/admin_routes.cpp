// Admin scope: users, API keys (the same functions as `agentdb keys`) and the audit trail. These
// requests act as agentdb_admin, whose policies see every row.
#include <nlohmann/json.hpp>

#include "db/session.hpp"
#include "serve/api_error.hpp"
#include "serve/keys.hpp"
#include "serve/router.hpp"
#include "util/strings.hpp"

namespace agentdb::serve {

namespace {

using nlohmann::json;

HttpResponse create_user(RequestContext& ctx, Service&) {
  const auto& body = ctx.body();
  static constexpr std::string_view kFields[] = {"email", "name", "roles"};
  only_fields(body, kFields);
  const auto email = required_string(body, "email");
  const auto name = string_field(body, "name");
  std::string roles = "{user}";
  if (const auto given = body.find("roles"); given != body.end() && !given->is_null()) {
    if (!given->is_array() || given->empty())
      throw ApiError(400, "invalid_field", "field 'roles' must be a non-empty array of role names",
                     {{"field", "roles"}});
    std::vector<std::string> names;
    for (const auto& role : *given) {
      if (!role.is_string() ||
          role.get<std::string>().find_first_of(",{}\"\\ ") != std::string::npos)
        throw ApiError(400, "invalid_field", "field 'roles' must hold role names",
                       {{"field", "roles"}});
      names.push_back(role.get<std::string>());
    }
    roles = "{" + util::join(names, ",") + "}";
  }
  const auto rows = ctx.db().exec_params(
      "INSERT INTO users AS u (email, name, roles) VALUES ($1, nullif($2, ''), $3::text[])"
      " RETURNING u.id, to_jsonb(u) - 'hashed_password' - 'deleted_at'",
      email, name.value_or(""), roles);
  ctx.audit("create", "users", rows.front()["id"].view());
  return json_response(201, rows.front()[1].c_str());
}

std::vector<std::string> scopes_of(const json& body) {
  const auto given = body.find("scopes");
  if (given == body.end() || !given->is_array())
    throw ApiError(400, "invalid_field", "field 'scopes' must be an array such as [\"read\"]",
                   {{"field", "scopes"}});
  std::vector<std::string> scopes;
  for (const auto& scope : *given) {
    if (!scope.is_string())
      throw ApiError(400, "invalid_field", "field 'scopes' must hold read, write or admin",
                     {{"field", "scopes"}});
    scopes.push_back(scope.get<std::string>());
  }
  return scopes;
}

// The raw key is in this response and nowhere else, ever.
HttpResponse create_key(RequestContext& ctx, Service&) {
  const auto& body = ctx.body();
  static constexpr std::string_view kFields[] = {"email", "scopes", "tier", "name"};
  only_fields(body, kFields);
  KeyRequest request;
  request.email = required_string(body, "email");
  request.scopes = scopes_of(body);
  request.tier = string_field(body, "tier").value_or("standard");
  request.name = string_field(body, "name").value_or("api");
  try {
    validate(request);
  } catch (const Error& error) {
    throw ApiError(400, "invalid_field", error.what());
  }
  const auto issued = issue_key(ctx.db(), request);
  ctx.audit("grant", "api_keys", issued.key.id, {{"prefix", issued.key.prefix}});
  auto document = key_json(issued.key);
  document["key"] = issued.raw;
  document["user_created"] = issued.user_created;
  return json_response(201, json_text(document));
}

HttpResponse list_all_keys(RequestContext& ctx, Service&) {
  const auto email = ctx.query("email");
  json items = json::array();
  for (const auto& key :
       list_keys(ctx.db(), email ? std::optional<std::string_view>(*email) : std::nullopt))
    items.push_back(key_json(key));
  return json_response(200, json_text({{"items", items}}));
}

HttpResponse revoke(RequestContext& ctx, Service&) {
  const auto& prefix = ctx.param("prefix");
  try {
    const auto key = revoke_key(ctx.db(), prefix);
    ctx.audit("revoke", "api_keys", key.id, {{"prefix", key.prefix}});
    return json_response(200, json_text(key_json(key)));
  } catch (const db::QueryError&) {
    throw;
  } catch (const Error& error) {
    if (error.code() == ExitCode::conflict)
      throw ApiError(409, "conflict", error.what());
    throw ApiError(404, "not_found", "no API key has this prefix");
  }
}

// ?resource_type=agents&limit=50, newest first.
HttpResponse list_audit(RequestContext& ctx, Service&) {
  const int limit = ctx.limit(50, 500);
  const auto rows = ctx.db().exec_params(
      "SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.created_at DESC, l.id DESC), '[]')"
      " FROM (SELECT * FROM audit_logs WHERE ($1 = '' OR resource_type = $1)"
      " ORDER BY created_at DESC, id DESC LIMIT $2) l",
      ctx.query("resource_type").value_or(""), limit);
  return json_response(200, std::string(R"({"items":)") + rows.front()[0].c_str() + "}");
}

constexpr Route kRoutes[] = {
    {"POST", "/api/v1/users", Scope::admin, Access::read_write, create_user, Auth::key,
     "Create a user (admin)", "201 400 409 413 415", ""},
    {"POST", "/api/v1/api-keys", Scope::admin, Access::read_write, create_key, Auth::key,
     "Issue an API key; the raw key is in this response only (admin)", "201 400 413 415", ""},
    {"GET", "/api/v1/api-keys", Scope::admin, Access::read_only, list_all_keys, Auth::key,
     "List API keys (admin)", "200 400", "email"},
    {"DELETE", "/api/v1/api-keys/{prefix}", Scope::admin, Access::read_write, revoke, Auth::key,
     "Revoke an API key by its prefix; refused at once (admin)", "200 404 409", ""},
    {"GET", "/api/v1/audit", Scope::admin, Access::read_only, list_audit, Auth::key,
     "The audit trail, newest first (admin)", "200 400", "resource_type limit"},
};

}  // namespace

std::span<const Route> admin_routes() {
  return kRoutes;
}

}  // namespace agentdb::serve
