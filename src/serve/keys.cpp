#include "serve/keys.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "db/session.hpp"
#include "util/random.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace agentdb::serve {

namespace {

constexpr std::string_view kKeyStart = "adb_";
constexpr std::size_t kRandomCharacters = 40;  // 62^40: about 238 bits
constexpr std::size_t kPrefixLength = 12;      // "adb_" and 8 characters

constexpr std::string_view kKeyColumns =
    "k.id, k.key_prefix, k.user_id, u.email, k.name, array_to_string(k.scopes, ',') AS scopes,"
    " k.rate_limit_tier, to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " AS created_at,"
    " to_char(k.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS last_used_at,"
    " to_char(k.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS revoked_at";

KeyInfo key_of(const db::Row& row) {
  KeyInfo key;
  key.id = row["id"].c_str();
  key.prefix = row["key_prefix"].c_str();
  key.user_id = row["user_id"].c_str();
  key.email = row["email"].c_str();
  key.name = row["name"].c_str();
  key.scopes = util::split(row["scopes"].view(), ',');
  key.tier = row["rate_limit_tier"].c_str();
  key.created_at = row["created_at"].c_str();
  key.last_used_at = row["last_used_at"].get<std::string>();
  key.revoked_at = row["revoked_at"].get<std::string>();
  return key;
}

// `from` is the table or the CTE the keys come from, named k.
std::string select_keys(std::string_view where, std::string_view from = "api_keys k") {
  return "SELECT " + std::string(kKeyColumns) + " FROM " + std::string(from) +
         " JOIN users u ON u.id = k.user_id " + std::string(where);
}

}  // namespace

nlohmann::json key_json(const KeyInfo& key) {
  using nlohmann::json;
  return {{"id", key.id},
          {"prefix", key.prefix},
          {"user_id", key.user_id},
          {"email", key.email},
          {"name", key.name},
          {"scopes", key.scopes},
          {"tier", key.tier},
          {"created_at", key.created_at},
          {"last_used_at", key.last_used_at ? json(*key.last_used_at) : json(nullptr)},
          {"revoked_at", key.revoked_at ? json(*key.revoked_at) : json(nullptr)}};
}

std::string key_hash(std::string_view raw_key) {
  return util::sha256_hex(raw_key);
}

bool looks_like_key(std::string_view text) {
  return text.size() == kKeyStart.size() + kRandomCharacters && text.starts_with(kKeyStart) &&
         std::all_of(text.begin() + kKeyStart.size(), text.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0; });
}

void validate(const KeyRequest& request) {
  static constexpr std::string_view kScopes[] = {"read", "write", "admin"};
  if (request.scopes.empty())
    throw Error(ExitCode::usage, "no scope given",
                "give --scope read, write or admin, e.g. read,write");
  for (const auto& scope : request.scopes)
    if (std::find(std::begin(kScopes), std::end(kScopes), scope) == std::end(kScopes))
      throw Error(ExitCode::usage, "unknown scope '" + excerpt(scope) + "'",
                  "scopes are read, write and admin, separated by commas");
  static constexpr std::string_view kTiers[] = {"free", "standard", "premium", "unlimited"};
  if (std::find(std::begin(kTiers), std::end(kTiers), request.tier) == std::end(kTiers))
    throw Error(ExitCode::usage, "unknown tier '" + excerpt(request.tier) + "'",
                "tiers are free, standard, premium and unlimited");
  if (request.name.empty() || request.name.size() > 200)
    throw Error(ExitCode::usage, "a key's name must have 1 to 200 characters");
  const auto at = request.email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == request.email.size() ||
      request.email.size() > 320 || request.email.find_first_of(" \t\r\n") != std::string::npos)
    throw Error(ExitCode::usage, "invalid e-mail address '" + excerpt(request.email) + "'",
                "give the key owner's address, such as admin@example.com");
}

IssuedKey issue_key(db::Session& session, const KeyRequest& request) {
  validate(request);
  IssuedKey issued;
  auto user = session.exec_params(
      "SELECT id FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL", request.email);
  if (user.empty()) {
    const bool admin =
        std::find(request.scopes.begin(), request.scopes.end(), "admin") != request.scopes.end();
    user =
        session.exec_params("INSERT INTO users (email, roles) VALUES ($1, $2::text[]) RETURNING id",
                            request.email, admin ? "{user,admin}" : "{user}");
    issued.user_created = true;
  }
  issued.raw = std::string(kKeyStart) + util::random_alphanumeric(kRandomCharacters);
  const auto inserted = session.exec_params(
      "WITH inserted AS (INSERT INTO api_keys (user_id, name, key_hash, key_prefix, scopes,"
      " rate_limit_tier) VALUES ($1, $2, $3, $4, string_to_array($5, ','), $6) RETURNING *) " +
          select_keys("", "inserted k"),
      user.front()[0].c_str(), request.name, key_hash(issued.raw),
      issued.raw.substr(0, kPrefixLength), util::join(request.scopes, ","), request.tier);
  issued.key = key_of(inserted.front());
  return issued;
}

std::vector<KeyInfo> list_keys(db::Session& session, std::optional<std::string_view> email) {
  const auto rows =
      email ? session.exec_params(
                  select_keys("WHERE lower(u.email) = lower($1) ORDER BY k.created_at DESC, k.id"),
                  std::string(*email))
            : session.exec(select_keys("ORDER BY k.created_at DESC, k.id"));
  std::vector<KeyInfo> keys;
  for (const auto& row : rows)
    keys.push_back(key_of(row));
  return keys;
}

KeyInfo revoke_key(db::Session& session, std::string_view prefix) {
  const auto found = session.exec_params(
      "SELECT k.id, k.revoked_at IS NOT NULL AS revoked FROM api_keys k WHERE k.key_prefix = $1"
      " ORDER BY k.revoked_at NULLS FIRST",
      std::string(prefix));
  if (found.empty())
    throw Error(ExitCode::failure, "no API key has the prefix '" + excerpt(prefix) + "'",
                "see the prefixes with: agentdb keys list");
  if (found.size() > 1 && found[1]["revoked"].view() == "f")
    throw Error(ExitCode::conflict,
                "several live API keys have the prefix '" + std::string(prefix) + "'",
                "revoke them through the API by id, or look at: agentdb keys list");
  const auto id = std::string(found.front()["id"].c_str());
  (void)session.exec_params(
      "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", id);
  return key_of(session.exec_params(select_keys("WHERE k.id = $1"), id).front());
}

}  // namespace agentdb::serve
