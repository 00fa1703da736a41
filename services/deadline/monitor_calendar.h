/* monitor_calendar.h - the official calendar the deadline service runs on
 *
 * The service starts on the shipped calendar data; `partrack calendar import
 * FILE` gives it the year's official decisions (a holiday moved, a working
 * Saturday announced). The document is stored in deadline.calendar, so it
 * survives restarts, and every open occurrence whose effective due date the
 * new calendar moves is recomputed: its due date, its level now (which may
 * go down: a due date pushed later is not overdue any more) and its next
 * step, with a DueRecomputed event. Transitions already written stay; the
 * moved due date reaches its levels again at its new instants.
 */
#ifndef PARTRACK_MONITOR_CALENDAR_H
#define PARTRACK_MONITOR_CALENDAR_H

#include "db.h"
#include "deadline.pb-c.h"
#include "due_levels.h"
#include "workcal.h"

#include <stddef.h>
#include <stdint.h>

/* The stored calendar, if one was imported: 1 and *cal set (caller
 * destroys), 0 if none, -1 on a database failure or a stored document that
 * no longer reads (reason in errbuf). */
int monitor_calendar_stored(db_t *db, workcal_t **cal, char *errbuf, size_t errlen);

/* Inside the caller's transaction: stores the document (already read into
 * `cal`) and recomputes the open occurrences with it at instant now. Fills
 * reply's checked and moved. Returns 0, or -1 (the caller rolls back). */
int monitor_calendar_apply(db_t *db, const char *name, const uint8_t *document, size_t len,
                           const workcal_t *cal, const due_policy_t *policy, int64_t now,
                           Partrack__CalendarImportReply *reply, int64_t *last_event);

#endif
