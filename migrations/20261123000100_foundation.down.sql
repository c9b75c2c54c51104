-- Undo 20261123000100_foundation.
-- The role agentdb_admin is intentionally kept: roles are cluster-wide, it may have
-- existed before the up revision, may have members and may be used by other databases.
-- pg_dump --schema-only of the database does not include roles, so the schema after
-- this down is identical to the schema before the up.

DROP FUNCTION ensure_all_monthly_partitions(integer, timestamptz);
DROP FUNCTION ensure_monthly_partitions(regclass, integer, timestamptz);
DROP FUNCTION uuid_v7();
DROP FUNCTION reject_mutation();
DROP FUNCTION set_updated_at();
DROP FUNCTION app_current_user_id();
