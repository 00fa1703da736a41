-- A task row is wide (title, schedule, source) and published updates
-- rewrite its status and progress many times a day. Room left on each page
-- lets the new version stay on its page (a HOT update: no new index entry,
-- the old version pruned on the next visit) instead of growing the table.
ALTER TABLE registry.task SET (fillfactor = 50);
