-- Documented view for other services (scoring): every due occurrence with
-- what became of it, and the service's clock. A deliverable's or a plan's
-- outcome is computed from these rows (README "How the deadline service
-- works", "The scoring service"). Stale watches of continuous tasks are not
-- in it: they have no due date and no outcome.
--   state     open, done, cancelled
--   outcome   on_time, late (done only): completed_at against 24:00 (UTC+7)
--             of due_date
--   as_of     the service's clock: the manual clock when it runs on one
--             (tests, drills), else the database's now()
CREATE VIEW deadline.outcomes AS
SELECT o.id AS occurrence_id, o.task_id, o.seq, t.plan_id, t.plan_number, t.plan_unit,
       t.year, t.ordinal, t.title, t.lead, o.effective AS due_date, o.nominal AS nominal_date,
       o.state, o.outcome, o.completed_at,
       coalesce((SELECT c.now FROM deadline.clock c), now()) AS as_of
FROM deadline.occurrence o JOIN deadline.task t ON t.task_id = o.task_id
WHERE o.kind = 'due';
