-- Undo 20261123000900_events.

DROP TABLE events;
