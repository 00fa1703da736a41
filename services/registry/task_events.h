/* task_events.h - the registry's task events, built from what is stored
 *
 * A TaskAssigned event carries the task as a consumer needs it (plan, units,
 * schedule), read back from the tables inside the transaction that changed
 * them, so an import and a reassignment on a merge describe tasks the same
 * way and the event always matches the committed rows.
 */
#ifndef PARTRACK_TASK_EVENTS_H
#define PARTRACK_TASK_EVENTS_H

#include "db.h"

#include <stdint.h>

/* Appends one TaskAssigned event for every task of the plan (reason
 * "imported"), inside the caller's transaction. Returns 0 and the last
 * event's sequence number in *last (unchanged when the plan has no task),
 * or -1 (the caller rolls back). */
int task_events_assigned_plan(db_t *db, const char *plan_id, int64_t *last);

/* The same for the tasks whose ids the PostgreSQL array literal ids lists
 * ("{1,2,3}"), with the given reason ("reassigned"). */
int task_events_assigned_ids(db_t *db, const char *ids, const char *reason, int64_t *last);

#endif
