/* scoring_ingest.h - the registry's events, as facts
 *
 * MeasurementRecorded (events.proto): a publisher's measurement for a unit,
 * indicator and period. A yearly period ("2023") sets the measurement of
 * that code in the unit-year's facts: the value, or without one the
 * numerator ÷ denominator × 100 (a %). Quarterly and monthly periods are
 * not scores' business and are skipped. The change is audited (actor
 * "registry:PUBLISHER", evidence "measurement ID") and the unit alone is
 * recomputed. A measurement for a locked unit-year, an unknown unit or one
 * the schemes cannot take (a negative value) is logged and skipped: a bad
 * event must not stop the stream.
 * Runs in the consumer's transaction (events_consume).
 */
#ifndef PARTRACK_SCORING_INGEST_H
#define PARTRACK_SCORING_INGEST_H

#include "events.h"
#include "scoring_engine.h"

typedef struct {
    scoring_engine_t *engine;
    long recomputed; /* out: units recomputed */
} scoring_ingest_t;

/* An events_handler_fn; arg is a scoring_ingest_t. */
int scoring_ingest_event(db_t *db, const event_t *event, void *arg);

#endif
