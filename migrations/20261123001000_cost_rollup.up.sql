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

GRANT SELECT ON cost_daily, cost_daily_delta TO agentdb_admin;

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
  RETURN v_moved;
END
$$;

COMMENT ON FUNCTION cost_daily_compact() IS
  'Folds cost_daily_delta into cost_daily in one transaction; returns the number of delta rows '
  'folded. Safe to run at any time, concurrently with inserts.';

CREATE FUNCTION cost_daily_rebuild() RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
  AS $$
DECLARE
  v_rows bigint;
BEGIN
  LOCK TABLE cost_tracking IN SHARE MODE;
  PERFORM pg_advisory_xact_lock(7165072873516294212);
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
  'Recomputes cost_daily from cost_tracking (inserts wait meanwhile); returns the rollup rows '
  'written. Needed after dropping or truncating cost_tracking partitions.';

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
