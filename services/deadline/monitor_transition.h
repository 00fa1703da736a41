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
    /* The report chain's next deadline this one feeds (threat_occurrence 0:
     * none); told from the level due on. */
    int64_t threat_occurrence, threat_task;
    const char *threat_plan, *threat_ordinal, *threat_title;
    date_t threat_due;
} monitor_step_t;

/* The report chain's next open deadline an occurrence `o` (of task `t`)
 * feeds, as columns threat id, task, plan, ordinal, title, due (days since
 * 1970-01-01), all NULL when there is none: put MONITOR_THREAT_COLUMNS in
 * the select list and MONITOR_THREAT_JOIN after the FROM's joins. The feeds
 * are read first and the fed task's occurrences by task: an occurrence
 * without feeds costs one index probe, whatever the table's size. */
#define MONITOR_THREAT_COLUMNS                                                                     \
    "th.id, th.task_id, th.plan_number, th.ordinal, th.title, th.effective - DATE '1970-01-01' "
#define MONITOR_THREAT_JOIN                                                                        \
    "LEFT JOIN LATERAL (SELECT o2.id, o2.task_id, t2.plan_number, t2.ordinal, t2.title, "          \
    "o2.effective FROM deadline.task_feed f CROSS JOIN LATERAL (SELECT n.id, n.task_id, "          \
    "n.effective FROM deadline.occurrence n WHERE n.task_id = f.into_task_id AND n.kind = 'due' "  \
    "AND n.state = 'open' AND n.effective >= o.effective ORDER BY n.effective, n.id LIMIT 1) o2 "  \
    "JOIN deadline.task t2 ON t2.task_id = o2.task_id WHERE f.task_id = o.task_id ORDER BY "       \
    "o2.effective, o2.id LIMIT 1) th ON true "

/* Records steps[0..n) inside the caller's transaction. Returns 0 with the
 * number of new steps in *recorded and the last event's sequence number in
 * *last_event (unchanged if none), or -1 (the caller rolls back). */
int monitor_steps_record(db_t *db, const monitor_step_t *steps, size_t n, size_t *recorded,
                         int64_t *last_event);

#endif
