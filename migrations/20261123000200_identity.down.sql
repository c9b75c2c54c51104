-- Undo 20261123000200_identity. Dropping a table also drops its indexes, triggers,
-- policies, comments and grants.

DROP TABLE api_keys;
DROP TABLE users;
