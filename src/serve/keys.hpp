// API keys of `agentdb serve`: issue, list and revoke, for `agentdb keys` and the /api-keys routes
// alike. A raw key is returned once by issue_key and never stored: only its SHA-256 and a visible
// prefix are. Each function runs its statements on a session inside the caller's transaction, which
// must act as agentdb_admin (SET LOCAL ROLE agentdb_admin, or a superuser).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentdb::db {
class Session;
}

namespace agentdb::serve {

struct KeyRequest {
  std::string email;                  // the key's owner; created (role user) when missing
  std::vector<std::string> scopes;    // a non-empty subset of read, write, admin
  std::string tier = "standard";      // free, standard, premium or unlimited
  std::string name = "agentdb keys";  // what the key is for, 1-200 characters
};

struct KeyInfo {
  std::string id;
  std::string prefix;  // the first characters of the raw key, e.g. adb_k3Jx9QaZ
  std::string user_id;
  std::string email;
  std::string name;
  std::vector<std::string> scopes;
  std::string tier;
  std::string created_at;  // RFC 3339
  std::optional<std::string> last_used_at;
  std::optional<std::string> revoked_at;
};

struct IssuedKey {
  KeyInfo key;
  std::string raw;  // shown once
  bool user_created = false;
};

// Throws Error(usage) for scopes, tier, name or e-mail that the schema would refuse, naming which.
void validate(const KeyRequest& request);
[[nodiscard]] IssuedKey issue_key(db::Session& session, const KeyRequest& request);
// Newest first; only that user's keys when `email` is given.
[[nodiscard]] std::vector<KeyInfo> list_keys(db::Session& session,
                                             std::optional<std::string_view> email = {});
// Revokes the one live key with this prefix. Throws Error(failure) when none has it,
// Error(conflict) when several do; a key already revoked stays as it was and is returned.
KeyInfo revoke_key(db::Session& session, std::string_view prefix);

// A key as the API and `keys --json` show it (never the raw key, never its hash).
[[nodiscard]] nlohmann::json key_json(const KeyInfo& key);

// The SHA-256 hex stored for a raw key.
[[nodiscard]] std::string key_hash(std::string_view raw_key);
// Whether text has the shape of a raw key (so garbage is refused before any query).
[[nodiscard]] bool looks_like_key(std::string_view text);

}  // namespace agentdb::serve
