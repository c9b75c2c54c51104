-- Revision 20261204000100_service_role
--
-- The role `agentdb serve` works as, and the one function it authenticates a request with.
--
--   * agentdb_service (NOLOGIN, created only if missing, kept by the down file for the reasons
--     20261123000100_foundation gives for agentdb_admin). Every request transaction of serve
--     runs  SET LOCAL ROLE agentdb_service  (or agentdb_admin for an admin-scoped key), so the
--     policies of every table apply whichever login serve connects as: a handler bug cannot
--     return another user's rows. The login serve uses must be a member of both roles
--     (GRANT agentdb_service, agentdb_admin TO <login>), or a superuser, as the embedded
--     cluster's is. agentdb_service is not a member of agentdb_admin.
--   * Privileges are those of the data service: read and write the user data (RLS decides
--     which rows), read the catalogs (agents, model prices) and the cost rollup, insert the
--     rollup's deltas (written by the capture triggers in the caller's name) and audit rows.
--     No DELETE on user data besides what soft deletes do not cover (none), no TRUNCATE.
--   * app_authenticate(key_hash): one round trip per request instead of three. It finds the
--     live key whose hash is given (through the api_keys_lookup_by_hash policy), sets
--     app.current_user_id for the rest of the transaction, and returns the key with its
--     user's state. SECURITY INVOKER: it runs with the caller's privileges and policies, so it
--     can reveal nothing the caller could not read in three statements.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'agentdb_service') THEN
    BEGIN
      CREATE ROLE agentdb_service NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN
        NULL;  -- created concurrently by a migration of another database in this cluster
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'role agentdb_service does not exist and % may not create it', current_user
          USING HINT = 'Run  CREATE ROLE agentdb_service NOLOGIN;  as a role with CREATEROLE, then migrate again.';
    END;
  END IF;
END
$$;

GRANT SELECT, INSERT, UPDATE ON users, api_keys, sessions, conversations, messages, travel_plans,
  agent_executions, agents TO agentdb_service;
GRANT SELECT ON model_prices, cost_daily, exec_daily, exec_day_total, exec_monthly TO agentdb_service;
GRANT SELECT, INSERT ON cost_tracking, audit_logs, events, cost_daily_delta, exec_daily_delta
  TO agentdb_service;

CREATE FUNCTION app_authenticate(p_key_hash text)
  RETURNS TABLE (key_id uuid, user_id uuid, key_prefix text, scopes text[], rate_limit_tier text,
                 usable boolean)
  LANGUAGE plpgsql VOLATILE
  AS $$
DECLARE
  v_key api_keys%ROWTYPE;
BEGIN
  PERFORM set_config('app.api_key_hash', p_key_hash, true);
  SELECT * INTO v_key FROM api_keys k WHERE k.key_hash = p_key_hash;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  PERFORM set_config('app.current_user_id', v_key.user_id::text, true);
  RETURN QUERY
    SELECT v_key.id, v_key.user_id, v_key.key_prefix, v_key.scopes, v_key.rate_limit_tier,
           v_key.revoked_at IS NULL AND (v_key.expires_at IS NULL OR v_key.expires_at > now())
             AND coalesce((SELECT u.is_active AND u.deleted_at IS NULL FROM users u
                           WHERE u.id = v_key.user_id), false);
END
$$;

COMMENT ON FUNCTION app_authenticate(text) IS
  'The API key with this SHA-256 hex, with usable = not revoked, not expired and its user active; '
  'sets app.current_user_id to its user for the rest of the transaction. No row: unknown key.';
