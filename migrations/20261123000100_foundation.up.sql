-- Revision 20261123000100_foundation
--
-- Shared building blocks used by every later revision. No tables live here.
--
--   * agentdb_admin role (cluster-wide, created only if missing, see below)
--   * app_current_user_id()       the identity that row-level security keys on
--   * set_updated_at()            one trigger function for every updated_at column
--   * reject_mutation()           guard for append-only tables
--   * uuid_v7()                   time-ordered UUIDs for the big append-only tables
--   * ensure_monthly_partitions() / ensure_all_monthly_partitions()
--                                 partition maintenance for the time-partitioned tables
--
-- Extensions: none. gen_random_uuid() is built in since PostgreSQL 13 and sha256()
-- since 11, so pgcrypto is not needed. Keeping extensions out means the migrations run
-- on managed Postgres without extension allow-lists.
--
-- Row-level security model (the policies themselves live next to each table):
--   * The application connects as a normal (non-owner) role and, per transaction,
--     runs  SET LOCAL app.current_user_id = '<uuid>'.  Owner policies compare the
--     row's user_id with app_current_user_id(); when the setting is missing or empty
--     the function returns NULL and no row matches, so RLS fails closed.
--   * Every user-owned table ENABLEs and FORCEs RLS. FORCE makes the table owner
--     subject to the policies too, so an application that is (mis)configured to
--     connect as the schema owner does not silently see every user's rows.
--   * Admin tooling gets through a role, agentdb_admin, not a setting. A policy such
--     as  current_setting('app.bypass_rls', true) = 'on'  would be a bypass that any
--     session can switch on with SET, so it is not used. Each user-owned table has a
--     permissive policy  TO agentdb_admin USING (true) WITH CHECK (true).  Policies
--     apply to every role that has the privileges of agentdb_admin, so a login that is
--     GRANTed agentdb_admin (INHERIT, the default) sees all rows without SET ROLE.
--     This is used instead of the BYPASSRLS attribute because in PostgreSQL 15 only a
--     superuser may create a BYPASSRLS role (managed services often forbid it), the
--     attribute is not inherited through membership (every admin connection would
--     need SET ROLE), and it is invisible in the schema. A DBA who prefers it can
--     still run ALTER ROLE agentdb_admin BYPASSRLS; the two approaches coexist.
--     Superusers bypass RLS regardless.
--   * Roles are cluster-wide objects. The role is created only when missing (needs
--     CREATEROLE) and the down revision deliberately does NOT drop it: it may have
--     existed before, other databases of the cluster may use it, and it may have
--     members. pg_dump --schema-only of a database does not emit CREATE ROLE, so the
--     up/down round trip of the database schema stays byte-identical.
--   * Migrations that change DATA in RLS tables must run as a member of
--     agentdb_admin (or a superuser): because of FORCE, the owner alone sees no rows.
--     DDL is not affected by RLS.
--
-- Partitioning helpers: messages, cost_tracking and audit_logs are range-partitioned
-- by created_at month (reasoning in their revisions). The revisions create only the
-- parent and a DEFAULT partition so that the schema a migration produces does not
-- depend on the day it ran. Monthly partitions are created by
-- ensure_all_monthly_partitions(), which agentdb (or cron) should call after
-- migrating and then daily. Until it runs, rows land in the DEFAULT partition, which
-- is correct but unpruned; the function moves such rows into the new partition.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'agentdb_admin') THEN
    BEGIN
      CREATE ROLE agentdb_admin NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN
        NULL;  -- created concurrently by a migration of another database in this cluster
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'role agentdb_admin does not exist and % may not create it', current_user
          USING HINT = 'Run  CREATE ROLE agentdb_admin NOLOGIN;  as a role with CREATEROLE, then migrate again.';
    END;
  END IF;
END
$$;

CREATE FUNCTION app_current_user_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.current_user_id', true), '')::uuid $$;

COMMENT ON FUNCTION app_current_user_id() IS
  'The platform user the current transaction acts for: the setting app.current_user_id '
  '(SET LOCAL by the application), NULL when unset or empty. Row-level security policies '
  'compare user_id with this; NULL matches nothing, so RLS fails closed. An invalid UUID '
  'raises an error instead of silently matching nothing.';

CREATE FUNCTION set_updated_at() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION set_updated_at() IS
  'BEFORE UPDATE row trigger shared by every table with an updated_at column. Triggers use '
  'WHEN (OLD.* IS DISTINCT FROM NEW.*) so no-op updates do not bump the timestamp.';

CREATE FUNCTION reject_mutation() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
DECLARE
  v_new jsonb;
  v_old jsonb;
  v_col text;
BEGIN
  IF TG_OP = 'UPDATE' AND TG_NARGS > 0 THEN
    v_new := to_jsonb(NEW);
    v_old := to_jsonb(OLD);
    FOREACH v_col IN ARRAY TG_ARGV LOOP
      IF (v_new -> v_col) IS DISTINCT FROM (v_old -> v_col) AND (v_new -> v_col) <> 'null'::jsonb THEN
        RAISE EXCEPTION '%.% is append-only: column % may only be set to NULL', TG_TABLE_SCHEMA, TG_TABLE_NAME, v_col
          USING ERRCODE = 'restrict_violation';
      END IF;
      v_new := v_new - v_col;
      v_old := v_old - v_col;
    END LOOP;
    IF v_new = v_old THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION '%.% is append-only: % is not allowed', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation',
          HINT = 'Old data is removed by dropping whole partitions, not by DELETE.';
END
$$;

COMMENT ON FUNCTION reject_mutation() IS
  'BEFORE UPDATE OR DELETE row trigger for append-only tables. Trigger arguments name columns '
  'that an UPDATE may set to NULL (and nothing else), which is what ON DELETE SET NULL foreign '
  'keys need; every other UPDATE and every DELETE raises restrict_violation.';

CREATE FUNCTION uuid_v7() RETURNS uuid
  LANGUAGE sql VOLATILE PARALLEL SAFE
  AS $$
  SELECT encode(
           set_bit(
             set_bit(
               overlay(uuid_send(gen_random_uuid())
                       PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                       FROM 1 FOR 6),
               52, 1),
             53, 1),
           'hex')::uuid
$$;

COMMENT ON FUNCTION uuid_v7() IS
  'RFC 9562 version 7 UUID: 48-bit Unix millisecond timestamp followed by random bits. Used as '
  'the id default of the large append-only tables so that new keys go to the right edge of '
  'the btree (few dirty pages, little WAL) instead of random leaf pages as with version 4. '
  'PostgreSQL 18 has uuidv7() built in; this is the PostgreSQL 15 equivalent.';

CREATE FUNCTION ensure_monthly_partitions(p_parent regclass, p_months_ahead integer DEFAULT 3, p_from timestamptz DEFAULT now())
  RETURNS SETOF text
  LANGUAGE plpgsql
  AS $$
DECLARE
  v_schema text;
  v_table text;
  v_key text;
  v_rls boolean;
  v_default regclass;
  v_columns text;
  v_first integer;
  v_month integer;
  v_lower timestamptz;
  v_upper timestamptz;
  v_part text;
  v_qualified text;
BEGIN
  IF p_months_ahead < 0 THEN
    RAISE EXCEPTION 'p_months_ahead must not be negative';
  END IF;

  SELECT n.nspname, c.relname, c.relrowsecurity, a.attname, nullif(pt.partdefid, 0)::regclass
    INTO v_schema, v_table, v_rls, v_key, v_default
    FROM pg_catalog.pg_partitioned_table pt
    JOIN pg_catalog.pg_class c ON c.oid = pt.partrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
   WHERE pt.partrelid = p_parent
     AND pt.partstrat = 'r'
     AND pt.partnatts = 1
     AND a.atttypid = 'timestamptz'::regtype;
  IF v_key IS NULL THEN
    RAISE EXCEPTION '% is not range-partitioned on a single timestamptz column', p_parent;
  END IF;

  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
    INTO v_columns
    FROM pg_catalog.pg_attribute
   WHERE attrelid = p_parent AND attnum > 0 AND NOT attisdropped AND attgenerated = '';

  -- Month arithmetic on integers and make_timestamptz(..., 'UTC'): adding intervals to a
  -- timestamptz would follow the session time zone (and its DST changes).
  v_first := extract(year FROM p_from AT TIME ZONE 'UTC')::integer * 12
           + extract(month FROM p_from AT TIME ZONE 'UTC')::integer - 1;

  FOR v_month IN v_first .. v_first + p_months_ahead LOOP
    v_lower := make_timestamptz(v_month / 12, v_month % 12 + 1, 1, 0, 0, 0, 'UTC');
    v_upper := make_timestamptz((v_month + 1) / 12, (v_month + 1) % 12 + 1, 1, 0, 0, 0, 'UTC');
    v_part := format('%s_p%s%s', v_table, lpad((v_month / 12)::text, 4, '0'), lpad((v_month % 12 + 1)::text, 2, '0'));
    v_qualified := format('%I.%I', v_schema, v_part);
    CONTINUE WHEN to_regclass(v_qualified) IS NOT NULL;

    -- Build the partition as a plain table and ATTACH it: ATTACH locks the parent with
    -- SHARE UPDATE EXCLUSIVE only (CREATE TABLE ... PARTITION OF would take ACCESS
    -- EXCLUSIVE), and rows that went to the DEFAULT partition can be moved first.
    EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)',
                   v_qualified, p_parent);
    IF v_default IS NOT NULL THEN
      -- User triggers of the DEFAULT partition (e.g. the append-only guard cloned from
      -- the parent) are disabled only inside this transaction. Inserting into the not
      -- yet attached table fires no parent trigger, so counters are not applied twice.
      EXECUTE format('ALTER TABLE %s DISABLE TRIGGER USER', v_default);
      EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING %s) INSERT INTO %s (%s) SELECT %s FROM moved',
                     v_default, v_key, v_lower, v_key, v_upper, v_columns, v_qualified, v_columns, v_columns);
      EXECUTE format('ALTER TABLE %s ENABLE TRIGGER USER', v_default);
    END IF;
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)', p_parent, v_qualified, v_lower, v_upper);
    IF v_rls THEN
      -- Policies are not inherited. Queries through the parent use the parent's
      -- policies; RLS without policies on the partition denies direct access to it
      -- by anyone but its owner, superusers and BYPASSRLS roles.
      EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', v_qualified);
    END IF;
    RETURN NEXT v_qualified;
  END LOOP;
END
$$;

COMMENT ON FUNCTION ensure_monthly_partitions(regclass, integer, timestamptz) IS
  'Creates the missing monthly partitions <table>_pYYYYMM of a table range-partitioned on one '
  'timestamptz column, for the month of p_from (UTC) and p_months_ahead months after it. Rows '
  'already in the DEFAULT partition for such a month are moved into the new partition. '
  'Returns the partitions created. Must run as the table owner. Idempotent.';

CREATE FUNCTION ensure_all_monthly_partitions(p_months_ahead integer DEFAULT 3, p_from timestamptz DEFAULT now())
  RETURNS SETOF text
  LANGUAGE sql
  AS $$
  SELECT created
    FROM pg_catalog.pg_partitioned_table pt
    JOIN pg_catalog.pg_class c ON c.oid = pt.partrelid
    JOIN pg_catalog.pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
   CROSS JOIN LATERAL ensure_monthly_partitions(pt.partrelid::regclass, p_months_ahead, p_from) AS created
   WHERE c.relnamespace = current_schema()::regnamespace
     AND NOT c.relispartition
     AND pt.partstrat = 'r'
     AND pt.partnatts = 1
     AND a.atttypid = 'timestamptz'::regtype
   ORDER BY c.relname, created
$$;

COMMENT ON FUNCTION ensure_all_monthly_partitions(integer, timestamptz) IS
  'Runs ensure_monthly_partitions() for every table of the current schema that is '
  'range-partitioned on one timestamptz column (messages, cost_tracking, audit_logs). Call it '
  'after migrating and then daily, e.g.  SELECT * FROM ensure_all_monthly_partitions();';

REVOKE ALL ON FUNCTION ensure_monthly_partitions(regclass, integer, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION ensure_all_monthly_partitions(integer, timestamptz) FROM PUBLIC;
