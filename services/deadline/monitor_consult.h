/* monitor_consult.h - consultations deemed agreed at their deadline
 *
 * ConsultationRequested (from the registry) starts watching a consultation
 * until 24:00 of its effective due date; ConsultationAnswered before then
 * stops it. At the deadline an open one becomes deemed_agreed with a
 * ConsultationDeemedAgreed event naming both units, in one transaction, so
 * each is announced exactly once (a late answer changes nothing here).
 */
#ifndef PARTRACK_MONITOR_CONSULT_H
#define PARTRACK_MONITOR_CONSULT_H

#include "db.h"
#include "events.h"

#include <stddef.h>
#include <stdint.h>

/* Applies a Consultation* event inside the consumer's transaction; other
 * types are ignored. Returns 0, or -1 (roll back). */
int monitor_consult_ingest(db_t *db, const event_t *event);

/* Deems agreed every open consultation whose deadline passed by now, in
 * batches, each one transaction. Returns 0 with the count in *deemed and the
 * last event's sequence number in *last_event (unchanged if none), or -1. */
int monitor_consult_sweep(db_t *db, int64_t now, int batch, size_t *deemed, int64_t *last_event);

#endif
