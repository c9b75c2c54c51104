-- Undo 20261123000700_cost_tracking. Dropping cost_tracking also drops all its partitions.

DROP TABLE cost_tracking;
DROP FUNCTION model_cost_usd(text, text, bigint, bigint, timestamptz);
DROP TABLE model_prices;
