-- A task's schedule (jsonb, 0.5-3 KB) is written once per import and read by
-- every task query; stored uncompressed it costs no pglz work either way.
ALTER TABLE registry.task ALTER COLUMN schedule SET STORAGE EXTERNAL;
