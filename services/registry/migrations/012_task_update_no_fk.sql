-- task_update rows are written at the rate other systems publish (tens of
-- thousands a second); the foreign key to registry.task ran a lookup query
-- per row (a tenth of the ingest backend's time). Every writer of
-- task_update holds the task's row lock (SELECT ... FOR UPDATE) in the same
-- transaction, and tasks are never deleted (a replaced plan keeps its
-- tasks), so the key could never fail; the index on task_id stays.
ALTER TABLE registry.task_update DROP CONSTRAINT task_update_task_id_fkey;
