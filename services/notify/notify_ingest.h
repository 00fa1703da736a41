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
 *   ScorePublished (a unit's score locked, or moved past the threshold)
 *               the unit's head; a lock is told once, each move once
 * and, for all of them, the people who follow one of the units concerned.
 * One entry per person and subject (dedupe): a person who is both head and
 * follower gets it once; an occurrence's level is told once per person.
 *
 * A batch at a time (events_consume_flushed): notify_ingest_event gathers
 * each event's entries, asking who hears it and what the unit is called once
 * per batch (notify_directory.h); notify_ingest_flush writes the batch's
 * entries with one append (notify_batch.h) in the consumer's transaction,
 * before the cursor moves.
 */
#ifndef PARTRACK_NOTIFY_INGEST_H
#define PARTRACK_NOTIFY_INGEST_H

#include "db.h"
#include "events.h"

typedef struct notify_ingest notify_ingest_t;

/* The consumer of one producer's events: "deadline" or "registry"
 * (borrowed: it must outlive the consumer). NULL when out of memory.
 * Destroy with notify_ingest_destroy. */
notify_ingest_t *notify_ingest_new(const char *producer);
void notify_ingest_destroy(notify_ingest_t **self_p);

/* An events_handler_fn; arg is a notify_ingest_t. Gathers the event's
 * entries; -1 when the database failed or out of memory. */
int notify_ingest_event(db_t *db, const event_t *event, void *arg);

/* An events_flush_fn; arg is a notify_ingest_t. Writes the entries
 * gathered and forgets the batch's lookups; -1 when the database failed. */
int notify_ingest_flush(db_t *db, void *arg);

/* Forgets the entries gathered and the lookups: after the batch was rolled
 * back (events_consume_flushed returned -1). */
void notify_ingest_discard(notify_ingest_t *self);

/* The entries the last flush wrote (0 after a discard). */
long notify_ingest_written(const notify_ingest_t *self);

#endif
