-- Revision 20261204000100_service_role (down)
--
-- The role agentdb_service is intentionally kept, as agentdb_admin is: roles are cluster-wide,
-- other databases of the cluster may use it, and it may have members.

DROP FUNCTION app_authenticate(text);

REVOKE SELECT, INSERT ON cost_tracking, audit_logs, events, cost_daily_delta, exec_daily_delta
  FROM agentdb_service;
REVOKE SELECT ON model_prices, cost_daily, exec_daily, exec_day_total, exec_monthly FROM agentdb_service;
REVOKE SELECT, INSERT, UPDATE ON users, api_keys, sessions, conversations, messages, travel_plans,
  agent_executions, agents FROM agentdb_service;
