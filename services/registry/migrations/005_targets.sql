-- Targets (chỉ tiêu) of plans: an indicator, a comparator and a value.
--
-- A plan has at most one target per indicator code. A target is the plan's
-- own (origin 'own', from `target import`), or copied down from the plan it
-- implements (origin 'copied', copied_from the higher plan's target), or
-- copied and then given another value for this unit (origin 'overridden').
-- A re-cascade refreshes copied targets and leaves own and overridden ones.
CREATE TABLE registry.target (
    id          bigserial PRIMARY KEY,
    top_code    text NOT NULL,
    plan_id     bigint NOT NULL REFERENCES registry.plan (id),
    code        text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_.]*$'),
    area        text,
    indicator   text NOT NULL,
    comparator  text NOT NULL CHECK (comparator IN ('>=', '>', '<=', '<', '=', 'range', 'rank<=')),
    value       double precision NOT NULL,
    value_high  double precision NOT NULL CHECK (value_high >= value),
    measure     text,             -- "%", "hồ sơ"
    scope       text,
    sentence    text,             -- as the plan wrote it
    line        integer,          -- in the imported file
    origin      text NOT NULL DEFAULT 'own' CHECK (origin IN ('own', 'copied', 'overridden')),
    copied_from bigint REFERENCES registry.target (id),
    set_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_id, code)
);
CREATE INDEX target_copied_from_idx ON registry.target (copied_from);
