/* fuzz_support.h - what every fuzzing harness of tests/fuzz shares
 *
 * An invariant a harness checks aborts when broken (libFuzzer reports it as
 * a crash, the corpus replay as a failure), and the harnesses that schedule
 * dates read the same working-day calendar.
 */
#ifndef PARTRACK_FUZZ_SUPPORT_H
#define PARTRACK_FUZZ_SUPPORT_H

#include "workcal.h"

/* Aborts with "invariant broken: WHAT" on stderr unless ok. */
void fuzz_check(int ok, const char *what);

/* The calendar harness `name` reads dates with: $PARTRACK_CALENDAR_FILE,
 * else the shipped data file (FUZZ_CALENDAR_FILE, set by
 * tests/fuzz/CMakeLists.txt), else the statutory rules. A calendar named but
 * unreadable would weaken every check, so it aborts with the reason. Owned
 * by the caller (kept for the process's life by the harnesses). */
workcal_t *fuzz_calendar_load(const char *name);

#endif
