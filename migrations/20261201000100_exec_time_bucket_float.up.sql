-- Revision 20261201000100_exec_time_bucket_float
--
-- exec_time_bucket() in double precision instead of numeric. The numeric log() took ~18 µs per
-- call, so the rollup trigger on agent_executions spent most of a bulk load's time in it (1.8 s of
-- a 100,000-row COPY); ln() on float8 takes ~0.3 µs. The buckets stay exactly those of the
-- numeric formula: the float quotient is within ~1e-13 of 8 * log2(ms + 1), so it can only pick
-- the wrong bucket when that value lies next to an integer (a bucket edge), and there, within
-- 1e-6 of one, the numeric formula decides, as before. No stored data changes.

CREATE OR REPLACE FUNCTION exec_time_bucket(p_ms bigint) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
  SELECT CASE
           WHEN abs(8 * ln(greatest(p_ms, 0) + 1.0::float8) / ln(2.0::float8)
                    - round(8 * ln(greatest(p_ms, 0) + 1.0::float8) / ln(2.0::float8))) < 1e-6
             THEN floor(8 * log(2, greatest(p_ms, 0) + 1))::smallint
           ELSE floor(8 * ln(greatest(p_ms, 0) + 1.0::float8) / ln(2.0::float8))::smallint
         END
$$;
