-- agentdb:no-transaction
SET lock_timeout = '5s';
CREATE TABLE t (id serial PRIMARY KEY, at timestamp, code char(2));
CREATE INDEX CONCURRENTLY t_at ON t (at);
ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (x) REFERENCES t (id) NOT VALID, ALTER COLUMN e TYPE text;
-- agentdb:lint-ignore drop-column reason here
ALTER TABLE users DROP COLUMN legacy;
CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 END; END;
SELECT $tag$ body ; $tag$, E'\'', U&"d\0061t", 'it''s' /* nested /* c */ */;
