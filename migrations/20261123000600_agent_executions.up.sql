-- Revision 20261123000600_agent_executions
--
-- One row per agent run: what was asked (task_data), what came back (result_data),
-- which model ran, how long it took and how many tokens it used.
--
-- Why not partitioned: rows are UPDATEd while a run progresses (pending -> running ->
-- completed/failed), and cost_tracking has a foreign key to agent_executions(id). A
-- foreign key to a partitioned table must reference a unique key that includes the
-- partition key, so every cost row would have to carry the execution's created_at as
-- well. With ids from uuid_v7() (time-ordered, right-edge btree inserts) and the
-- indexes below, a single table serves the access paths; old rows can be purged in
-- batches by created_at (cost rows keep their data through ON DELETE SET NULL).
--
-- Indexes:
--   * (created_at) btree: "executions in the last hour" and other recent windows. A
--     btree rather than BRIN because rows are updated after insert; non-HOT updates
--     move row versions to other pages and erode the physical ordering BRIN relies on.
--   * (created_at) WHERE status IN ('pending', 'running'): the small set of in-flight
--     runs, for watchdogs that find stuck executions.
--   * (user_id, created_at DESC): a user's history; also serves the CASCADE from users.
--   * plan_id, conversation_id, (agent_id, created_at): history per plan / conversation
--     / agent, and the lookups the ON DELETE actions below perform.
--
-- ON DELETE rules:
--   * user_id -> users: CASCADE. task_data/result_data are the user's content. (Users
--     with billing history cannot be hard-deleted anyway: cost_tracking RESTRICTs.)
--   * plan_id -> travel_plans, conversation_id -> conversations: SET NULL. The run and
--     its usage stay on record when the plan or conversation is purged.
--   * agent_id -> agents: RESTRICT. Agents are soft-deleted; agent_type and
--     agent_version keep a snapshot of what ran.
--
-- Tokens: prompt, completion and total are non-negative and total_tokens =
-- prompt_tokens + completion_tokens. completion_tokens includes reasoning/thinking
-- tokens (they are billed as output); providers that report them separately must add
-- them. A CHECK is used rather than a generated column so that writers may store the
-- provider's figures and get an error when they do not add up.
--
-- Row-level security: ENABLE + FORCE, owner policy on user_id, agentdb_admin.

CREATE TABLE agent_executions (
  id                 uuid        NOT NULL DEFAULT uuid_v7(),
  plan_id            uuid,
  conversation_id    uuid,
  user_id            uuid        NOT NULL,
  agent_id           uuid,
  agent_type         text        NOT NULL,
  agent_version      integer,
  model_provider     text,
  model_name         text,
  task_data          jsonb       NOT NULL DEFAULT '{}',
  result_data        jsonb,
  status             text        NOT NULL DEFAULT 'pending',
  error              text,
  execution_time_ms  bigint,
  prompt_tokens      bigint      NOT NULL DEFAULT 0,
  completion_tokens  bigint      NOT NULL DEFAULT 0,
  total_tokens       bigint      NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now(),
  completed_at       timestamptz,
  CONSTRAINT agent_executions_pkey PRIMARY KEY (id),
  -- SET NULL: keep the run (and its usage) when the plan is purged.
  CONSTRAINT agent_executions_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES travel_plans (id) ON DELETE SET NULL,
  -- SET NULL: keep the run when the conversation is purged.
  CONSTRAINT agent_executions_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE SET NULL,
  -- CASCADE: task and result data are the user's content.
  CONSTRAINT agent_executions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  -- RESTRICT: agents are soft-deleted; agent_type/agent_version snapshot what ran.
  CONSTRAINT agent_executions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id) ON DELETE RESTRICT,
  CONSTRAINT agent_executions_agent_type_check CHECK (length(agent_type) BETWEEN 1 AND 200),
  CONSTRAINT agent_executions_agent_version_check CHECK (agent_version >= 1),
  CONSTRAINT agent_executions_status_check CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  CONSTRAINT agent_executions_task_data_check CHECK (jsonb_typeof(task_data) = 'object'),
  CONSTRAINT agent_executions_execution_time_ms_check CHECK (execution_time_ms >= 0),
  CONSTRAINT agent_executions_tokens_check CHECK (prompt_tokens >= 0 AND completion_tokens >= 0
                                                  AND total_tokens = prompt_tokens + completion_tokens),
  CONSTRAINT agent_executions_completed_at_check CHECK (completed_at >= created_at),
  CONSTRAINT agent_executions_finished_check CHECK (status NOT IN ('completed', 'failed') OR completed_at IS NOT NULL)
);

CREATE INDEX agent_executions_created_at_idx ON agent_executions (created_at);
CREATE INDEX agent_executions_in_flight_idx ON agent_executions (created_at) WHERE status IN ('pending', 'running');
CREATE INDEX agent_executions_user_id_created_at_idx ON agent_executions (user_id, created_at DESC);
CREATE INDEX agent_executions_plan_id_idx ON agent_executions (plan_id) WHERE plan_id IS NOT NULL;
CREATE INDEX agent_executions_conversation_id_idx ON agent_executions (conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX agent_executions_agent_id_created_at_idx ON agent_executions (agent_id, created_at) WHERE agent_id IS NOT NULL;

COMMENT ON TABLE agent_executions IS
  'One row per agent run: input, output, model, duration and token usage. Updated while the run '
  'progresses; not partitioned because cost_tracking references it by id.';
COMMENT ON COLUMN agent_executions.agent_type IS 'Kind/name of the agent that ran, kept even if agent_id is NULL.';
COMMENT ON COLUMN agent_executions.agent_version IS 'agents.version at the time of the run.';
COMMENT ON COLUMN agent_executions.model_provider IS 'LLM provider, e.g. openai, anthropic, google.';
COMMENT ON COLUMN agent_executions.model_name IS 'Provider model id, e.g. gpt-4o-mini.';
COMMENT ON COLUMN agent_executions.task_data IS 'Input of the run (JSON object).';
COMMENT ON COLUMN agent_executions.result_data IS 'Output of the run (any JSON), NULL until finished.';
COMMENT ON COLUMN agent_executions.status IS 'pending, running, completed or failed; completed and failed need completed_at.';
COMMENT ON COLUMN agent_executions.execution_time_ms IS 'Wall-clock duration in milliseconds.';
COMMENT ON COLUMN agent_executions.completion_tokens IS 'Output tokens including reasoning/thinking tokens.';
COMMENT ON COLUMN agent_executions.total_tokens IS 'Always prompt_tokens + completion_tokens (CHECKed).';

ALTER TABLE agent_executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_executions FORCE ROW LEVEL SECURITY;

CREATE POLICY agent_executions_owner_all ON agent_executions
  USING (user_id = app_current_user_id())
  WITH CHECK (user_id = app_current_user_id());
CREATE POLICY agent_executions_admin_all ON agent_executions TO agentdb_admin
  USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON agent_executions TO agentdb_admin;
