-- The scoring service's schema: stored schemes, every unit-year's facts,
-- the computed scores with their stage, the audit trail, its event stream
-- (ScorePublished) and its cursors on the other services' streams.

-- A scheme (README "Scoring", "Scheme file"), one per code, year and unit
-- level; a re-import replaces the text and bumps the version.
CREATE TABLE scoring.scheme (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL,
    year        integer NOT NULL,
    level       text NOT NULL,
    name        text NOT NULL,
    text        text NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    imported_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (code, year, level)
);

-- A unit-year's facts: the year object of a data file (measurements,
-- deliverables, plans, manual, adjustments, survey, not_applicable,
-- reported), as score_data reads it.
CREATE TABLE scoring.facts (
    unit_code   text NOT NULL,
    year        integer NOT NULL,
    top_code    text NOT NULL,
    doc         jsonb NOT NULL DEFAULT '{}',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_code, year)
);

-- A unit's computed score under a scheme. `published_score` is the score
-- last published (ScorePublished), or the first one computed: a move of more
-- than the threshold from it is published.
CREATE TABLE scoring.score (
    scheme_id       bigint NOT NULL REFERENCES scoring.scheme (id) ON DELETE CASCADE,
    unit_code       text NOT NULL,
    top_code        text NOT NULL,
    parent_code     text,
    kind            text NOT NULL,
    year            integer NOT NULL,
    points          double precision NOT NULL,
    max             double precision NOT NULL,
    index           double precision NOT NULL,
    score           double precision NOT NULL,
    grade           text NOT NULL,
    stage           text NOT NULL DEFAULT 'self'
                    CHECK (stage IN ('self', 'appraisal', 'explanation', 'reappraisal', 'locked')),
    result          jsonb NOT NULL,
    published_score double precision NOT NULL,
    computed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scheme_id, unit_code)
);
CREATE INDEX score_year_idx ON scoring.score (year, unit_code);

-- Every change: facts (what = the fact kind), stages (what = 'stage'),
-- imports. Never updated or deleted.
CREATE TABLE scoring.audit (
    id          bigserial PRIMARY KEY,
    unit_code   text NOT NULL,
    year        integer NOT NULL,
    top_code    text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    what        text NOT NULL,
    node        text,
    from_value  text,
    to_value    text,
    evidence    text
);
CREATE INDEX audit_unit_idx ON scoring.audit (unit_code, year, id);

-- The scoring service's event stream (services/common/events.h).
CREATE TABLE scoring.event_counter (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_seq bigint NOT NULL
);
INSERT INTO scoring.event_counter (last_seq) VALUES (0);

CREATE TABLE scoring.event_log (
    seq        bigint PRIMARY KEY,
    type       text NOT NULL,
    unit_code  text,
    payload    bytea NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Documented view for consumers: read events after your cursor, in seq order.
CREATE VIEW scoring.events AS
SELECT seq, type, unit_code, payload, created_at FROM scoring.event_log;

-- Documented view: every unit's score as it stands (for other services).
CREATE VIEW scoring.scores AS
SELECT s.unit_code, s.year, c.code AS scheme, s.points, s.max, s.index, s.score, s.grade,
       s.stage, s.computed_at
FROM scoring.score s JOIN scoring.scheme c ON c.id = s.scheme_id;

-- Cursors on the other services' event streams.
CREATE TABLE scoring.event_cursor (
    producer   text PRIMARY KEY,
    last_seq   bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
