/* fuzz_support.c - the invariant check and calendar of the fuzzing
 * harnesses (see fuzz_support.h) */
#include "fuzz_support.h"

#include <stdio.h>
#include <stdlib.h>

void fuzz_check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "invariant broken: %s\n", what);
        abort();
    }
}

workcal_t *fuzz_calendar_load(const char *name)
{
    char err[256];
    const char *path = getenv("PARTRACK_CALENDAR_FILE");
#ifdef FUZZ_CALENDAR_FILE
    if (!path)
        path = FUZZ_CALENDAR_FILE;
#endif
    workcal_t *cal = path ? workcal_load(path, err, sizeof err) : workcal_new_statutory();
    if (!cal) {
        fprintf(stderr, "%s: %s\n", name, path ? err : "out of memory");
        abort();
    }
    return cal;
}
