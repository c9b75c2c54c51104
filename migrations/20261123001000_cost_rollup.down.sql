-- Undo 20261123001000_cost_rollup.

DROP TRIGGER cost_tracking_append_only_update ON cost_tracking;
DROP TRIGGER cost_tracking_append_only ON cost_tracking;

CREATE TRIGGER cost_tracking_append_only
  BEFORE UPDATE OR DELETE ON cost_tracking
  FOR EACH ROW
  EXECUTE FUNCTION reject_mutation('plan_id', 'agent_execution_id');

DROP TRIGGER cost_tracking_rollup_update ON cost_tracking;
DROP TRIGGER cost_tracking_rollup_insert ON cost_tracking;
DROP FUNCTION cost_daily_rebuild();
DROP FUNCTION cost_daily_compact();
DROP FUNCTION cost_daily_capture_update();
DROP FUNCTION cost_daily_capture_insert();
DROP TABLE cost_daily_delta;
DROP TABLE cost_daily;
