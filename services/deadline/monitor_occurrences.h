/* monitor_occurrences.h - a task's due occurrences, created
 *
 * One occurrence per due date of a schedule (seq 1..ndue; a seq the task
 * already has is left alone), each at the level it has at the ingest's
 * instant with that one transition (missed earlier levels of a new
 * occurrence are not replayed), a report's data window (report_window.h)
 * when the title speaks of báo cáo, and the stale watch of a continuous
 * task. In the caller's transaction.
 */
#ifndef PARTRACK_MONITOR_OCCURRENCES_H
#define PARTRACK_MONITOR_OCCURRENCES_H

#include "db.h"
#include "deadline.h"
#include "due_levels.h"
#include "events.pb-c.h"
#include "monitor_ingest.h"

/* `task` names the task (task_id, plan_number, plan_unit, title, ordinal);
 * `lead` is its lead units as a PostgreSQL array literal; `policy` the
 * plan's. Counts the transitions in `in`. Returns 0, or -1. */
int monitor_occurrences_create(db_t *db, monitor_ingest_t *in, const due_policy_t *policy,
                               const Partrack__TaskAssigned *task, const deadline_t *d,
                               const char *lead);

#endif
