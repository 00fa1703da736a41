/* task_events.h - TaskAssigned events for tasks whose units changed
 *
 * A TaskAssigned event carries the task as a consumer needs it (plan, units,
 * schedule). When a reorganization moves tasks to other units, the events
 * are read back from the tables inside the transaction that changed them, so
 * they match the committed rows. (A plan import builds its events from the
 * rows it is writing: plan_store.c.)
 */
#ifndef PARTRACK_TASK_EVENTS_H
#define PARTRACK_TASK_EVENTS_H

#include "db.h"

#include <stdint.h>

/* Appends one TaskAssigned event, with the given reason ("reassigned"), for
 * each task whose id the PostgreSQL array literal ids lists ("{1,2,3}"),
 * inside the caller's transaction. Returns 0 and the last event's sequence
 * number in *last (unchanged when no task is listed), or -1 (the caller
 * rolls back). */
int task_events_assigned_ids(db_t *db, const char *ids, const char *reason, int64_t *last);

#endif
