-- Undo 20261123000600_agent_executions.

DROP TABLE agent_executions;
