/* monitor_ingest.h - the registry's events, as the deadline service sees them
 *
 * TaskAssigned: a new task's deadline text is read with the service's
 * calendar (deadline_parse) into due occurrences, each at the level it has
 * now (a task imported three days before its due date starts due soon, with
 * that one transition; missed earlier levels of a new task are not
 * replayed); a continuous task gets a stale watch; an event task waits. A
 * reassigned task only changes its units.
 * TaskUpdated: done closes the open occurrences, on time or late by the
 * completion time the update reports against each due instant; cancelled
 * cancels them; a completion time on an open task closes its earliest open
 * occurrence (one period of a recurring task); any update restarts the stale
 * watch. Every due occurrence closed (done or cancelled) is an
 * OccurrenceClosed event in the same transaction (monitor_closed.h).
 * PlanIssued replacing a plan: the old plan's open occurrences are cancelled.
 * TaskTriggered: a waiting task gets its one due occurrence, the period its
 * phrase gives counted from the event (due_after_event), or the event's day.
 * TaskFeeds: a report chain's link, kept for the threats a late link poses.
 * TaskRescheduled: the task's occurrences follow its new deadline
 * (monitor_reschedule.h).
 * A task takes its plan's due-soon days (monitor_policy.h) when it arrives.
 * Consultation events go to monitor_consult.h.
 * Everything happens in the consumer's transaction (events_consume).
 */
#ifndef PARTRACK_MONITOR_INGEST_H
#define PARTRACK_MONITOR_INGEST_H

#include "db.h"
#include "due_levels.h"
#include "events.h"
#include "workcal.h"

#include <stdint.h>

typedef struct {
    const workcal_t *cal;
    due_policy_t policy;
    int64_t now;        /* the service's clock when the batch started */
    int64_t last_event; /* out: the last event written (0: none) */
    size_t transitions; /* out: how many were written */
} monitor_ingest_t;

/* An events_handler_fn; arg is a monitor_ingest_t. */
int monitor_ingest_event(db_t *db, const event_t *event, void *arg);

#endif
