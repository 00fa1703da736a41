-- The deadline service's schema: the tasks it watches (from the registry's
-- events), their due occurrences and every transition, its own event stream
-- and its cursor on the registry's.

-- What the service knows of a task, kept from TaskAssigned/TaskUpdated.
CREATE TABLE deadline.task (
    task_id       bigint PRIMARY KEY,
    top_code      text NOT NULL,     -- the plan unit's top-level unit (tenant)
    plan_id       bigint NOT NULL,
    plan_number   text NOT NULL,
    plan_unit     text NOT NULL,
    year          integer NOT NULL,
    area          text,
    ordinal       text,
    title         text NOT NULL,
    lead          text[] NOT NULL DEFAULT '{}',
    cooperating   text[] NOT NULL DEFAULT '{}',
    deadline_text text,
    kind          text NOT NULL,      -- once, recurring, window, continuous, event, adhoc, unparsed
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    completed_at  timestamptz,
    last_update_at timestamptz,       -- the last TaskUpdated (or the assignment)
    waiting       boolean NOT NULL DEFAULT false  -- waits for its event
);
CREATE INDEX task_plan_idx ON deadline.task (plan_id);

-- One due occurrence of a task (a monthly task has 12), or the stale watch
-- of a continuous task (seq 0, kind 'stale').
CREATE TABLE deadline.occurrence (
    id            bigserial PRIMARY KEY,
    task_id       bigint NOT NULL REFERENCES deadline.task (task_id),
    seq           integer NOT NULL,
    kind          text NOT NULL DEFAULT 'due' CHECK (kind IN ('due', 'stale')),
    nominal       date,
    effective     date,              -- due at 24:00 (UTC+7) of this date
    label         text,
    state         text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled')),
    outcome       text CHECK (outcome IN ('on_time', 'late')),
    completed_at  timestamptz,
    level         smallint NOT NULL DEFAULT 0,
    acked_level   smallint NOT NULL DEFAULT 0,
    next_level    smallint,
    next_at       timestamptz,        -- when next_level is reached; NULL: nothing to watch
    UNIQUE (task_id, kind, seq)
);
-- The sweep reads only what falls due: its cost follows the transitions due,
-- not the size of the table.
CREATE INDEX occurrence_next_idx ON deadline.occurrence (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX occurrence_effective_idx ON deadline.occurrence (effective) WHERE state = 'open';

-- Every level an occurrence reached, once per occurrence, level and instant.
CREATE TABLE deadline.transition (
    id            bigserial PRIMARY KEY,
    occurrence_id bigint NOT NULL REFERENCES deadline.occurrence (id),
    level         smallint NOT NULL,
    at            timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (occurrence_id, level, at)
);

-- The manual clock (PARTRACK_DEADLINE_CLOCK=manual): tests and drills.
CREATE TABLE deadline.clock (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    now      timestamptz NOT NULL
);

-- Where this service is in the registry's event stream.
CREATE TABLE deadline.event_cursor (
    producer   text PRIMARY KEY,
    last_seq   bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The service's own event stream (see services/common/events.h).
CREATE TABLE deadline.event_counter (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_seq bigint NOT NULL
);
INSERT INTO deadline.event_counter (last_seq) VALUES (0);

CREATE TABLE deadline.event_log (
    seq        bigint PRIMARY KEY,
    type       text NOT NULL,
    unit_code  text,
    payload    bytea NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Documented view for consumers (notify): events after your cursor, in order.
CREATE VIEW deadline.events AS
SELECT seq, type, unit_code, payload, created_at FROM deadline.event_log;
