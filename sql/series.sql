-- xenoflow_series: one value of a window table per bucket over [t_from, t_to), the bucket being
-- floor(epoch / every) * every, from the first bucket holding a stored window (none before: a
-- range reaching back before the collector existed does not open with zeros that were never
-- measured), empty buckets after it as 0, with the per-second rate. The same series as
-- `xenoflow report series`.
--
--   SELECT * FROM xenoflow_series('all_proto', 'octets', now() - interval '1 hour', now(), '5m');
--
-- Sums over every collector of a fleet, unless `only_collector` names one.

DROP FUNCTION IF EXISTS xenoflow_series(regclass, text, timestamptz, timestamptz, interval); -- before fleets
CREATE OR REPLACE FUNCTION xenoflow_series(tbl regclass, value_col text, t_from timestamptz, t_to timestamptz, every interval DEFAULT '5 minutes', only_collector text DEFAULT NULL)
RETURNS TABLE ("time" timestamptz, value numeric, per_second double precision)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  step bigint := floor(extract(epoch FROM every))::bigint;
BEGIN
  PERFORM xenoflow_check_value('xenoflow_series', tbl, value_col);
  IF step IS NULL OR step < 1 THEN
    RAISE EXCEPTION 'xenoflow_series: every must be at least 1 second, not %', every USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF t_from >= t_to THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE format($q$
    WITH b AS (
      SELECT (floor(extract(epoch FROM "time") / $3) * $3)::bigint AS bucket, coalesce(sum(%2$I), 0) AS v
      FROM %1$s WHERE "time" >= $1 AND "time" < $2 AND ($4::text IS NULL OR collector = $4) GROUP BY 1
    ),
    s AS (
      SELECT generate_series((SELECT min(bucket) FROM b),
                             floor((extract(epoch FROM $2) - 1) / $3)::bigint * $3, $3) AS bucket
    )
    SELECT to_timestamp(s.bucket), coalesce(b.v, 0)::numeric, coalesce(b.v, 0)::double precision / $3
    FROM s LEFT JOIN b USING (bucket) ORDER BY s.bucket
  $q$, tbl, value_col)
  USING t_from, t_to, step, only_collector;
END
$$;
