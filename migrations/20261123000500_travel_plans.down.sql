-- Undo 20261123000500_travel_plans.

DROP TABLE travel_plans;
DROP FUNCTION travel_plans_bump_version();
