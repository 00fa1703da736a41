-- The notify service's schema: every person's feed, who follows which
-- unit, and its cursors on the other services' event streams.

-- The last sequence number of each person's feed: entries are numbered
-- 1, 2, 3... per person with no gap (taken in the transaction that writes
-- them, so a rolled-back batch takes none).
CREATE TABLE notify.feed_head (
    person_id text PRIMARY KEY,
    last_seq  bigint NOT NULL
);

-- One entry of a person's feed. `dedupe` names what it is about (an
-- occurrence and level, a consultation...): never two entries for it.
CREATE TABLE notify.entry (
    person_id     text NOT NULL,
    seq           bigint NOT NULL,
    kind          text NOT NULL,      -- due_soon, due, overdue, escalated, stale, recomputed,
                                      -- removed, deemed_agreed, assigned
    dedupe        text NOT NULL,
    source        text NOT NULL,      -- the event: producer:seq
    occurrence_id bigint,
    level         text,
    task_id       bigint,
    unit_code     text,               -- the unit it concerns
    text          text NOT NULL,      -- Vietnamese, for people
    created_at    timestamptz NOT NULL DEFAULT now(),
    acked_at      timestamptz,
    PRIMARY KEY (person_id, seq),
    UNIQUE (person_id, dedupe)
);

-- People who follow a unit get its news too (`partrack follow CODE --person ID`).
CREATE TABLE notify.follow (
    person_id  text NOT NULL,
    unit_code  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, unit_code)
);
CREATE INDEX follow_unit_idx ON notify.follow (unit_code);

-- Where this service is in the other services' event streams.
CREATE TABLE notify.event_cursor (
    producer   text PRIMARY KEY,
    last_seq   bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
