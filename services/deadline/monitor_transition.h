/* monitor_transition.h - recording that occurrences reached a level, once
 *
 * A step is "occurrence O reached level L at instant T". Steps are written in
 * batches into deadline.transition, unique by (occurrence, level, instant),
 * and only the steps that were new become DueTransition events, in the
 * caller's transaction: a step replayed after a crash or by a second
 * instance finds its row and emits nothing.
 */
#ifndef PARTRACK_MONITOR_TRANSITION_H
#define PARTRACK_MONITOR_TRANSITION_H

#include "civil_date.h"
#include "db.h"
#include "due_levels.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t occurrence_id, task_id;
    due_level_t level;
    int64_t at;
    /* For the event (borrowed): */
    const char *plan_number, *plan_unit, *title, *ordinal, *label;
    const char *lead;          /* PostgreSQL array literal of unit codes: "{A,B}" */
    date_t effective, nominal; /* DATE_INVALID for a stale watch */
    int workdays_overdue;
} monitor_step_t;

/* Records steps[0..n) inside the caller's transaction. Returns 0 with the
 * number of new steps in *recorded and the last event's sequence number in
 * *last_event (unchanged if none), or -1 (the caller rolls back). */
int monitor_steps_record(db_t *db, const monitor_step_t *steps, size_t n, size_t *recorded,
                         int64_t *last_event);

#endif
