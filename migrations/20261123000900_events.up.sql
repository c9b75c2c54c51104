-- Revision 20261123000900_events
--
-- Event store: the ordered stream of domain events of each aggregate (a plan, a
-- conversation, ...), used for event sourcing, projections and integration.
--
-- Design:
--   * Optimistic concurrency: UNIQUE (aggregate_id, version). A writer that loaded an
--     aggregate at version n appends its events as n+1, n+2, ...; a concurrent writer
--     that got there first makes the INSERT fail with unique_violation (23505), which
--     the application reports as a conflict and retries after reloading.
--   * Not partitioned, unlike the other append-only tables. Partitioning by created_at
--     would force the partition key into every unique constraint, turning the
--     concurrency guard into UNIQUE (aggregate_id, version, created_at), which no
--     longer guards anything. Hash partitioning by aggregate_id would keep the guard,
--     but an event store has no retention to gain from partitions, and the two access
--     paths (load one aggregate = a btree range on (aggregate_id, version); read the
--     global stream = a range on id) are O(log n) at any size. Vacuum on an
--     insert-only table is cheap (PostgreSQL 13+ vacuums on inserts, pages become
--     all-visible/all-frozen once).
--   * id is bigint GENERATED ALWAYS AS IDENTITY, which doubles as the global stream
--     position for subscribers ("events with id > last seen") and makes primary-key
--     inserts hit the right edge of the btree. Caveat for subscribers: identities are
--     allocated at insert but become visible at commit, so a lower id can appear after
--     a higher one; a subscriber must re-read a short window behind its position (or
--     only read ids below the oldest in-flight transaction's).
--   * BRIN on created_at for time-window scans (rows arrive in time order);
--     (type, id) for projections that follow one event type.
--   * Append-only, enforced by reject_mutation().
--   * No foreign keys: aggregate_id points into different tables depending on the
--     aggregate type, and events must outlive the aggregates they describe.
--   * No row-level security: events are a system stream, read by services and
--     projections, not by end users directly. Access is controlled with GRANTs.

CREATE TABLE events (
  id            bigint      GENERATED ALWAYS AS IDENTITY,
  aggregate_id  uuid        NOT NULL,
  type          text        NOT NULL,
  data          jsonb       NOT NULL DEFAULT '{}',
  metadata      jsonb       NOT NULL DEFAULT '{}',
  version       bigint      NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_pkey PRIMARY KEY (id),
  CONSTRAINT events_aggregate_id_version_key UNIQUE (aggregate_id, version),
  CONSTRAINT events_type_check CHECK (length(type) BETWEEN 1 AND 200),
  CONSTRAINT events_version_check CHECK (version >= 1),
  CONSTRAINT events_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX events_type_id_idx ON events (type, id);
CREATE INDEX events_created_at_brin_idx ON events USING brin (created_at);

CREATE TRIGGER events_append_only
  BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW
  EXECUTE FUNCTION reject_mutation();

COMMENT ON TABLE events IS
  'Append-only event store. UNIQUE (aggregate_id, version) is the optimistic-concurrency guard; '
  'id is the global stream position.';
COMMENT ON COLUMN events.id IS 'Global position in the event stream (identity, increasing; may become visible out of order).';
COMMENT ON COLUMN events.aggregate_id IS 'Id of the aggregate (plan, conversation, ...) the event belongs to; no foreign key.';
COMMENT ON COLUMN events.type IS 'Event type, e.g. PlanCreated.';
COMMENT ON COLUMN events.data IS 'Event payload (JSON).';
COMMENT ON COLUMN events.metadata IS 'Correlation/causation ids, actor and similar envelope data (JSON object).';
COMMENT ON COLUMN events.version IS 'Position of the event within its aggregate, starting at 1; unique per aggregate.';

GRANT SELECT, INSERT ON events TO agentdb_admin;
