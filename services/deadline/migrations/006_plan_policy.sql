-- Per-plan due-soon days (`partrack due policy`): kept by the issuing unit
-- and the plan's number, so the setting holds for a plan that replaces it and
-- may be made before the plan is imported; copied onto the plan's tasks,
-- where every computation of levels reads it (NULL: the service's default).
CREATE TABLE deadline.plan_policy (
    plan_unit     text NOT NULL,
    plan_number   text NOT NULL,
    due_soon_days integer NOT NULL CHECK (due_soon_days BETWEEN 0 AND 90),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_unit, plan_number)
);
ALTER TABLE deadline.task ADD COLUMN due_soon_days integer;
CREATE INDEX task_plan_number_idx ON deadline.task (plan_number, plan_unit);
