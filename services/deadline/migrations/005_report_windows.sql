-- The data a periodic report's occurrence covers (report_window.h): from the
-- 15th of the month before its period to the 14th of its last month, cut
-- before the deadline when that comes first (data_clipped). NULL for tasks
-- that are not reports and for due dates that name no period.
ALTER TABLE deadline.occurrence
    ADD COLUMN data_from date,
    ADD COLUMN data_to date,
    ADD COLUMN data_clipped boolean NOT NULL DEFAULT false;
