-- Revision 20261123001000_cost_rollup
--
-- A daily rollup of cost_tracking that stays exact as rows arrive, so that `agentdb cost report`
-- answers a year at production volume from thousands of rows instead of tens of millions.
--
-- cost_daily
--   One row per (UTC day, provider, model, usage category): requests, token sums, cost sum
--   (numeric, exact). Users are not a dimension: with them the rollup would be nearly as large as
--   the ledger; per-user reports read cost_tracking through its (user_id, created_at) index.
--
-- cost_daily_delta
--   What arrived since the last compaction, in the same shape. A statement-level AFTER INSERT
--   trigger on cost_tracking appends one delta row per (day, provider, model, category) of the
--   statement's rows (a COPY of 100,000 rows adds a few rows here). Appending never conflicts, so
--   concurrent writers do not queue on a hot rollup row the way an upsert per insert would.
--   An AFTER UPDATE trigger appends the difference (new minus old) of the rows an UPDATE changed:
--   the ON DELETE SET NULL actions net to nothing and add no row; `agentdb cost recompute` changes
--   costs.
--   Readers sum cost_daily and cost_daily_delta in one snapshot, which is exact at every moment.
--   cost_daily_compact() folds the deltas into cost_daily in one transaction (DELETE ... RETURNING
--   into an upsert); deltas of transactions still in flight are not visible to it and stay for
--   the next compaction.
--
-- exec_daily, exec_daily_delta
--   Execution times for the report's average and p95, from agent_executions, kept the same way:
--   per (UTC day of created_at, provider, model, time bucket) the number of executions and the
--   sum of their execution_time_ms. Buckets are logarithmic, 8 per doubling
--   (floor(8 * log2(ms + 1))), so a p95 read from them is within 4.5% of the exact value while a
--   year of them stays small; the average is exact. Executions get their time when they finish
--   (an UPDATE), so the update trigger moves a row from "no time" into its bucket, or between
--   buckets.
--
-- cost_daily_rebuild() recomputes both from cost_tracking under a SHARE lock (inserts wait). Run it
-- after dropping or truncating cost_tracking partitions, which fire no row or statement triggers
-- of the parent; `agentdb cost rollup --check` compares the rollup with the ledger.
--
-- Recompute: cost_tracking is append-only (reject_mutation). The update guard becomes two
-- triggers so that an UPDATE that changes total_cost_usd and nothing else is let through when the
-- transaction has SET LOCAL agentdb.cost_recompute = 'on', which only `agentdb cost recompute`
-- does (and only the table owner holds UPDATE on the table).
--
-- The trigger functions are SECURITY DEFINER: platform roles that may insert their own cost rows
-- need no privileges on the rollup tables.

CREATE TABLE cost_daily (
  day                date     NOT NULL,
  model_provider     text     NOT NULL,
  model_name         text     NOT NULL,
  usage_category     text     NOT NULL,
  requests           bigint   NOT NULL,
  prompt_tokens      bigint   NOT NULL,
  completion_tokens  bigint   NOT NULL,
  total_tokens       bigint   NOT NULL,
  cost_usd           numeric  NOT NULL,
  CONSTRAINT cost_daily_pkey PRIMARY KEY (day, model_provider, model_name, usage_category)
);

COMMENT ON TABLE cost_daily IS
  'Daily rollup of cost_tracking by UTC day, provider, model and usage category. Exact together '
  'with cost_daily_delta; maintained by triggers on cost_tracking and cost_daily_compact().';

CREATE TABLE cost_daily_delta (
  day                date     NOT NULL,
  model_provider     text     NOT NULL,
  model_name         text     NOT NULL,
  usage_category     text     NOT NULL,
  requests           bigint   NOT NULL,
  prompt_tokens      bigint   NOT NULL,
  completion_tokens  bigint   NOT NULL,
  total_tokens       bigint   NOT NULL,
  cost_usd           numeric  NOT NULL
);

CREATE INDEX cost_daily_delta_day_idx ON cost_daily_delta (day);

COMMENT ON TABLE cost_daily_delta IS
  'Changes to cost_tracking not yet folded into cost_daily (by cost_daily_compact()). Rows may be '
  'negative after a recompute. Read cost_daily UNION ALL cost_daily_delta.';

CREATE TABLE exec_daily (
  day             date      NOT NULL,
  model_provider  text      NOT NULL,
  model_name      text      NOT NULL,
  bucket          smallint  NOT NULL,
  executions      bigint    NOT NULL,
  time_ms         bigint    NOT NULL,
  CONSTRAINT exec_daily_pkey PRIMARY KEY (day, model_provider, model_name, bucket)
);

COMMENT ON TABLE exec_daily IS
  'Daily histogram of agent_executions.execution_time_ms by UTC day, provider and model, in '
  'buckets floor(8 * log2(ms + 1)). Exact together with exec_daily_delta.';

CREATE TABLE exec_daily_delta (
  day             date      NOT NULL,
  model_provider  text      NOT NULL,
  model_name      text      NOT NULL,
  bucket          smallint  NOT NULL,
  executions      bigint    NOT NULL,
  time_ms         bigint    NOT NULL
);

CREATE INDEX exec_daily_model_name_day_idx ON exec_daily (model_name, day);

CREATE INDEX exec_daily_delta_day_idx ON exec_daily_delta (day);

COMMENT ON TABLE exec_daily_delta IS
  'Changes to agent_executions times not yet folded into exec_daily. Read exec_daily UNION ALL '
  'exec_daily_delta.';

CREATE TABLE exec_day_total (
  day         date      NOT NULL,
  bucket      smallint  NOT NULL,
  executions  bigint    NOT NULL,
  time_ms     bigint    NOT NULL,
  CONSTRAINT exec_day_total_pkey PRIMARY KEY (day, bucket)
);

COMMENT ON TABLE exec_day_total IS
  'exec_daily summed over providers and models, kept by cost_daily_compact(); read with the '
  'deltas of exec_daily_delta.';

CREATE TABLE exec_monthly (
  month           date      NOT NULL,
  model_provider  text      NOT NULL,
  model_name      text      NOT NULL,
  bucket          smallint  NOT NULL,
  executions      bigint    NOT NULL,
  time_ms         bigint    NOT NULL,
  CONSTRAINT exec_monthly_pkey PRIMARY KEY (month, model_provider, model_name, bucket)
);

COMMENT ON TABLE exec_monthly IS
  'exec_daily summed by calendar month (first day of the month), kept by cost_daily_compact(); '
  'read with the deltas of exec_daily_delta.';

GRANT SELECT ON cost_daily, cost_daily_delta, exec_daily, exec_daily_delta, exec_day_total,
  exec_monthly TO agentdb_admin;

CREATE FUNCTION exec_time_bucket(p_ms bigint) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT floor(8 * log(2, greatest(p_ms, 0) + 1))::smallint $$;

COMMENT ON FUNCTION exec_time_bucket(bigint) IS
  'Histogram bucket of an execution time in ms: floor(8 * log2(ms + 1)); bucket b holds times '
  'below 2^((b + 1) / 8) - 1 ms.';

CREATE FUNCTION exec_daily_capture() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
  AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO exec_daily_delta (day, model_provider, model_name, bucket, executions, time_ms)
    SELECT (created_at AT TIME ZONE 'UTC')::date, coalesce(model_provider, '(none)'),
           coalesce(model_name, '(none)'), exec_time_bucket(execution_time_ms), count(*),
           sum(execution_time_ms)
      FROM exec_new_rows
     WHERE execution_time_ms IS NOT NULL
     GROUP BY 1, 2, 3, 4;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO exec_daily_delta (day, model_provider, model_name, bucket, executions, time_ms)
    SELECT day, model_provider, model_name, bucket, sum(executions), sum(time_ms)
      FROM (SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
                   coalesce(model_provider, '(none)') AS model_provider,
                   coalesce(model_name, '(none)') AS model_name,
                   exec_time_bucket(execution_time_ms) AS bucket, 1 AS executions,
                   execution_time_ms AS time_ms
              FROM exec_new_rows WHERE execution_time_ms IS NOT NULL
            UNION ALL
            SELECT (created_at AT TIME ZONE 'UTC')::date, coalesce(model_provider, '(none)'),
                   coalesce(model_name, '(none)'), exec_time_bucket(execution_time_ms), -1,
                   -execution_time_ms
              FROM exec_old_rows WHERE execution_time_ms IS NOT NULL) AS change
     GROUP BY 1, 2, 3, 4
    HAVING sum(executions) <> 0 OR sum(time_ms) <> 0;
  ELSE  -- DELETE: purged runs leave the histogram
    INSERT INTO exec_daily_delta (day, model_provider, model_name, bucket, executions, time_ms)
    SELECT (created_at AT TIME ZONE 'UTC')::date, coalesce(model_provider, '(none)'),
           coalesce(model_name, '(none)'), exec_time_bucket(execution_time_ms), -count(*),
           -sum(execution_time_ms)
      FROM exec_old_rows
     WHERE execution_time_ms IS NOT NULL
     GROUP BY 1, 2, 3, 4;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER agent_executions_rollup_insert
  AFTER INSERT ON agent_executions
  REFERENCING NEW TABLE AS exec_new_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION exec_daily_capture();

CREATE TRIGGER agent_executions_rollup_update
  AFTER UPDATE ON agent_executions
  REFERENCING OLD TABLE AS exec_old_rows NEW TABLE AS exec_new_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION exec_daily_capture();

CREATE TRIGGER agent_executions_rollup_delete
  AFTER DELETE ON agent_executions
  REFERENCING OLD TABLE AS exec_old_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION exec_daily_capture();

CREATE FUNCTION cost_daily_capture_insert() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
  AS $$
BEGIN
  INSERT INTO cost_daily_delta (day, model_provider, model_name, usage_category, requests,
                                prompt_tokens, completion_tokens, total_tokens, cost_usd)
  SELECT (created_at AT TIME ZONE 'UTC')::date, model_provider, model_name, usage_category,
         count(*), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens), sum(total_cost_usd)
    FROM cost_tracking_new_rows
   GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END
$$;

CREATE FUNCTION cost_daily_capture_update() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
  AS $$
BEGIN
  INSERT INTO cost_daily_delta (day, model_provider, model_name, usage_category, requests,
                                prompt_tokens, completion_tokens, total_tokens, cost_usd)
  SELECT day, model_provider, model_name, usage_category, sum(requests), sum(prompt_tokens),
         sum(completion_tokens), sum(total_tokens), sum(cost_usd)
    FROM (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, model_provider, model_name,
                 usage_category, 1 AS requests, prompt_tokens, completion_tokens, total_tokens,
                 total_cost_usd AS cost_usd
            FROM cost_tracking_new_rows
          UNION ALL
          SELECT (created_at AT TIME ZONE 'UTC')::date, model_provider, model_name,
                 usage_category, -1, -prompt_tokens, -completion_tokens, -total_tokens,
                 -total_cost_usd
            FROM cost_tracking_old_rows) AS change
   GROUP BY 1, 2, 3, 4
  HAVING sum(requests) <> 0 OR sum(prompt_tokens) <> 0 OR sum(completion_tokens) <> 0
      OR sum(cost_usd) <> 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER cost_tracking_rollup_insert
  AFTER INSERT ON cost_tracking
  REFERENCING NEW TABLE AS cost_tracking_new_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION cost_daily_capture_insert();

CREATE TRIGGER cost_tracking_rollup_update
  AFTER UPDATE ON cost_tracking
  REFERENCING OLD TABLE AS cost_tracking_old_rows NEW TABLE AS cost_tracking_new_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION cost_daily_capture_update();

CREATE FUNCTION cost_daily_compact() RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
  AS $$
DECLARE
  v_moved bigint;
BEGIN
  -- One compaction at a time; a second waits and then finds little to do.
  PERFORM pg_advisory_xact_lock(7165072873516294212);
  WITH moved AS (
    DELETE FROM cost_daily_delta RETURNING *
  ), summed AS (
    SELECT day, model_provider, model_name, usage_category, sum(requests) AS requests,
           sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
           sum(total_tokens) AS total_tokens, sum(cost_usd) AS cost_usd
      FROM moved
     GROUP BY 1, 2, 3, 4
  ), folded AS (
    INSERT INTO cost_daily AS d
    SELECT * FROM summed
    ON CONFLICT (day, model_provider, model_name, usage_category) DO UPDATE
      SET requests = d.requests + excluded.requests,
          prompt_tokens = d.prompt_tokens + excluded.prompt_tokens,
          completion_tokens = d.completion_tokens + excluded.completion_tokens,
          total_tokens = d.total_tokens + excluded.total_tokens,
          cost_usd = d.cost_usd + excluded.cost_usd
    RETURNING 1
  )
  SELECT count(*) INTO v_moved FROM moved;
  WITH moved AS (
    DELETE FROM exec_daily_delta RETURNING *
  ), summed AS (
    SELECT day, model_provider, model_name, bucket, sum(executions) AS executions,
           sum(time_ms) AS time_ms
      FROM moved
     GROUP BY 1, 2, 3, 4
  ), daily AS (
    INSERT INTO exec_daily AS d
    SELECT * FROM summed
    ON CONFLICT (day, model_provider, model_name, bucket) DO UPDATE
      SET executions = d.executions + excluded.executions,
          time_ms = d.time_ms + excluded.time_ms
    RETURNING 1
  ), day_total AS (
    INSERT INTO exec_day_total AS d
    SELECT day, bucket, sum(executions), sum(time_ms) FROM summed GROUP BY 1, 2
    ON CONFLICT (day, bucket) DO UPDATE
      SET executions = d.executions + excluded.executions,
          time_ms = d.time_ms + excluded.time_ms
    RETURNING 1
  ), monthly AS (
    INSERT INTO exec_monthly AS d
    SELECT date_trunc('month', day)::date, model_provider, model_name, bucket, sum(executions),
           sum(time_ms)
      FROM summed
     GROUP BY 1, 2, 3, 4
    ON CONFLICT (month, model_provider, model_name, bucket) DO UPDATE
      SET executions = d.executions + excluded.executions,
          time_ms = d.time_ms + excluded.time_ms
    RETURNING 1
  )
  SELECT v_moved + count(*) INTO v_moved FROM moved;
  -- Buckets emptied by updates and deletes.
  DELETE FROM exec_daily WHERE executions = 0 AND time_ms = 0;
  DELETE FROM exec_day_total WHERE executions = 0 AND time_ms = 0;
  DELETE FROM exec_monthly WHERE executions = 0 AND time_ms = 0;
  RETURN v_moved;
END
$$;

COMMENT ON FUNCTION cost_daily_compact() IS
  'Folds cost_daily_delta into cost_daily and exec_daily_delta into exec_daily in one '
  'transaction; returns the number of delta rows folded. Safe to run at any time, concurrently '
  'with inserts.';

CREATE FUNCTION cost_daily_rebuild() RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
  AS $$
DECLARE
  v_rows bigint;
BEGIN
  LOCK TABLE cost_tracking, agent_executions IN SHARE MODE;
  PERFORM pg_advisory_xact_lock(7165072873516294212);
  DELETE FROM exec_daily_delta;
  DELETE FROM exec_daily;
  INSERT INTO exec_daily (day, model_provider, model_name, bucket, executions, time_ms)
  SELECT (created_at AT TIME ZONE 'UTC')::date, coalesce(model_provider, '(none)'),
         coalesce(model_name, '(none)'), exec_time_bucket(execution_time_ms), count(*),
         sum(execution_time_ms)
    FROM agent_executions
   WHERE execution_time_ms IS NOT NULL
   GROUP BY 1, 2, 3, 4;
  DELETE FROM exec_day_total;
  INSERT INTO exec_day_total (day, bucket, executions, time_ms)
  SELECT day, bucket, sum(executions), sum(time_ms) FROM exec_daily GROUP BY 1, 2;
  DELETE FROM exec_monthly;
  INSERT INTO exec_monthly (month, model_provider, model_name, bucket, executions, time_ms)
  SELECT date_trunc('month', day)::date, model_provider, model_name, bucket, sum(executions),
         sum(time_ms)
    FROM exec_daily
   GROUP BY 1, 2, 3, 4;
  DELETE FROM cost_daily_delta;
  DELETE FROM cost_daily;
  INSERT INTO cost_daily (day, model_provider, model_name, usage_category, requests,
                          prompt_tokens, completion_tokens, total_tokens, cost_usd)
  SELECT (created_at AT TIME ZONE 'UTC')::date, model_provider, model_name, usage_category,
         count(*), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens), sum(total_cost_usd)
    FROM cost_tracking
   GROUP BY 1, 2, 3, 4;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  RETURN v_rows;
END
$$;

COMMENT ON FUNCTION cost_daily_rebuild() IS
  'Recomputes cost_daily from cost_tracking and exec_daily from agent_executions (writes wait '
  'meanwhile); returns the cost rollup rows written. Needed after dropping or truncating '
  'cost_tracking partitions.';

REVOKE ALL ON FUNCTION cost_daily_compact() FROM PUBLIC;
REVOKE ALL ON FUNCTION cost_daily_rebuild() FROM PUBLIC;

SELECT cost_daily_rebuild();

-- The append-only guard, split so that a recompute may change total_cost_usd alone.
DROP TRIGGER cost_tracking_append_only ON cost_tracking;

CREATE TRIGGER cost_tracking_append_only
  BEFORE DELETE ON cost_tracking
  FOR EACH ROW
  EXECUTE FUNCTION reject_mutation('plan_id', 'agent_execution_id');

CREATE TRIGGER cost_tracking_append_only_update
  BEFORE UPDATE ON cost_tracking
  FOR EACH ROW
  WHEN (current_setting('agentdb.cost_recompute', true) IS DISTINCT FROM 'on'
        OR NEW.id IS DISTINCT FROM OLD.id
        OR NEW.user_id IS DISTINCT FROM OLD.user_id
        OR NEW.plan_id IS DISTINCT FROM OLD.plan_id
        OR NEW.agent_execution_id IS DISTINCT FROM OLD.agent_execution_id
        OR NEW.model_provider IS DISTINCT FROM OLD.model_provider
        OR NEW.model_name IS DISTINCT FROM OLD.model_name
        OR NEW.prompt_tokens IS DISTINCT FROM OLD.prompt_tokens
        OR NEW.completion_tokens IS DISTINCT FROM OLD.completion_tokens
        OR NEW.total_tokens IS DISTINCT FROM OLD.total_tokens
        OR NEW.usage_category IS DISTINCT FROM OLD.usage_category
        OR NEW.created_at IS DISTINCT FROM OLD.created_at)
  EXECUTE FUNCTION reject_mutation('plan_id', 'agent_execution_id');
