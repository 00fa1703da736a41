/* notify_ingest.h - the other services' events, as feed entries
 *
 * Who hears what (DESIGN.md "Escalation"; recipients from the registry's
 * documented views registry.units and registry.people):
 *   due_soon    everyone of the lead units (the unit is reminded)
 *   due         the lead units' heads
 *   overdue     the lead units' heads
 *   escalated   the heads of the lead units' parent units
 *   stale       the lead units' heads
 *   DueRecomputed (moved or removed)   the lead units' heads
 *   ConsultationDeemedAgreed           the heads of both units
 *   TaskAssigned (a new task, or one handed on by a merge)  the lead units' heads
 *   TaskUpdated that changes the status (done, cancelled, reopened)
 *               the lead units' heads, once per update; progress alone is
 *               not news
 * and, for all of them, the people who follow one of the units concerned.
 * One entry per person and subject (dedupe): a person who is both head and
 * follower gets it once; an occurrence's level is told once per person.
 * Runs in the consumer's transaction (events_consume).
 */
#ifndef PARTRACK_NOTIFY_INGEST_H
#define PARTRACK_NOTIFY_INGEST_H

#include "db.h"
#include "events.h"

typedef struct {
    const char *producer; /* "deadline" or "registry": set before consuming */
    long written;         /* out: entries written */
} notify_ingest_t;

/* An events_handler_fn; arg is a notify_ingest_t. */
int notify_ingest_event(db_t *db, const event_t *event, void *arg);

#endif
