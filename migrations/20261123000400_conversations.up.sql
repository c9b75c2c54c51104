-- Revision 20261123000400_conversations
--
-- Runtime sessions, conversations and their messages.
--
-- sessions       a user's live interaction with an agent (runtime state in context).
-- conversations  a titled thread of messages; optionally tied to the session it ran in.
-- messages       the messages of a conversation. The largest table of the platform.
--
-- ON DELETE rules:
--   * sessions.user_id, conversations.user_id -> users: CASCADE. This is the user's own
--     content; erasing a user erases it.
--   * conversations.session_id -> sessions: SET NULL. Sessions are short-lived runtime
--     state and may be purged; the conversation history must survive that.
--   * sessions.agent_id, conversations.agent_id -> agents: RESTRICT. Agents are
--     soft-deleted; hard-deleting an agent that has history is a mistake to stop.
--   * messages.conversation_id -> conversations: CASCADE. A message has no meaning
--     outside its conversation.
--
-- messages: partitioning
--   Range-partitioned by created_at, one partition per month (UTC), plus a DEFAULT
--   partition. At hundreds of millions of rows this keeps each partition's indexes
--   (notably the full-text GIN index) small enough to stay cached, lets autovacuum and
--   freezing work on one month at a time (old months become all-frozen and are never
--   rewritten again), and makes retention/archiving a DETACH/DROP of a whole month
--   instead of a massive DELETE. Trade-offs accepted:
--     * The primary key must contain the partition key: PRIMARY KEY (id, created_at).
--       An id is unique in practice (uuid_v7), but only (id, created_at) is enforced.
--     * No table can have a foreign key TO messages (it would need created_at too).
--       None needs one: tool_call_id correlates tool calls and responses by value.
--     * A conversation's messages are fetched through the per-partition index
--       (conversation_id, created_at, id); without a time bound every partition's
--       index is probed once (cheap, an empty range). Queries should add
--         AND created_at >= <conversation.created_at>
--       (a message is never older than its conversation), which prunes all earlier
--       months at plan or execution time.
--   Ids default to uuid_v7() (time-ordered) so primary-key inserts hit the right edge
--   of the btree. A BRIN index on created_at serves time-range scans cheaply because
--   rows arrive in created_at order.
--   Monthly partitions are created by ensure_all_monthly_partitions() (revision
--   20261123000100); this revision creates only the DEFAULT partition so that its
--   result does not depend on the date it runs.
--
-- messages: full-text search
--   A partial GIN expression index over message_search_vector(content) for
--   message_type = 'text' (tool payloads and thinking traces are noise for search and
--   would double the index). message_search_vector() uses the 'simple' configuration
--   (content is multilingual; language-specific stemming would mangle other languages)
--   and caps the input at 100000 characters, because to_tsvector raises an error for
--   documents whose tsvector exceeds 1 MB and that would make such an INSERT fail.
--   An expression index instead of a stored generated column keeps the hot heap rows
--   narrow. A search must repeat both the expression and the predicate:
--     WHERE message_type = 'text'
--       AND message_search_vector(content) @@ websearch_to_tsquery('simple', $1)
--
-- conversations.message_count / last_message_at
--   Maintained by an AFTER INSERT ... FOR EACH STATEMENT trigger on messages with a
--   transition table: one UPDATE per conversation per INSERT statement, in the same
--   transaction as the insert, so the counters can never disagree with committed
--   messages. The row lock on the conversation serialises concurrent inserts into the
--   same conversation, which is harmless for a chat. message_count is the number of
--   messages ever appended: messages are append-only (content of a streaming message
--   is updated in place, but rows are not deleted individually); rows removed by
--   dropping an old partition are not subtracted. The trigger runs as the inserting
--   role, so RLS applies to its UPDATE; the owner policy allows it because the
--   message's WITH CHECK already required the conversation to belong to the user.
--
-- Row-level security: ENABLE + FORCE on all three tables. sessions and conversations
-- are owned through user_id; messages have no user_id and are visible when their
-- conversation is (EXISTS on conversations, a primary-key probe). agentdb_admin members
-- see everything. The DEFAULT partition gets RLS enabled without policies so the
-- partition cannot be read directly, bypassing the parent's policies, by non-owners.

CREATE TABLE sessions (
  id                uuid        NOT NULL DEFAULT gen_random_uuid(),
  user_id           uuid        NOT NULL,
  agent_id          uuid,
  title             text,
  status            text        NOT NULL DEFAULT 'active',
  context           jsonb       NOT NULL DEFAULT '{}',
  error             text,
  last_activity_at  timestamptz NOT NULL DEFAULT now(),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sessions_pkey PRIMARY KEY (id),
  -- CASCADE: a session is the user's own runtime state.
  CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  -- RESTRICT: agents are soft-deleted; keep history pointing at a real definition.
  CONSTRAINT sessions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id) ON DELETE RESTRICT,
  CONSTRAINT sessions_status_check CHECK (status IN ('active', 'idle', 'completed', 'failed', 'cancelled', 'expired')),
  CONSTRAINT sessions_context_check CHECK (jsonb_typeof(context) = 'object')
);

CREATE INDEX sessions_user_id_last_activity_at_idx ON sessions (user_id, last_activity_at DESC);
CREATE INDEX sessions_active_last_activity_at_idx ON sessions (last_activity_at) WHERE status = 'active';
CREATE INDEX sessions_agent_id_idx ON sessions (agent_id) WHERE agent_id IS NOT NULL;

CREATE TRIGGER sessions_set_updated_at
  BEFORE UPDATE ON sessions
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION set_updated_at();

COMMENT ON TABLE sessions IS
  'Runtime sessions: a user interacting with an agent. context holds the agent runtime state. '
  'Expired or finished sessions may be purged; conversations keep their history (SET NULL).';
COMMENT ON COLUMN sessions.status IS 'active, idle, completed, failed, cancelled or expired.';
COMMENT ON COLUMN sessions.context IS 'JSON object with the session state of the agent runtime.';
COMMENT ON COLUMN sessions.error IS 'Error description when status = failed.';
COMMENT ON COLUMN sessions.last_activity_at IS 'Last user or agent activity; sessions_active_last_activity_at_idx serves expiry sweeps.';

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;

CREATE POLICY sessions_owner_all ON sessions
  USING (user_id = app_current_user_id())
  WITH CHECK (user_id = app_current_user_id());
CREATE POLICY sessions_admin_all ON sessions TO agentdb_admin
  USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO agentdb_admin;

CREATE TABLE conversations (
  id               uuid        NOT NULL DEFAULT gen_random_uuid(),
  user_id          uuid        NOT NULL,
  agent_id         uuid,
  session_id       uuid,
  title            text,
  status           text        NOT NULL DEFAULT 'active',
  message_count    bigint      NOT NULL DEFAULT 0,
  last_message_at  timestamptz,
  metadata         jsonb       NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT conversations_pkey PRIMARY KEY (id),
  -- CASCADE: the user's own content.
  CONSTRAINT conversations_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  -- RESTRICT: agents are soft-deleted.
  CONSTRAINT conversations_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id) ON DELETE RESTRICT,
  -- SET NULL: sessions are purgeable runtime state; the conversation outlives them.
  CONSTRAINT conversations_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE SET NULL,
  CONSTRAINT conversations_status_check CHECK (status IN ('active', 'archived', 'deleted')),
  CONSTRAINT conversations_message_count_check CHECK (message_count >= 0),
  CONSTRAINT conversations_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
);

-- Not partial: besides a user's conversation list (most recent activity first, deleted
-- ones filtered as a residual), this index serves the CASCADE from users and the
-- messages RLS policy, whose lookups have no status predicate.
CREATE INDEX conversations_user_id_last_message_at_idx ON conversations (user_id, last_message_at DESC NULLS LAST);
CREATE INDEX conversations_session_id_idx ON conversations (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX conversations_agent_id_idx ON conversations (agent_id) WHERE agent_id IS NOT NULL;

CREATE TRIGGER conversations_set_updated_at
  BEFORE UPDATE ON conversations
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION set_updated_at();

COMMENT ON TABLE conversations IS
  'Conversation threads. status = deleted is the soft delete. message_count and last_message_at '
  'are maintained by the trigger messages_update_conversation_counters.';
COMMENT ON COLUMN conversations.status IS 'active, archived or deleted (soft delete).';
COMMENT ON COLUMN conversations.message_count IS 'Messages ever appended to the conversation; maintained by trigger, do not write.';
COMMENT ON COLUMN conversations.last_message_at IS 'created_at of the newest message; maintained by trigger, NULL while empty.';
COMMENT ON COLUMN conversations.session_id IS 'Session the conversation ran in; set to NULL when the session is purged.';

ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversations FORCE ROW LEVEL SECURITY;

CREATE POLICY conversations_owner_all ON conversations
  USING (user_id = app_current_user_id())
  WITH CHECK (user_id = app_current_user_id());
CREATE POLICY conversations_admin_all ON conversations TO agentdb_admin
  USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON conversations TO agentdb_admin;

CREATE FUNCTION message_search_vector(content text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT to_tsvector('simple'::regconfig, left(content, 100000)) $$;

COMMENT ON FUNCTION message_search_vector(text) IS
  'Full-text document of a message: simple configuration, first 100000 characters. The index '
  'messages_search_idx is built on this expression; searches must use the same expression '
  'and the predicate message_type = ''text''.';

CREATE TABLE messages (
  id             uuid        NOT NULL DEFAULT uuid_v7(),
  conversation_id uuid       NOT NULL,
  role           text        NOT NULL,
  content        text        NOT NULL DEFAULT '',
  message_type   text        NOT NULL DEFAULT 'text',
  tool_name      text,
  tool_args      jsonb,
  tool_call_id   text,
  is_streaming   boolean     NOT NULL DEFAULT false,
  is_complete    boolean     NOT NULL DEFAULT true,
  metadata       jsonb       NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  -- The partition key must be part of every unique constraint of a partitioned table.
  CONSTRAINT messages_pkey PRIMARY KEY (id, created_at),
  -- CASCADE: messages have no meaning outside their conversation.
  CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
  CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'system', 'tool')),
  CONSTRAINT messages_message_type_check CHECK (message_type IN ('text', 'tool_call', 'tool_response', 'thinking', 'error')),
  CONSTRAINT messages_tool_name_check CHECK (message_type NOT IN ('tool_call', 'tool_response') OR tool_name IS NOT NULL),
  CONSTRAINT messages_tool_args_check CHECK (tool_args IS NULL OR jsonb_typeof(tool_args) = 'object'),
  CONSTRAINT messages_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
) PARTITION BY RANGE (created_at);

CREATE TABLE messages_default PARTITION OF messages DEFAULT;

CREATE INDEX messages_conversation_id_created_at_idx ON messages (conversation_id, created_at, id);
CREATE INDEX messages_search_idx ON messages USING gin (message_search_vector(content)) WHERE message_type = 'text';
CREATE INDEX messages_created_at_brin_idx ON messages USING brin (created_at);

COMMENT ON TABLE messages IS
  'Messages of conversations. Range-partitioned by created_at month (UTC) with a DEFAULT '
  'partition; partitions are created by ensure_all_monthly_partitions(). Append-only apart '
  'from in-place completion of streaming messages.';
COMMENT ON TABLE messages_default IS
  'Catch-all partition of messages for months without a partition; normally empty. '
  'ensure_monthly_partitions() moves its rows into new monthly partitions.';
COMMENT ON COLUMN messages.id IS 'uuid_v7 (time-ordered). Unique in practice; the enforced key is (id, created_at).';
COMMENT ON COLUMN messages.role IS 'user, assistant, system or tool.';
COMMENT ON COLUMN messages.message_type IS 'text, tool_call, tool_response, thinking or error; only text is full-text indexed.';
COMMENT ON COLUMN messages.tool_name IS 'Tool invoked (tool_call) or answering (tool_response); required for those types.';
COMMENT ON COLUMN messages.tool_args IS 'Arguments of a tool call (JSON object).';
COMMENT ON COLUMN messages.tool_call_id IS 'Provider id correlating a tool_call with its tool_response.';
COMMENT ON COLUMN messages.is_streaming IS 'True while the message is being streamed and content is still growing.';
COMMENT ON COLUMN messages.is_complete IS 'False for a message whose generation has not finished (or was interrupted).';
COMMENT ON COLUMN messages.created_at IS 'Partition key. Never earlier than the conversation''s created_at; add that bound to prune partitions.';

ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
ALTER TABLE messages_default ENABLE ROW LEVEL SECURITY;

CREATE POLICY messages_owner_all ON messages
  USING (EXISTS (SELECT 1 FROM conversations c
                  WHERE c.id = messages.conversation_id AND c.user_id = app_current_user_id()))
  WITH CHECK (EXISTS (SELECT 1 FROM conversations c
                       WHERE c.id = messages.conversation_id AND c.user_id = app_current_user_id()));
CREATE POLICY messages_admin_all ON messages TO agentdb_admin
  USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON messages TO agentdb_admin;

CREATE FUNCTION messages_update_conversation_counters() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  UPDATE conversations AS c
     SET message_count = c.message_count + n.added,
         last_message_at = GREATEST(c.last_message_at, n.newest)
    FROM (SELECT conversation_id, count(*) AS added, max(created_at) AS newest
            FROM new_messages
           GROUP BY conversation_id) AS n
   WHERE c.id = n.conversation_id;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION messages_update_conversation_counters() IS
  'AFTER INSERT statement trigger on messages: adds the inserted rows to message_count and '
  'advances last_message_at of their conversations, one UPDATE per conversation per statement.';

CREATE TRIGGER messages_update_conversation_counters
  AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_messages
  FOR EACH STATEMENT
  EXECUTE FUNCTION messages_update_conversation_counters();
