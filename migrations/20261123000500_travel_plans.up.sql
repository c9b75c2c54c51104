-- Revision 20261123000500_travel_plans
--
-- Travel plans produced by the agents for a user.
--
-- Design:
--   * Soft delete (deleted_at). The main access path, "a user's active plans, newest
--     first", is served by the partial index (user_id, created_at DESC) WHERE
--     deleted_at IS NULL: an index scan in the requested order that stops after LIMIT
--     and never touches deleted plans. Queries must say deleted_at IS NULL to use it.
--     A second, plain index on user_id serves the CASCADE from users and queries that
--     include deleted plans.
--   * version is an optimistic-concurrency counter. A BEFORE UPDATE trigger sets it to
--     OLD.version + 1 on every real change, so it is correct whether or not the
--     application also writes version = version + 1. Writers use
--       UPDATE travel_plans SET ... WHERE id = $1 AND version = $expected
--     and treat "0 rows" as a conflict.
--   * Dates are date (a trip is in local calendar days); end_date >= start_date.
--     budget is numeric with a currency code (ISO 4217, text + CHECK, not char(3)).
--   * ON DELETE CASCADE from users: the plan is the user's content.
--     agent_executions and cost_tracking reference plans with SET NULL (later
--     revisions): usage and billing history outlives a purged plan.
--   * Row-level security: ENABLE + FORCE, owner policy on user_id, agentdb_admin.

CREATE TABLE travel_plans (
  id           uuid          NOT NULL DEFAULT gen_random_uuid(),
  user_id      uuid          NOT NULL,
  title        text          NOT NULL,
  destination  text,
  start_date   date,
  end_date     date,
  budget       numeric(14,2),
  currency     text          NOT NULL DEFAULT 'USD',
  status       text          NOT NULL DEFAULT 'draft',
  plan_data    jsonb         NOT NULL DEFAULT '{}',
  version      integer       NOT NULL DEFAULT 1,
  created_at   timestamptz   NOT NULL DEFAULT now(),
  updated_at   timestamptz   NOT NULL DEFAULT now(),
  deleted_at   timestamptz,
  CONSTRAINT travel_plans_pkey PRIMARY KEY (id),
  -- CASCADE: the user's own content.
  CONSTRAINT travel_plans_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT travel_plans_title_check CHECK (length(title) BETWEEN 1 AND 500),
  CONSTRAINT travel_plans_dates_check CHECK (end_date >= start_date),
  CONSTRAINT travel_plans_budget_check CHECK (budget >= 0),
  CONSTRAINT travel_plans_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT travel_plans_status_check CHECK (status IN ('draft', 'generating', 'ready', 'booked', 'completed', 'cancelled', 'failed')),
  CONSTRAINT travel_plans_plan_data_check CHECK (jsonb_typeof(plan_data) = 'object'),
  CONSTRAINT travel_plans_version_check CHECK (version >= 1)
);

CREATE INDEX travel_plans_user_id_created_at_idx ON travel_plans (user_id, created_at DESC) WHERE deleted_at IS NULL;
-- Plain user_id index for what the partial index cannot serve: the ON DELETE CASCADE from
-- users (a user erasure would otherwise scan the whole table) and queries that include
-- deleted plans (trash view, admin tooling).
CREATE INDEX travel_plans_user_id_idx ON travel_plans (user_id);

CREATE FUNCTION travel_plans_bump_version() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION travel_plans_bump_version() IS
  'BEFORE UPDATE row trigger: travel_plans.version becomes OLD.version + 1 on every real change.';

CREATE TRIGGER travel_plans_bump_version
  BEFORE UPDATE ON travel_plans
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION travel_plans_bump_version();

CREATE TRIGGER travel_plans_set_updated_at
  BEFORE UPDATE ON travel_plans
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION set_updated_at();

COMMENT ON TABLE travel_plans IS
  'Travel plans of users. Soft-deleted via deleted_at; version is bumped by trigger on every '
  'change for optimistic concurrency.';
COMMENT ON COLUMN travel_plans.destination IS 'Main destination as entered; structured itinerary lives in plan_data.';
COMMENT ON COLUMN travel_plans.start_date IS 'First day of the trip (local calendar date).';
COMMENT ON COLUMN travel_plans.end_date IS 'Last day of the trip; not before start_date.';
COMMENT ON COLUMN travel_plans.budget IS 'Total budget in currency; non-negative.';
COMMENT ON COLUMN travel_plans.currency IS 'ISO 4217 code of budget, e.g. USD.';
COMMENT ON COLUMN travel_plans.status IS 'draft, generating, ready, booked, completed, cancelled or failed.';
COMMENT ON COLUMN travel_plans.plan_data IS 'The plan itself (itinerary, bookings, options) as a JSON object.';
COMMENT ON COLUMN travel_plans.version IS 'Optimistic-concurrency version, starts at 1, incremented by trigger on each change.';
COMMENT ON COLUMN travel_plans.deleted_at IS 'Soft delete; active plans have deleted_at IS NULL.';

ALTER TABLE travel_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE travel_plans FORCE ROW LEVEL SECURITY;

CREATE POLICY travel_plans_owner_all ON travel_plans
  USING (user_id = app_current_user_id())
  WITH CHECK (user_id = app_current_user_id());
CREATE POLICY travel_plans_admin_all ON travel_plans TO agentdb_admin
  USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON travel_plans TO agentdb_admin;
