-- The official calendar the service runs on, once imported (`partrack
-- calendar import FILE`): the whole document, in the format of the shipped
-- share/partrack/calendar-vn.json, which it replaces for this service.
CREATE TABLE deadline.calendar (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    document    text NOT NULL,
    name        text NOT NULL,       -- the file it came from
    imported_at timestamptz NOT NULL DEFAULT now()
);
