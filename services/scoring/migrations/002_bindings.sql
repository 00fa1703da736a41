-- Bindings (`partrack score bind`): which real task or plan a scheme's key
-- means for a unit and year. A `deliverable` leaf's task key is bound to a
-- task (kind 'task'), a `plan_completion` leaf's plan key to a plan by its
-- number and issuing unit (kind 'plan'). The outcome the deadline service's
-- data gives (deadline.outcomes) is kept on the binding and wins over a
-- fact of that key set by hand; NULL: nothing decided yet (the leaf scores
-- as without the fact).
CREATE TABLE scoring.binding (
    unit_code     text NOT NULL,
    year          integer NOT NULL,
    top_code      text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('task', 'plan')),
    key           text NOT NULL,
    task_id       bigint,
    plan_number   text,
    plan_unit     text,
    outcome       text CHECK (outcome IN ('on_time', 'late', 'missing')),
    plan_tasks    integer,
    plan_on_time  integer,
    bound_at      timestamptz NOT NULL DEFAULT now(),
    outcome_at    timestamptz,
    PRIMARY KEY (unit_code, year, kind, key),
    CHECK ((kind = 'task') = (task_id IS NOT NULL)),
    CHECK ((kind = 'plan') = (plan_number IS NOT NULL AND plan_unit IS NOT NULL))
);
CREATE INDEX binding_task_idx ON scoring.binding (task_id) WHERE kind = 'task';
CREATE INDEX binding_plan_idx ON scoring.binding (plan_number, plan_unit) WHERE kind = 'plan';

-- The last year whose end the service has applied to bound outcomes: a task
-- still open when its year ends becomes missing then, with no event of its
-- own to say so.
CREATE TABLE scoring.outcome_year_end (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    closed_through integer NOT NULL
);
INSERT INTO scoring.outcome_year_end (closed_through) VALUES (0);
