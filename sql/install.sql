-- Installs the xenoflow report helpers into the first schema of the search_path (the one holding
-- the window tables). Safe to run again after an upgrade: everything is CREATE OR REPLACE.
--
--   psql "postgres://xenoflow@127.0.0.1:5432/xenoflow" -f sql/install.sql
--
-- Functions: xenoflow_top, xenoflow_series, xenoflow_proto, xenoflow_create_views (+ helpers).
\set ON_ERROR_STOP on
BEGIN;
\ir columns.sql
\ir protocols.sql
\ir top.sql
\ir series.sql
\ir views.sql
COMMIT;
