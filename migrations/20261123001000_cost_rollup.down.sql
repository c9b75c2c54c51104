-- Undo 20261123001000_cost_rollup.

DROP TRIGGER cost_tracking_append_only_update ON cost_tracking;
DROP TRIGGER cost_tracking_append_only ON cost_tracking;

CREATE TRIGGER cost_tracking_append_only
  BEFORE UPDATE OR DELETE ON cost_tracking
  FOR EACH ROW
  EXECUTE FUNCTION reject_mutation('plan_id', 'agent_execution_id');

DROP TRIGGER agent_executions_rollup_delete ON agent_executions;
DROP TRIGGER agent_executions_rollup_update ON agent_executions;
DROP TRIGGER agent_executions_rollup_insert ON agent_executions;
DROP TRIGGER cost_tracking_rollup_update ON cost_tracking;
DROP TRIGGER cost_tracking_rollup_insert ON cost_tracking;
DROP FUNCTION cost_daily_rebuild();
DROP FUNCTION cost_daily_compact();
DROP FUNCTION cost_daily_capture_update();
DROP FUNCTION cost_daily_capture_insert();
DROP FUNCTION exec_daily_capture();
DROP FUNCTION exec_time_bucket(bigint);
DROP TABLE exec_monthly;
DROP TABLE exec_day_total;
DROP TABLE exec_daily_delta;
DROP TABLE exec_daily;
DROP TABLE cost_daily_delta;
DROP TABLE cost_daily;
