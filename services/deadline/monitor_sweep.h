/* monitor_sweep.h - moving occurrences to the levels they have reached
 *
 * A sweep takes, in batches, the open occurrences whose next transition
 * instant has passed (the partial index on next_at: an idle sweep reads
 * nothing), records each transition once (monitor_transition.h), and sets
 * the occurrence's next level and instant, all in one transaction a batch.
 * An occurrence several levels behind (the service was down) goes through
 * every level it reached in the same batch, and the batch's transitions are
 * recorded in the order they fell due, so the missed ones come out once
 * each, in due order (within a batch of PARTRACK_DEADLINE_BATCH
 * occurrences; batches follow each other by their first missed instant).
 * Rows are taken FOR UPDATE SKIP LOCKED: several instances share the work
 * without doing any twice.
 */
#ifndef PARTRACK_MONITOR_SWEEP_H
#define PARTRACK_MONITOR_SWEEP_H

#include "db.h"
#include "due_levels.h"
#include "workcal.h"

#include <stddef.h>
#include <stdint.h>

/* Sweeps up to instant now. Returns 0 with the number of transitions
 * written in *transitions and the last event's sequence number in
 * *last_event (unchanged if none), or -1 on a database failure (batches
 * already committed stay). */
int monitor_sweep(db_t *db, const workcal_t *cal, const due_policy_t *policy, int64_t now,
                  int batch, size_t *transitions, int64_t *last_event);

#endif
