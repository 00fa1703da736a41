/* monitor_closed.h - OccurrenceClosed: occurrences done or cancelled, as events
 *
 * The statements that close occurrences (monitor_ingest.c) return the rows
 * they closed, in the columns below; monitor_closed_emit turns every due one
 * (a stale watch has no outcome and is skipped) into an OccurrenceClosed
 * event with one events_append_batch, inside the caller's transaction, so
 * the event exists exactly when the occurrence's new state does.
 *
 * MONITOR_CLOSED_RETURNING is the RETURNING list an UPDATE of
 * deadline.occurrence must end with; wrap it with MONITOR_CLOSED_SQL to join
 * the task's plan and lead units.
 */
#ifndef PARTRACK_MONITOR_CLOSED_H
#define PARTRACK_MONITOR_CLOSED_H

#include "db.h"

#include <stdint.h>

#define MONITOR_CLOSED_RETURNING                                                                   \
    " RETURNING id, task_id, seq, kind, state, outcome, to_char(completed_at AT TIME ZONE "        \
    "'Asia/Ho_Chi_Minh', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+07:00\"'), effective::text"

/* "WITH c AS (update) SELECT c.*, plan_number, plan_unit, lead, year ...":
 * the rows monitor_closed_emit reads. */
#define MONITOR_CLOSED_SQL(update)                                                                 \
    "WITH c AS (" update MONITOR_CLOSED_RETURNING ") SELECT c.*, t.plan_number, t.plan_unit, "     \
    "t.lead::text, t.year FROM c JOIN deadline.task t ON t.task_id = c.task_id ORDER BY c.id"

/* Appends one OccurrenceClosed per due row of `closed` (a MONITOR_CLOSED_SQL
 * result; not cleared). *last_event gets the last sequence number written
 * when any was. Returns the number of events, or -1 (the caller rolls
 * back). */
int monitor_closed_emit(db_t *db, const PGresult *closed, int64_t *last_event);

#endif
