-- The daily digest: when each person gets it (default 07:30, UTC+7, on the
-- deadline service's clock), or not at all, and the last day written.
CREATE TABLE notify.digest_setting (
    person_id text PRIMARY KEY,
    at_time   time NOT NULL DEFAULT '07:30',
    off       boolean NOT NULL DEFAULT false,
    last_day  date
);
