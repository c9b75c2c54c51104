-- Undo 20261123000300_agents.

DROP TABLE agents;
