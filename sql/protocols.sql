-- Names for the IANA "Assigned Internet Protocol Numbers" registry entries seen in practice, so
-- per-protocol panels say "tcp" rather than 6. Numbers without a row print as the number.
CREATE TABLE IF NOT EXISTS xenoflow_protocols (num integer PRIMARY KEY, name text NOT NULL);
INSERT INTO xenoflow_protocols (num, name) VALUES
  (1, 'icmp'), (2, 'igmp'), (4, 'ipip'), (6, 'tcp'), (17, 'udp'), (41, 'ipv6'), (46, 'rsvp'),
  (47, 'gre'), (50, 'esp'), (51, 'ah'), (58, 'ipv6-icmp'), (88, 'eigrp'), (89, 'ospf'),
  (103, 'pim'), (112, 'vrrp'), (115, 'l2tp'), (132, 'sctp'), (137, 'mpls-in-ip')
ON CONFLICT (num) DO UPDATE SET name = EXCLUDED.name;

-- xenoflow_proto: one value of a window table with a "proto" key column, summed per protocol over
-- [t_from, t_to). Rows whose proto is NULL (the top-N remainder) are 'other'.
--
--   SELECT * FROM xenoflow_proto('all_proto', 'octets', now() - interval '1 hour', now());
--
-- Sums over every collector of a fleet, unless `only_collector` names one.
DROP FUNCTION IF EXISTS xenoflow_proto(regclass, text, timestamptz, timestamptz); -- before fleets
CREATE OR REPLACE FUNCTION xenoflow_proto(tbl regclass, value_col text, t_from timestamptz, t_to timestamptz, only_collector text DEFAULT NULL)
RETURNS TABLE (proto integer, name text, value numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM xenoflow_check_value('xenoflow_proto', tbl, value_col);
  IF NOT 'proto' = ANY (xenoflow_key_columns(tbl)) THEN
    RAISE EXCEPTION 'xenoflow_proto: table % has no proto column; use a window keyed by proto', tbl USING ERRCODE = 'undefined_column';
  END IF;
  RETURN QUERY EXECUTE format($q$
    SELECT w.proto::integer, coalesce(p.name, w.proto::text, 'other'), coalesce(sum(w.%2$I), 0)::numeric
    FROM %1$s w LEFT JOIN xenoflow_protocols p ON p.num = w.proto
    WHERE w."time" >= $1 AND w."time" < $2 AND ($3::text IS NULL OR w.collector = $3)
    GROUP BY w.proto, p.name ORDER BY 3 DESC, 1 NULLS LAST
  $q$, tbl, value_col)
  USING t_from, t_to, only_collector;
END
$$;
