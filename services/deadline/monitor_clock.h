/* monitor_clock.h - the deadline service's notion of now
 *
 * Real time, or a manual clock kept in deadline.clock (PARTRACK_DEADLINE_CLOCK
 * =manual) that only moves when told: tests and drills run every transition
 * deterministically, and the manual time survives a restart like real time
 * does, so "the service was down for two days" is a test.
 */
#ifndef PARTRACK_MONITOR_CLOCK_H
#define PARTRACK_MONITOR_CLOCK_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool manual;
} monitor_clock_t;

/* Now, in seconds since the epoch. For a manual clock, the stored time (the
 * real time when it was never set). Returns 0, or -1 on a database failure. */
int monitor_clock_now(const monitor_clock_t *clock, db_t *db, int64_t *now);

/* Sets the manual clock. Returns 0, or -1 on a database failure. */
int monitor_clock_set(db_t *db, int64_t now);

#endif
