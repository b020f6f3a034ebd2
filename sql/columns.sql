-- Helpers shared by the report functions: which columns of a window table are keys and which are
-- values (DESIGN.md section 5: "time", "collector", then key columns, then octets/packets/bits/flows), and how
-- a key column prints and sorts. Addresses print as abbrev(inet) ("10.0.0.1", "10.1.0.0/16"), the
-- text the SQLite store holds, and sort in byte order (C collation) like `xenoflow report`.

CREATE OR REPLACE FUNCTION xenoflow_value_columns(tbl regclass) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), '{}')
  FROM pg_attribute a
  WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attname IN ('octets', 'packets', 'bits', 'flows')
$$;

CREATE OR REPLACE FUNCTION xenoflow_key_columns(tbl regclass) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), '{}')
  FROM pg_attribute a
  WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attname NOT IN ('time', 'collector', 'octets', 'packets', 'bits', 'flows')
$$;

-- The column's type, for choosing how it prints and sorts.
CREATE OR REPLACE FUNCTION xenoflow_column_type(tbl regclass, col text) RETURNS regtype
LANGUAGE sql STABLE AS $$
  SELECT a.atttypid::regtype FROM pg_attribute a
  WHERE a.attrelid = tbl AND a.attname = col AND NOT a.attisdropped
$$;

-- SQL text of the key column as it prints.
CREATE OR REPLACE FUNCTION xenoflow_key_text(tbl regclass, col text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE xenoflow_column_type(tbl, col)
    WHEN 'inet'::regtype THEN format('abbrev(%I)', col)
    ELSE format('%I::text', col)
  END
$$;

-- SQL text of the key column's ORDER BY term: numbers by value, the rest by printed text in byte order.
CREATE OR REPLACE FUNCTION xenoflow_key_order(tbl regclass, col text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN xenoflow_column_type(tbl, col) IN ('bigint'::regtype, 'integer'::regtype, 'smallint'::regtype, 'numeric'::regtype)
      THEN format('%I NULLS LAST', col)
    ELSE format('%s COLLATE "C" NULLS LAST', xenoflow_key_text(tbl, col))
  END
$$;

CREATE OR REPLACE FUNCTION xenoflow_check_value(fn text, tbl regclass, value_col text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT value_col = ANY (xenoflow_value_columns(tbl)) THEN
    RAISE EXCEPTION '%: table % has no value column "%"; it has %', fn, tbl, value_col, array_to_string(xenoflow_value_columns(tbl), ', ')
      USING ERRCODE = 'undefined_column';
  END IF;
END
$$;
