/* monitor_reschedule.h - open occurrences moved to new due dates
 *
 * Two things move a due date: the calendar (`partrack calendar import`: the
 * weekend-and-holiday step of every open occurrence) and the task's own
 * deadline (`partrack task reschedule`: TaskRescheduled). Either way a moved
 * occurrence gets its new dates and, at instant now, the lower of the level
 * it had and the level it has by the new date: a date pushed later is not
 * overdue any more; a date brought forward keeps its level and its next step
 * is already due, so the sweep emits each level it reached, at the new
 * instants, in order. Each move (or removal: a new deadline with fewer due
 * dates cancels the rest) is a DueRecomputed event with its reason, in the
 * caller's transaction.
 */
#ifndef PARTRACK_MONITOR_RESCHEDULE_H
#define PARTRACK_MONITOR_RESCHEDULE_H

#include "civil_date.h"
#include "db.h"
#include "due_levels.h"
#include "events.h"
#include "monitor_ingest.h"
#include "report_window.h"
#include "workcal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t occurrence_id, task_id;
    date_t old_due;            /* the effective date before */
    date_t nominal, effective; /* after (ignored when removed) */
    const char *label;         /* after; NULL keeps the label and data window */
    bool windowed;             /* with label: the report's data window after */
    report_window_t window;
    due_level_t level; /* before */
    int acked_level;
    int soon_days; /* the plan's due-soon days; < 0: the service's default */
    bool removed;  /* the new deadline has no such occurrence: cancel it */
    /* For the event (borrowed): */
    const char *plan_number, *plan_unit, *title;
    const char *lead; /* PostgreSQL array literal: "{A,B}" */
} monitor_move_t;

/* Applies moves[0..n) at instant now: updates the occurrences (a deadline
 * change also clears their acknowledgements: the new date is a new
 * obligation) and appends one DueRecomputed event each with `reason`
 * ("calendar", "deadline_changed"). Returns 0 (*last_event set to the last
 * event's sequence number when n > 0), or -1 (the caller rolls back). */
int monitor_moves_apply(db_t *db, const workcal_t *cal, const due_policy_t *policy, int64_t now,
                        const monitor_move_t *moves, size_t n, const char *reason,
                        int64_t *last_event);

/* TaskRescheduled (an events_handler_fn's work; arg of the ingest): the
 * task's new deadline text is read with the service's calendar. Its i-th due
 * date moves the task's i-th occurrence (reason deadline_changed); due
 * occurrences the new schedule no longer has are removed (cancelled, with
 * their event); new ones are created at their level now; the stale watch
 * follows (opened for a continuous task, cancelled otherwise); an event
 * phrase without dates makes the task wait again. A done or cancelled task
 * only keeps the new text. Done occurrences never change. */
int monitor_task_rescheduled(db_t *db, monitor_ingest_t *in, const event_t *event);

/* The policy for a plan: base with its due-soon days when soon_days >= 0. */
due_policy_t monitor_policy_for(const due_policy_t *base, int soon_days);

/* A due-soon-days cell of a query ("" or NULL: -1, the default). */
int monitor_soon_days_cell(const char *cell);

#endif
