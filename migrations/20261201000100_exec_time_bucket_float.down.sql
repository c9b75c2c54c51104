-- Revision 20261201000100_exec_time_bucket_float, reverted: the numeric formula again.

CREATE OR REPLACE FUNCTION exec_time_bucket(p_ms bigint) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT floor(8 * log(2, greatest(p_ms, 0) + 1))::smallint $$;
