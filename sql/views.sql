-- Per-protocol and per-AS views of a window table, for ad-hoc SQL and Grafana panels that prefer a
-- plain relation with $__timeFilter. The key columns differ per window, so the views are created
-- per table, next to it:
--
--   SELECT xenoflow_create_views('all_proto');   -- creates all_proto_by_proto
--   SELECT xenoflow_create_views('edge_as');     -- creates edge_as_by_src_as and/or edge_as_by_dst_as
--
-- <tbl>_by_proto: "time", proto, proto_name, then each value summed per window and protocol.
-- <tbl>_by_src_as / <tbl>_by_dst_as: "time", the AS number, then each value summed.
-- NULL keys (the top-N remainder) stay NULL: they are "everything else" for that window.
-- Calling it again replaces the views (after the window gained a value column, say). Returns the
-- names of the views it created; none when the table has neither proto nor an AS column.

CREATE OR REPLACE FUNCTION xenoflow_create_views(tbl regclass) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  rel text;
  nsp text;
  kc text[] := xenoflow_key_columns(tbl);
  sums text;
  col text;
  view_name text;
BEGIN
  SELECT c.relname, n.nspname INTO rel, nsp FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
  SELECT string_agg(format('sum(w.%I)::bigint AS %I', v, v), ', ') INTO sums FROM unnest(xenoflow_value_columns(tbl)) AS v;
  IF sums IS NULL THEN
    RAISE EXCEPTION 'xenoflow_create_views: table % has no value columns', tbl USING ERRCODE = 'undefined_column';
  END IF;
  IF 'proto' = ANY (kc) THEN
    view_name := rel || '_by_proto';
    EXECUTE format($v$
      CREATE OR REPLACE VIEW %1$I.%2$I AS
      SELECT w."time", w.proto, coalesce(p.name, w.proto::text, 'other') AS proto_name, %3$s
      FROM %4$s w LEFT JOIN xenoflow_protocols p ON p.num = w.proto
      GROUP BY w."time", w.proto, p.name
    $v$, nsp, view_name, sums, tbl);
    RETURN NEXT view_name;
  END IF;
  FOREACH col IN ARRAY ARRAY['src_as', 'dst_as'] LOOP
    IF col = ANY (kc) THEN
      view_name := rel || '_by_' || col;
      EXECUTE format($v$
        CREATE OR REPLACE VIEW %1$I.%2$I AS
        SELECT w."time", w.%3$I, %4$s FROM %5$s w GROUP BY w."time", w.%3$I
      $v$, nsp, view_name, col, sums, tbl);
      RETURN NEXT view_name;
    END IF;
  END LOOP;
END
$$;
