-- xenoflow_top: a window table's top keys over [t_from, t_to) by one value, then an "other" row
-- (every other key plus the stored top-N remainder rows, whose keys are NULL) and a "total" row.
-- The same report as `xenoflow report top`: same grouping, same tie-break, so the same rows.
--
--   SELECT * FROM xenoflow_top('all_talkers', 'octets', now() - interval '1 hour', now(), 20);
--   SELECT * FROM xenoflow_top('all_talkers', 'octets', now() - interval '1 hour', now(), 20, 'pop1');
--
-- Sums over every collector of a fleet, unless `only_collector` names one.
-- pos: 1..n for keys, then other, then total. label: the key cells joined by ", " ("-" for NULL),
-- or 'other' / 'total'. keys: the key cells by column name. value: the ranked value's sum.
-- vals: every value column's sum by name.

DROP FUNCTION IF EXISTS xenoflow_top(regclass, text, timestamptz, timestamptz, integer); -- before fleets
CREATE OR REPLACE FUNCTION xenoflow_top(tbl regclass, by_value text, t_from timestamptz, t_to timestamptz, n integer DEFAULT 20, only_collector text DEFAULT NULL)
RETURNS TABLE (pos integer, label text, keys jsonb, value numeric, vals jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  kc text[] := xenoflow_key_columns(tbl);
  vc text[] := xenoflow_value_columns(tbl);
  key_list text;
  sums text;
  top_sums text;
  not_remainder text;
  label_expr text;
  keys_expr text;
  order_expr text;
  vals_top text;
  vals_other text;
  vals_total text;
BEGIN
  PERFORM xenoflow_check_value('xenoflow_top', tbl, by_value);
  IF n IS NULL OR n < 1 THEN
    RAISE EXCEPTION 'xenoflow_top: n must be at least 1, not %', n USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF cardinality(kc) = 0 THEN
    RAISE EXCEPTION 'xenoflow_top: table % has no key columns', tbl USING ERRCODE = 'undefined_column';
  END IF;
  SELECT string_agg(format('%I', k), ', '),
         string_agg(format('%I IS NULL', k), ' AND '),
         string_agg(format('coalesce(%s, ''-'')', xenoflow_key_text(tbl, k)), ' || '', '' || '),
         string_agg(format('%L, %s', k, CASE WHEN xenoflow_column_type(tbl, k) = 'inet'::regtype THEN format('abbrev(%I)', k) ELSE format('%I', k) END), ', '),
         string_agg(xenoflow_key_order(tbl, k), ', ')
    INTO key_list, not_remainder, label_expr, keys_expr, order_expr
    FROM unnest(kc) AS k;
  SELECT string_agg(format('coalesce(sum(%I), 0) AS %I', v, v), ', '),
         string_agg(format('coalesce(sum(t.%I), 0) AS %I', v, v), ', '),
         string_agg(format('%L, t.%I', v, v), ', '),
         string_agg(format('%L, tot.%I - tops.%I', v, v, v), ', '),
         string_agg(format('%L, tot.%I', v, v), ', ')
    INTO sums, top_sums, vals_top, vals_other, vals_total
    FROM unnest(vc) AS v;

  RETURN QUERY EXECUTE format($q$
    WITH r AS (SELECT * FROM %1$s WHERE "time" >= $1 AND "time" < $2 AND ($4::text IS NULL OR collector = $4)),
    g AS (SELECT %2$s, %3$s FROM r WHERE NOT (%4$s) GROUP BY %2$s),
    t AS (SELECT g.*, row_number() OVER (ORDER BY %5$I DESC, %6$s) AS rn FROM g ORDER BY rn LIMIT $3),
    tops AS (SELECT count(*) AS cnt, %7$s FROM t),
    tot AS (SELECT %3$s FROM r)
    SELECT t.rn::integer, %8$s, jsonb_build_object(%9$s), t.%5$I::numeric, jsonb_build_object(%10$s) FROM t
    UNION ALL
    SELECT (tops.cnt + 1)::integer, 'other', NULL::jsonb, (tot.%5$I - tops.%5$I)::numeric, jsonb_build_object(%11$s) FROM tot, tops
    UNION ALL
    SELECT (tops.cnt + 2)::integer, 'total', NULL::jsonb, tot.%5$I::numeric, jsonb_build_object(%12$s) FROM tot, tops
    ORDER BY 1
  $q$, tbl, key_list, sums, not_remainder, by_value, order_expr, top_sums, label_expr, keys_expr, vals_top, vals_other, vals_total)
  USING t_from, t_to, n, only_collector;
END
$$;
