-- Revision 20261123000300_agents
--
-- The agent catalog: definitions of the AI agents the platform can run (an LLM agent,
-- or a sequential / parallel workflow agent composed of sub-agents).
--
-- Design:
--   * Soft delete (deleted_at). Sessions, conversations and executions reference agents
--     with ON DELETE RESTRICT, so an agent that was ever used can only be soft-deleted;
--     a hard DELETE is possible only for agents nobody used (e.g. a mistaken draft).
--   * Names are unique case-insensitively among non-deleted agents.
--   * sub_agents is an ordered uuid[] (order matters for sequential agents). Array
--     elements cannot carry foreign keys; the application validates them. A join table
--     was considered, but the definition is read and written as a whole and the order
--     is part of it, so it lives with the row like persona, config and tools.
--   * version is the definition's revision number (1, 2, ...); agent_executions records
--     the version that ran.
--   * usage_count / last_used_at are NOT maintained by a trigger on agent_executions:
--     that would make every execution update the same hot row of a popular agent and
--     serialise concurrent executions on its row lock. The application (or a periodic
--     job aggregating agent_executions) updates them.
--   * No row-level security: the catalog is shared by all users and holds no user data.

CREATE TABLE agents (
  id            uuid        NOT NULL DEFAULT gen_random_uuid(),
  name          text        NOT NULL,
  description   text,
  agent_type    text        NOT NULL DEFAULT 'regular',
  persona       jsonb       NOT NULL DEFAULT '{}',
  config        jsonb       NOT NULL DEFAULT '{}',
  tools         jsonb       NOT NULL DEFAULT '[]',
  sub_agents    uuid[]      NOT NULL DEFAULT '{}',
  planner       jsonb,
  version       integer     NOT NULL DEFAULT 1,
  is_active     boolean     NOT NULL DEFAULT true,
  usage_count   bigint      NOT NULL DEFAULT 0,
  last_used_at  timestamptz,
  metadata      jsonb       NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  CONSTRAINT agents_pkey PRIMARY KEY (id),
  CONSTRAINT agents_name_check CHECK (length(name) BETWEEN 1 AND 200),
  CONSTRAINT agents_agent_type_check CHECK (agent_type IN ('regular', 'sequential', 'parallel')),
  CONSTRAINT agents_persona_check CHECK (jsonb_typeof(persona) = 'object'),
  CONSTRAINT agents_config_check CHECK (jsonb_typeof(config) = 'object'),
  CONSTRAINT agents_tools_check CHECK (jsonb_typeof(tools) = 'array'),
  CONSTRAINT agents_sub_agents_check CHECK (array_position(sub_agents, NULL) IS NULL AND NOT (id = ANY (sub_agents))),
  CONSTRAINT agents_planner_check CHECK (planner IS NULL OR jsonb_typeof(planner) = 'object'),
  CONSTRAINT agents_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
  CONSTRAINT agents_version_check CHECK (version >= 1),
  CONSTRAINT agents_usage_count_check CHECK (usage_count >= 0)
);

CREATE UNIQUE INDEX agents_name_lower_key ON agents (lower(name)) WHERE deleted_at IS NULL;

CREATE TRIGGER agents_set_updated_at
  BEFORE UPDATE ON agents
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION set_updated_at();

COMMENT ON TABLE agents IS
  'Catalog of agent definitions (LLM agents and sequential/parallel workflow agents). Shared by '
  'all users, no RLS. Soft-deleted via deleted_at; referenced with ON DELETE RESTRICT.';
COMMENT ON COLUMN agents.agent_type IS 'regular (a single LLM agent), sequential or parallel (workflow agents running sub_agents).';
COMMENT ON COLUMN agents.persona IS 'JSON object: instructions, tone, display name and similar prompt material.';
COMMENT ON COLUMN agents.config IS 'JSON object: model, generation parameters and other runtime settings.';
COMMENT ON COLUMN agents.tools IS 'JSON array of tool declarations the agent may call.';
COMMENT ON COLUMN agents.sub_agents IS 'Ordered ids of child agents (execution order for sequential agents); not FK-checked.';
COMMENT ON COLUMN agents.planner IS 'Optional planner configuration (JSON object), NULL when the agent does not plan.';
COMMENT ON COLUMN agents.version IS 'Revision number of the definition, starting at 1; recorded by agent_executions.agent_version.';
COMMENT ON COLUMN agents.usage_count IS 'Number of executions, maintained by the application or a batch job (not by a trigger).';

GRANT SELECT, INSERT, UPDATE, DELETE ON agents TO agentdb_admin;
