-- Revision 20261123000700_cost_tracking
--
-- Model price history and the per-call cost ledger.
--
-- model_prices
--   Price history per (provider, model): a new row with a later effective_from
--   supersedes the previous one, old rows are never changed, so past costs can always
--   be recomputed. model_cost_usd() returns the cost of a call at a given time. The
--   unique key (provider, model, effective_from) also serves that lookup (latest row
--   with effective_from <= the time). Prices are USD per million tokens.
--
-- cost_tracking
--   Append-only ledger, one row per billed model call; total_cost_usd is computed by
--   the writer (e.g. with model_cost_usd()) and stored, because prices change.
--   * Partitioning: range by created_at month (UTC) with a DEFAULT partition, like
--     messages (see 20261123000400 for the general reasoning). The ledger is read by
--     time window ("a user's costs by day for this month"), so partition pruning
--     applies directly, and retention/archiving is per month. Consequences: the primary
--     key is (id, created_at); nothing may reference this table by foreign key (nothing
--     needs to).
--   * "A user's costs by day": index (user_id, created_at) INCLUDE (total_cost_usd)
--     gives an index-only scan of the window in order, which GROUP BY
--     date_trunc('day', created_at) aggregates without touching the heap (the
--     visibility map stays set on append-only pages). BRIN on created_at serves
--     platform-wide time scans (daily totals, exports) at a few pages per month.
--   * Append-only is enforced by reject_mutation(): UPDATE and DELETE are rejected,
--     except that plan_id and agent_execution_id may be set to NULL, which is what the
--     ON DELETE SET NULL actions below do. Old months are dropped as partitions.
--   * ON DELETE rules: user_id -> users RESTRICT: billing records must be retained, so
--     a user with costs cannot be hard-deleted (soft-delete or anonymise the user
--     instead). plan_id -> travel_plans and agent_execution_id -> agent_executions
--     SET NULL: the cost stays on the books when the plan or run is purged. The
--     partial indexes on plan_id and agent_execution_id make those actions index
--     lookups instead of scans of the whole ledger.
--   * Row-level security: ENABLE + FORCE. Users may read and insert their own rows
--     only (no UPDATE/DELETE policy); agentdb_admin members see all. The DEFAULT
--     partition has RLS enabled without policies (no direct reads by non-owners).

CREATE TABLE model_prices (
  id                      bigint         GENERATED ALWAYS AS IDENTITY,
  provider                text           NOT NULL,
  model                   text           NOT NULL,
  input_usd_per_million   numeric(12,6)  NOT NULL,
  output_usd_per_million  numeric(12,6)  NOT NULL,
  effective_from          timestamptz    NOT NULL,
  created_at              timestamptz    NOT NULL DEFAULT now(),
  CONSTRAINT model_prices_pkey PRIMARY KEY (id),
  CONSTRAINT model_prices_provider_model_effective_from_key UNIQUE (provider, model, effective_from),
  CONSTRAINT model_prices_provider_check CHECK (length(provider) BETWEEN 1 AND 100),
  CONSTRAINT model_prices_model_check CHECK (length(model) BETWEEN 1 AND 200),
  CONSTRAINT model_prices_price_check CHECK (input_usd_per_million >= 0 AND output_usd_per_million >= 0)
);

COMMENT ON TABLE model_prices IS
  'Price history of LLM models in USD per million tokens. The row with the latest '
  'effective_from <= t is the price at time t. Rows are not updated; add a new row instead.';
COMMENT ON COLUMN model_prices.input_usd_per_million IS 'USD per million prompt (input) tokens.';
COMMENT ON COLUMN model_prices.output_usd_per_million IS 'USD per million completion (output) tokens.';
COMMENT ON COLUMN model_prices.effective_from IS 'Start of validity; valid until the next row of the same provider and model.';

GRANT SELECT, INSERT, UPDATE, DELETE ON model_prices TO agentdb_admin;

CREATE FUNCTION model_cost_usd(p_provider text, p_model text, p_prompt_tokens bigint, p_completion_tokens bigint,
                               p_at timestamptz DEFAULT now())
  RETURNS numeric
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
  SELECT (p_prompt_tokens * mp.input_usd_per_million + p_completion_tokens * mp.output_usd_per_million) / 1000000
    FROM model_prices mp
   WHERE mp.provider = p_provider AND mp.model = p_model AND mp.effective_from <= p_at
   ORDER BY mp.effective_from DESC
   LIMIT 1
$$;

COMMENT ON FUNCTION model_cost_usd(text, text, bigint, bigint, timestamptz) IS
  'Cost in USD of a call with the given token counts at time p_at, from model_prices; NULL '
  'when no price is known for that provider and model at that time.';

CREATE TABLE cost_tracking (
  id                  uuid           NOT NULL DEFAULT uuid_v7(),
  user_id             uuid           NOT NULL,
  plan_id             uuid,
  agent_execution_id  uuid,
  model_provider      text           NOT NULL,
  model_name          text           NOT NULL,
  prompt_tokens       bigint         NOT NULL DEFAULT 0,
  completion_tokens   bigint         NOT NULL DEFAULT 0,
  total_tokens        bigint         NOT NULL DEFAULT 0,
  total_cost_usd      numeric(20,10) NOT NULL,
  usage_category      text           NOT NULL DEFAULT 'agent_execution',
  created_at          timestamptz    NOT NULL DEFAULT now(),
  -- The partition key must be part of every unique constraint of a partitioned table.
  CONSTRAINT cost_tracking_pkey PRIMARY KEY (id, created_at),
  -- RESTRICT: billing records are retained; soft-delete or anonymise the user instead.
  CONSTRAINT cost_tracking_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
  -- SET NULL: the cost stays on the books when the plan is purged.
  CONSTRAINT cost_tracking_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES travel_plans (id) ON DELETE SET NULL,
  -- SET NULL: the cost stays on the books when the execution record is purged.
  CONSTRAINT cost_tracking_agent_execution_id_fkey FOREIGN KEY (agent_execution_id) REFERENCES agent_executions (id) ON DELETE SET NULL,
  CONSTRAINT cost_tracking_model_check CHECK (length(model_provider) BETWEEN 1 AND 100 AND length(model_name) BETWEEN 1 AND 200),
  CONSTRAINT cost_tracking_tokens_check CHECK (prompt_tokens >= 0 AND completion_tokens >= 0
                                               AND total_tokens = prompt_tokens + completion_tokens),
  CONSTRAINT cost_tracking_total_cost_usd_check CHECK (total_cost_usd >= 0),
  CONSTRAINT cost_tracking_usage_category_check CHECK (usage_category IN
    ('agent_execution', 'chat', 'planning', 'tool_call', 'embedding', 'summarization', 'evaluation', 'other'))
) PARTITION BY RANGE (created_at);

CREATE TABLE cost_tracking_default PARTITION OF cost_tracking DEFAULT;

CREATE INDEX cost_tracking_user_id_created_at_idx ON cost_tracking (user_id, created_at) INCLUDE (total_cost_usd);
CREATE INDEX cost_tracking_plan_id_idx ON cost_tracking (plan_id) WHERE plan_id IS NOT NULL;
CREATE INDEX cost_tracking_agent_execution_id_idx ON cost_tracking (agent_execution_id) WHERE agent_execution_id IS NOT NULL;
CREATE INDEX cost_tracking_created_at_brin_idx ON cost_tracking USING brin (created_at);

CREATE TRIGGER cost_tracking_append_only
  BEFORE UPDATE OR DELETE ON cost_tracking
  FOR EACH ROW
  EXECUTE FUNCTION reject_mutation('plan_id', 'agent_execution_id');

COMMENT ON TABLE cost_tracking IS
  'Append-only ledger of model usage costs, one row per billed call. Range-partitioned by '
  'created_at month (UTC) with a DEFAULT partition; partitions are created by '
  'ensure_all_monthly_partitions().';
COMMENT ON TABLE cost_tracking_default IS
  'Catch-all partition of cost_tracking for months without a partition; normally empty.';
COMMENT ON COLUMN cost_tracking.id IS 'uuid_v7 (time-ordered). Unique in practice; the enforced key is (id, created_at).';
COMMENT ON COLUMN cost_tracking.total_tokens IS 'Always prompt_tokens + completion_tokens (CHECKed); completion includes reasoning tokens.';
COMMENT ON COLUMN cost_tracking.total_cost_usd IS 'Cost of the call in USD at the price in force when it was made; non-negative.';
COMMENT ON COLUMN cost_tracking.usage_category IS
  'agent_execution, chat, planning, tool_call, embedding, summarization, evaluation or other.';
COMMENT ON COLUMN cost_tracking.created_at IS 'Partition key; time of the call.';

ALTER TABLE cost_tracking ENABLE ROW LEVEL SECURITY;
ALTER TABLE cost_tracking FORCE ROW LEVEL SECURITY;
ALTER TABLE cost_tracking_default ENABLE ROW LEVEL SECURITY;

CREATE POLICY cost_tracking_owner_select ON cost_tracking FOR SELECT
  USING (user_id = app_current_user_id());
CREATE POLICY cost_tracking_owner_insert ON cost_tracking FOR INSERT
  WITH CHECK (user_id = app_current_user_id());
CREATE POLICY cost_tracking_admin_all ON cost_tracking TO agentdb_admin
  USING (true) WITH CHECK (true);

GRANT SELECT, INSERT ON cost_tracking TO agentdb_admin;
