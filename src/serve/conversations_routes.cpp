// /api/v1/conversations and their messages, and /api/v1/messages/search: the caller's own data.
// Row-level security keeps every statement to the caller's rows (another user's conversation is a
// 404, as one that does not exist); message_count and last_message_at are kept exact by the
// schema's statement trigger, which takes the conversation's row lock.
#include <nlohmann/json.hpp>

#include "db/session.hpp"
#include "serve/api_error.hpp"
#include "serve/router.hpp"
#include "util/strings.hpp"

namespace agentdb::serve {

namespace {

using nlohmann::json;

constexpr int kMostMessagesPerAppend = 100;

ApiError no_conversation() {
  return {404, "not_found", "no conversation of yours has this id"};
}

// One message of a request body, its fields checked for type; returned as given.
const json& checked_message(const json& message) {
  if (!message.is_object())
    throw ApiError(400, "invalid_field", "each message must be a JSON object",
                   {{"field", "messages"}});
  static constexpr std::string_view kFields[] = {"role",         "content",     "message_type",
                                                 "tool_name",    "tool_args",   "tool_call_id",
                                                 "is_streaming", "is_complete", "metadata"};
  only_fields(message, kFields);
  (void)required_string(message, "role");
  for (const auto* name : {"content", "message_type", "tool_name", "tool_call_id"})
    (void)string_field(message, name);
  (void)json_field(message, "tool_args", "object");
  (void)json_field(message, "metadata", "object");
  (void)bool_field(message, "is_streaming");
  (void)bool_field(message, "is_complete");
  return message;
}

// The messages of a body: {"messages": [...]} (a batch) or one message object.
json messages_of(const json& body) {
  if (const auto batch = body.find("messages"); batch != body.end()) {
    if (!batch->is_array() || batch->empty() || batch->size() > kMostMessagesPerAppend)
      throw ApiError(400, "invalid_field",
                     "field 'messages' must be an array of 1 to " +
                         std::to_string(kMostMessagesPerAppend) + " messages",
                     {{"field", "messages"}});
    for (const auto& message : *batch)
      (void)checked_message(message);
    return *batch;
  }
  return json::array({checked_message(body)});
}

// Inserts the messages in the order given (created_at a microsecond apart within the batch),
// only into a conversation of the caller's that is not deleted. Returns them as a JSON array.
std::optional<std::string> insert_messages(RequestContext& ctx, const std::string& conversation,
                                           const json& messages) {
  const auto rows = ctx.db().exec_params(
      "WITH inserted AS (INSERT INTO messages AS m (conversation_id, role, content, message_type,"
      " tool_name, tool_args, tool_call_id, is_streaming, is_complete, metadata, created_at)"
      " SELECT $1::uuid, e.v->>'role', coalesce(e.v->>'content', ''),"
      " coalesce(e.v->>'message_type', 'text'), e.v->>'tool_name', e.v->'tool_args',"
      " e.v->>'tool_call_id', coalesce((e.v->>'is_streaming')::boolean, false),"
      " coalesce((e.v->>'is_complete')::boolean, NOT coalesce((e.v->>'is_streaming')::boolean,"
      " false)), coalesce(e.v->'metadata', '{}'), now() + (e.n - 1) * interval '1 microsecond'"
      " FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(v, n)"
      " WHERE EXISTS (SELECT 1 FROM conversations c WHERE c.id = $1::uuid"
      " AND c.status <> 'deleted') ORDER BY e.n RETURNING m.*)"
      " SELECT count(*), coalesce(jsonb_agg(to_jsonb(i) ORDER BY i.created_at, i.id), '[]')"
      " FROM inserted i",
      conversation, json_text(messages));
  if (rows.front()[0].view() == "0")
    return std::nullopt;
  return rows.front()[1].c_str();
}

// The conversation with its latest `latest` messages, oldest first; nullopt when not the caller's.
std::optional<std::string> conversation_json(RequestContext& ctx, const std::string& id,
                                             int latest) {
  const auto rows = ctx.db().exec_params(
      "SELECT to_jsonb(c) || jsonb_build_object('messages', coalesce((SELECT jsonb_agg(to_jsonb(m)"
      " ORDER BY m.created_at, m.id) FROM (SELECT * FROM messages WHERE conversation_id = c.id"
      " ORDER BY created_at DESC, id DESC LIMIT $2) m), '[]'))"
      " FROM conversations c WHERE c.id = $1 AND c.status <> 'deleted'",
      id, latest);
  if (rows.empty())
    return std::nullopt;
  return rows.front()[0].c_str();
}

HttpResponse start_conversation(RequestContext& ctx, Service&) {
  const auto& body = ctx.body();
  static constexpr std::string_view kFields[] = {"agent_id", "session_id", "title", "metadata",
                                                 "first_message"};
  only_fields(body, kFields);
  const auto agent = uuid_field(body, "agent_id");
  const auto session = uuid_field(body, "session_id");
  const auto title = string_field(body, "title");
  const auto metadata = json_field(body, "metadata", "object");
  const auto created = ctx.db().exec_params(
      "INSERT INTO conversations (user_id, agent_id, session_id, title, metadata)"
      " VALUES (app_current_user_id(), nullif($1, '')::uuid, nullif($2, '')::uuid, $3,"
      " coalesce(nullif($4, '')::jsonb, '{}')) RETURNING id",
      agent.value_or(""), session.value_or(""), title, metadata.value_or(""));
  const std::string id = created.front()[0].c_str();
  if (const auto first = body.find("first_message"); first != body.end() && !first->is_null())
    (void)insert_messages(ctx, id, json::array({checked_message(*first)}));
  ctx.audit("create", "conversations", id);
  return json_response(201, *conversation_json(ctx, id, 20));
}

HttpResponse get_conversation(RequestContext& ctx, Service&) {
  const auto given = ctx.query("messages");
  const auto latest = given ? util::parse_int64(*given) : std::optional<long long>(20);
  if (!latest || *latest < 0 || *latest > 100)
    throw ApiError(400, "invalid_query", "messages must be from 0 to 100",
                   {{"parameter", "messages"}});
  const auto found = conversation_json(ctx, ctx.uuid_param("id"), static_cast<int>(*latest));
  if (!found)
    throw no_conversation();
  return json_response(200, *found);
}

// ?agent_id=&status=&after=&limit=, in id order; deleted ones only when status=deleted is asked.
HttpResponse list_conversations(RequestContext& ctx, Service&) {
  const auto agent = ctx.uuid_query("agent_id");
  const auto after = ctx.uuid_query("after");
  const auto rows = ctx.db().exec_params(
      "WITH page AS (SELECT c.* FROM conversations c WHERE ($1 = '' OR c.agent_id = nullif($1,"
      " '')::uuid) AND (CASE WHEN $2 = '' THEN c.status <> 'deleted' ELSE c.status = $2 END)"
      " AND ($3 = '' OR c.id > nullif($3, '')::uuid) ORDER BY c.id LIMIT $4)"
      " SELECT json_build_object('items', coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.id), '[]'),"
      " 'next', CASE WHEN count(*) = $4 THEN max(p.id::text) END) FROM page p",
      agent, ctx.query("status").value_or(""), after, ctx.limit(20, 100));
  return json_response(200, rows.front()[0].c_str());
}

HttpResponse set_status(RequestContext& ctx, std::string_view status, std::string_view action) {
  const auto id = ctx.uuid_param("id");
  const auto rows = ctx.db().exec_params(
      "UPDATE conversations c SET status = $2 WHERE c.id = $1 AND c.status <> 'deleted'"
      " RETURNING to_jsonb(c)",
      id, std::string(status));
  if (rows.empty())
    throw no_conversation();
  ctx.audit(action, "conversations", id, {{"status", status}});
  return json_response(status == "deleted" ? 204 : 200,
                       status == "deleted" ? "" : rows.front()[0].c_str());
}

HttpResponse archive_conversation(RequestContext& ctx, Service&) {
  return set_status(ctx, "archived", "update");
}

HttpResponse delete_conversation(RequestContext& ctx, Service&) {
  return set_status(ctx, "deleted", "delete");
}

// One message or {"messages": [...]}, all or none.
HttpResponse append_messages(RequestContext& ctx, Service&) {
  const auto id = ctx.uuid_param("id");
  const auto messages = messages_of(ctx.body());
  const auto inserted = insert_messages(ctx, id, messages);
  if (!inserted)
    throw no_conversation();
  ctx.audit("create", "messages", id, {{"count", messages.size()}});
  return json_response(201, std::string(R"({"items":)") + *inserted + "}");
}

// ?after=<message id>&limit=, oldest first.
HttpResponse list_messages(RequestContext& ctx, Service&) {
  const auto id = ctx.uuid_param("id");
  const auto after = ctx.uuid_query("after");
  const auto rows = ctx.db().exec_params(
      "SELECT EXISTS (SELECT 1 FROM conversations WHERE id = $1 AND status <> 'deleted'),"
      " (WITH page AS (SELECT m.* FROM messages m WHERE m.conversation_id = $1 AND ($2 = '' OR"
      " (m.created_at, m.id) > (SELECT created_at, id FROM messages WHERE id = nullif($2, '')::uuid"
      " AND conversation_id = $1)) ORDER BY m.created_at, m.id LIMIT $3)"
      " SELECT json_build_object('items', coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.created_at,"
      " p.id), '[]'), 'next', CASE WHEN count(*) = $3 THEN (array_agg(p.id::text ORDER BY"
      " p.created_at DESC, p.id DESC))[1] END) FROM page p)",
      id, after, ctx.limit(50, 500));
  if (rows.front()[0].view() != "t")
    throw no_conversation();
  return json_response(200, rows.front()[1].c_str());
}

// {"append": "more text", "is_complete": true} on a message that is still streaming.
HttpResponse patch_message(RequestContext& ctx, Service&) {
  const auto conversation = ctx.uuid_param("id");
  const auto message = ctx.uuid_param("message_id");
  const auto& body = ctx.body();
  static constexpr std::string_view kFields[] = {"append", "is_complete"};
  only_fields(body, kFields);
  const auto append = string_field(body, "append").value_or("");
  const auto complete = bool_field(body, "is_complete").value_or(false);
  const auto rows = ctx.db().exec_params(
      "WITH target AS (SELECT id, created_at, is_complete FROM messages WHERE id = $2"
      " AND conversation_id = $1), changed AS (UPDATE messages m SET content = m.content || $3,"
      " is_complete = $4, is_streaming = NOT $4 FROM target t WHERE m.id = t.id AND"
      " m.created_at = t.created_at AND NOT t.is_complete RETURNING m.*)"
      " SELECT (SELECT count(*) FROM target), (SELECT to_jsonb(c) FROM changed c)",
      conversation, message, append, complete);
  if (rows.front()[0].view() == "0")
    throw ApiError(404, "not_found", "no message of yours has this id in this conversation");
  if (rows.front()[1].is_null())
    throw ApiError(409, "conflict", "the message is complete; only a streaming message changes");
  ctx.audit("update", "messages", message, {{"appended_bytes", append.size()}});
  return json_response(200, rows.front()[1].c_str());
}

// Full-text search over the caller's text messages, newest first.
HttpResponse search_messages(RequestContext& ctx, Service&) {
  const auto query = ctx.query("q").value_or("");
  if (query.empty() || query.size() > 500)
    throw ApiError(400, "invalid_query", "q must hold 1 to 500 characters of search text",
                   {{"parameter", "q"}});
  const auto rows = ctx.db().exec_params(
      "SELECT coalesce(jsonb_agg(to_jsonb(m) ORDER BY m.created_at DESC, m.id DESC), '[]') FROM"
      " (SELECT * FROM messages WHERE message_type = 'text' AND message_search_vector(content) @@"
      " plainto_tsquery('simple', $1) ORDER BY created_at DESC, id DESC LIMIT $2) m",
      query, ctx.limit(20, 100));
  return json_response(200, std::string(R"({"items":)") + rows.front()[0].c_str() + "}");
}

constexpr Route kRoutes[] = {
    {"POST", "/api/v1/conversations", Scope::write, Access::read_write, start_conversation,
     Auth::key, "Start a conversation, optionally with its first message", "201 400 413 415 422",
     ""},
    {"GET", "/api/v1/conversations", Scope::read, Access::read_only, list_conversations, Auth::key,
     "List your conversations (by agent, status; keyset pagination)", "200 400",
     "agent_id status after limit"},
    {"GET", "/api/v1/conversations/{id}", Scope::read, Access::read_only, get_conversation,
     Auth::key, "Get a conversation with its latest messages", "200 400 404", "messages"},
    {"POST", "/api/v1/conversations/{id}/archive", Scope::write, Access::read_write,
     archive_conversation, Auth::key, "Archive a conversation", "200 400 404", ""},
    {"DELETE", "/api/v1/conversations/{id}", Scope::write, Access::read_write, delete_conversation,
     Auth::key, "Soft-delete a conversation", "204 400 404", ""},
    {"POST", "/api/v1/conversations/{id}/messages", Scope::write, Access::read_write,
     append_messages, Auth::key, "Append one message or a batch, atomically", "201 400 404 413 415",
     ""},
    {"GET", "/api/v1/conversations/{id}/messages", Scope::read, Access::read_only, list_messages,
     Auth::key, "List a conversation's messages in order (keyset pagination)", "200 400 404",
     "after limit"},
    {"PATCH", "/api/v1/conversations/{id}/messages/{message_id}", Scope::write, Access::read_write,
     patch_message, Auth::key, "Append content to a streaming message and mark it complete",
     "200 400 404 409 413 415", ""},
    {"GET", "/api/v1/messages/search", Scope::read, Access::read_only, search_messages, Auth::key,
     "Full-text search over your messages", "200 400", "q limit"},
};

}  // namespace

std::span<const Route> conversation_routes() {
  return kRoutes;
}

}  // namespace agentdb::serve
