-- Revision 20261123000200_identity
--
-- Platform identities: users and their API keys.
--
-- users
--   * Soft delete (deleted_at). Uniqueness of the e-mail address (case-insensitive, via a
--     unique index on lower(email)) and of (auth_provider, provider_user_id) is enforced
--     among non-deleted users only, so a deleted account does not block signing up again.
--     A unique index on lower(email) is used instead of citext to avoid an extension.
--     ON CONFLICT targets must repeat the index predicate:
--       ON CONFLICT (lower(email)) WHERE deleted_at IS NULL
--   * Hard deletes are reserved for erasure; see the ON DELETE rules of the referencing
--     tables (user content cascades, billing records in cost_tracking RESTRICT the delete,
--     audit_logs keeps the bare id).
--
-- api_keys
--   * Only the SHA-256 of the raw key is stored (lower-case hex, CHECKed), plus a short
--     display prefix such as sk_live_ab12. The raw key is shown once and never stored.
--   * ON DELETE CASCADE from users: a key is meaningless without its owner, and erasing a
--     user must revoke every key in the same statement.
--   * Authenticating a request happens before the user is known, so besides the owner
--     policy there is a SELECT-only policy that reveals the row whose key_hash equals the
--     setting app.api_key_hash. Knowing a key's hash requires knowing the key (or reading
--     the table), so this reveals nothing new; the request path does
--       SET LOCAL app.api_key_hash = '<sha256 hex of presented key>';
--       SELECT ... FROM api_keys WHERE key_hash = '<same>';
--     and then SET LOCAL app.current_user_id to the key's user_id.
--   * last_used_at is a hot-row write; the application should only update it when it is
--     older than, say, a minute.
--
-- Row-level security (model described in 20261123000100_foundation): ENABLE + FORCE on
-- both tables; users see and update their own users row (signup and deletion are admin
-- operations) and manage their own keys; members of agentdb_admin see everything.

CREATE TABLE users (
  id                uuid        NOT NULL DEFAULT gen_random_uuid(),
  email             text        NOT NULL,
  name              text,
  auth_provider     text        NOT NULL DEFAULT 'local',
  provider_user_id  text,
  roles             text[]      NOT NULL DEFAULT '{user}',
  groups            text[]      NOT NULL DEFAULT '{}',
  hashed_password   text,
  is_active         boolean     NOT NULL DEFAULT true,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  deleted_at        timestamptz,
  CONSTRAINT users_pkey PRIMARY KEY (id),
  CONSTRAINT users_email_check CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' AND length(email) <= 320),
  CONSTRAINT users_auth_provider_check CHECK (auth_provider ~ '^[a-z][a-z0-9_]{1,31}$'),
  CONSTRAINT users_provider_user_id_check CHECK (auth_provider = 'local' OR provider_user_id IS NOT NULL),
  CONSTRAINT users_roles_check CHECK (roles <@ ARRAY['user', 'admin', 'developer', 'operator', 'viewer']::text[]
                                      AND array_position(roles, NULL) IS NULL),
  CONSTRAINT users_groups_check CHECK (array_position(groups, NULL) IS NULL),
  CONSTRAINT users_hashed_password_check CHECK (hashed_password IS NULL OR length(hashed_password) > 0),
  CONSTRAINT users_deleted_at_check CHECK (deleted_at IS NULL OR deleted_at >= created_at)
);

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_auth_provider_user_key ON users (auth_provider, provider_user_id) WHERE deleted_at IS NULL;

CREATE TRIGGER users_set_updated_at
  BEFORE UPDATE ON users
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION set_updated_at();

COMMENT ON TABLE users IS
  'Platform users. Soft-deleted via deleted_at; e-mail and provider identity are unique among non-deleted users.';
COMMENT ON COLUMN users.email IS 'Login e-mail; unique case-insensitively among non-deleted users (index users_email_lower_key).';
COMMENT ON COLUMN users.auth_provider IS 'Identity provider: local (password) or an external provider name such as google or github.';
COMMENT ON COLUMN users.provider_user_id IS 'Subject id at the external provider; required unless auth_provider = local.';
COMMENT ON COLUMN users.roles IS 'Platform roles (user, admin, developer, operator, viewer).';
COMMENT ON COLUMN users.groups IS 'Free-form group names, e.g. for team sharing.';
COMMENT ON COLUMN users.hashed_password IS 'Password hash (argon2/bcrypt string) for local users; NULL for external identities.';
COMMENT ON COLUMN users.deleted_at IS 'Soft delete: set instead of deleting the row; NULL for live users.';

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;

CREATE POLICY users_self_select ON users FOR SELECT
  USING (id = app_current_user_id());
CREATE POLICY users_self_update ON users FOR UPDATE
  USING (id = app_current_user_id())
  WITH CHECK (id = app_current_user_id());
CREATE POLICY users_admin_all ON users TO agentdb_admin
  USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON users TO agentdb_admin;

CREATE TABLE api_keys (
  id               uuid        NOT NULL DEFAULT gen_random_uuid(),
  user_id          uuid        NOT NULL,
  name             text        NOT NULL,
  key_hash         text        NOT NULL,
  key_prefix       text        NOT NULL,
  scopes           text[]      NOT NULL DEFAULT '{read}',
  rate_limit_tier  text        NOT NULL DEFAULT 'standard',
  last_used_at     timestamptz,
  expires_at       timestamptz,
  revoked_at       timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT api_keys_pkey PRIMARY KEY (id),
  -- CASCADE: keys are worthless without their owner; erasing a user revokes all keys.
  CONSTRAINT api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
  CONSTRAINT api_keys_key_hash_check CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT api_keys_key_prefix_check CHECK (key_prefix ~ '^[A-Za-z0-9_-]{4,32}$'),
  CONSTRAINT api_keys_name_check CHECK (length(name) BETWEEN 1 AND 200),
  CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) > 0
                                          AND scopes <@ ARRAY['read', 'write', 'admin']::text[]
                                          AND array_position(scopes, NULL) IS NULL),
  CONSTRAINT api_keys_rate_limit_tier_check CHECK (rate_limit_tier IN ('free', 'standard', 'premium', 'unlimited')),
  CONSTRAINT api_keys_expires_at_check CHECK (expires_at IS NULL OR expires_at > created_at)
);

CREATE INDEX api_keys_user_id_created_at_idx ON api_keys (user_id, created_at DESC);

COMMENT ON TABLE api_keys IS
  'API keys of users. Only the SHA-256 hash of the raw key is stored; a key is valid while '
  'revoked_at IS NULL and (expires_at IS NULL OR expires_at > now()).';
COMMENT ON COLUMN api_keys.key_hash IS 'Lower-case hex SHA-256 of the raw key (64 characters); the lookup key for authentication.';
COMMENT ON COLUMN api_keys.key_prefix IS 'First characters of the raw key (e.g. sk_live_ab12), shown in UIs to identify the key.';
COMMENT ON COLUMN api_keys.scopes IS 'Non-empty subset of {read, write, admin}.';
COMMENT ON COLUMN api_keys.rate_limit_tier IS 'Rate limit class: free, standard, premium or unlimited.';
COMMENT ON COLUMN api_keys.revoked_at IS 'Set when the key is revoked; revoked keys are kept for audit.';

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;

CREATE POLICY api_keys_owner_all ON api_keys
  USING (user_id = app_current_user_id())
  WITH CHECK (user_id = app_current_user_id());
CREATE POLICY api_keys_lookup_by_hash ON api_keys FOR SELECT
  USING (key_hash = current_setting('app.api_key_hash', true));
CREATE POLICY api_keys_admin_all ON api_keys TO agentdb_admin
  USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON api_keys TO agentdb_admin;
