-- Revision 20261123000800_audit_logs
--
-- Security audit trail: who did what to which resource, from where.
--
-- Design:
--   * Append-only, enforced by reject_mutation() (no UPDATE, no DELETE). Retention is
--     done by detaching/dropping whole monthly partitions, which the trigger does not
--     (and should not) block.
--   * Partitioning: range by created_at month (UTC) with a DEFAULT partition (general
--     reasoning in 20261123000400). Audit queries are almost always time-bounded
--     ("what did this user / what happened to this resource in the last 30 days"), so
--     pruning applies; retention is a partition drop; the primary key is
--     (id, created_at) and nothing references this table.
--   * Indexes: (user_id, created_at DESC) for a user's activity, (resource_type,
--     resource_id, created_at DESC) for a resource's history, BRIN on created_at for
--     time-window scans and exports (rows arrive in time order).
--   * user_id deliberately has NO foreign key. The trail must record actors that were
--     later deleted, must not be mutated by ON DELETE SET NULL (append-only) and must
--     not block erasure with RESTRICT; a foreign key check would also cost an index
--     probe of users on every insert. user_id is NULL for anonymous events (e.g. a
--     failed login). resource_id is text because resources are not all uuid-keyed.
--   * Row-level security: ENABLE + FORCE. Users may read their own entries and insert
--     entries about themselves or anonymous ones; agentdb_admin members read and insert
--     everything. The DEFAULT partition has RLS enabled without policies.

CREATE TABLE audit_logs (
  id             uuid        NOT NULL DEFAULT uuid_v7(),
  user_id        uuid,
  action         text        NOT NULL,
  resource_type  text        NOT NULL,
  resource_id    text,
  details        jsonb       NOT NULL DEFAULT '{}',
  ip_address     inet,
  user_agent     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  -- The partition key must be part of every unique constraint of a partitioned table.
  CONSTRAINT audit_logs_pkey PRIMARY KEY (id, created_at),
  CONSTRAINT audit_logs_action_check CHECK (action IN
    ('create', 'read', 'update', 'delete', 'restore', 'login', 'logout', 'login_failed',
     'grant', 'revoke', 'export', 'execute')),
  CONSTRAINT audit_logs_resource_type_check CHECK (resource_type ~ '^[a-z][a-z0-9_]{0,62}$'),
  CONSTRAINT audit_logs_details_check CHECK (jsonb_typeof(details) = 'object')
) PARTITION BY RANGE (created_at);

CREATE TABLE audit_logs_default PARTITION OF audit_logs DEFAULT;

CREATE INDEX audit_logs_user_id_created_at_idx ON audit_logs (user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX audit_logs_resource_idx ON audit_logs (resource_type, resource_id, created_at DESC);
CREATE INDEX audit_logs_created_at_brin_idx ON audit_logs USING brin (created_at);

CREATE TRIGGER audit_logs_append_only
  BEFORE UPDATE OR DELETE ON audit_logs
  FOR EACH ROW
  EXECUTE FUNCTION reject_mutation();

COMMENT ON TABLE audit_logs IS
  'Append-only security audit trail. Range-partitioned by created_at month (UTC) with a DEFAULT '
  'partition; retention drops whole partitions. user_id has no foreign key on purpose.';
COMMENT ON TABLE audit_logs_default IS
  'Catch-all partition of audit_logs for months without a partition; normally empty.';
COMMENT ON COLUMN audit_logs.id IS 'uuid_v7 (time-ordered). Unique in practice; the enforced key is (id, created_at).';
COMMENT ON COLUMN audit_logs.user_id IS 'Acting user; NULL for anonymous events. No foreign key: the trail outlives users.';
COMMENT ON COLUMN audit_logs.action IS
  'create, read, update, delete, restore, login, logout, login_failed, grant, revoke, export or execute.';
COMMENT ON COLUMN audit_logs.resource_type IS 'Kind of resource acted on, usually a table name such as travel_plans or api_keys.';
COMMENT ON COLUMN audit_logs.resource_id IS 'Id of the resource as text; NULL for actions without a single resource.';
COMMENT ON COLUMN audit_logs.details IS 'Action-specific details (JSON object), e.g. changed fields.';
COMMENT ON COLUMN audit_logs.ip_address IS 'Client address of the request.';
COMMENT ON COLUMN audit_logs.created_at IS 'Partition key; time of the action.';

ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_logs_default ENABLE ROW LEVEL SECURITY;

CREATE POLICY audit_logs_owner_select ON audit_logs FOR SELECT
  USING (user_id = app_current_user_id());
CREATE POLICY audit_logs_owner_insert ON audit_logs FOR INSERT
  WITH CHECK (user_id IS NULL OR user_id = app_current_user_id());
CREATE POLICY audit_logs_admin_all ON audit_logs TO agentdb_admin
  USING (true) WITH CHECK (true);

GRANT SELECT, INSERT ON audit_logs TO agentdb_admin;
