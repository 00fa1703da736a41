/* fuzz_deadline.c - libFuzzer harness for the deadline phrase parser
 *
 * Each input is a phrase (any bytes) read for each plan year 2023-2026
 * (leap years, Tết on other dates, weekends falling elsewhere). Beyond "no crash, no leak, no
 * undefined behaviour" (the sanitizers), it checks what every schedule must satisfy: an unparsed
 * one has a reason and nothing else; a parsed one has parts; every effective due date is a working
 * day, the next working day on or after its nominal date; due dates are in order with no nominal
 * date twice; a window does not end before it starts; the text is kept byte for byte; the JSON can
 * be made. A broken invariant aborts, which libFuzzer reports as a crash.
 *
 * The calendar is $PARTRACK_CALENDAR_FILE, else the shipped data file
 * (FUZZ_CALENDAR_FILE, set by tests/fuzz/CMakeLists.txt), else the
 * statutory rules; one named but unreadable stops the harness. The unit tests replay the corpus
 * (unit.fuzz_replay_deadline).
 */
#include "deadline.h"
#include "deadline_json.h"
#include "fuzz_support.h"
#include "workcal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static workcal_t *fuzz_cal;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_cal = fuzz_calendar_load("fuzz_deadline");
    return 0;
}

static void check_year(const uint8_t *data, size_t size, int year)
{
    char err[256];
    deadline_t *d = deadline_parse_bytes((const char *)data, size, year, fuzz_cal, err, sizeof err);
    fuzz_check(d != NULL, "deadline_parse_bytes returned NULL");
    fuzz_check(memcmp(d->text, data, size) == 0 && d->text[size] == '\0', "text kept verbatim");
    if (d->unparsed) {
        fuzz_check(d->kind == DEADLINE_UNPARSED, "unparsed kind");
        fuzz_check(d->reason != NULL, "unparsed has a reason");
        fuzz_check(d->ndue == 0 && d->nrecurrences == 0 && d->nparts == 0, "unparsed has no dates");
        fuzz_check(!d->has_window && !d->event_text, "unparsed has no window or event");
    } else {
        fuzz_check(d->nparts > 0 && d->kind == d->parts[0], "parsed has parts");
        fuzz_check(d->reason == NULL, "parsed has no reason");
    }
    for (size_t k = 0; k < d->ndue; k++) {
        const deadline_due_t *x = &d->due[k];
        fuzz_check(workcal_is_workday(fuzz_cal, x->effective), "effective date is a working day");
        fuzz_check(x->effective >= x->nominal, "effective not before nominal");
        fuzz_check(x->effective == workcal_next_workday(fuzz_cal, x->nominal),
                   "effective is the next working day");
        if (k > 0) {
            const deadline_due_t *p = &d->due[k - 1];
            fuzz_check(p->effective <= x->effective, "due sorted by effective date");
            fuzz_check(p->nominal != x->nominal, "no nominal date twice");
        }
        char label[96];
        deadline_due_label(d, x, label, sizeof label);
    }
    if (d->has_window)
        fuzz_check(d->window_start <= d->window_end, "window in order");
    if (d->expected != DATE_INVALID)
        fuzz_check(workcal_is_workday(fuzz_cal, d->expected), "expected date is a working day");
    json_t *j = deadline_to_json(d);
    fuzz_check(j != NULL, "JSON made");
    char *s = json_dumps(j, 0);
    fuzz_check(s != NULL, "JSON dumped");
    free(s);
    json_decref(j);
    deadline_destroy(&d);
    fuzz_check(d == NULL, "destroy clears the pointer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int year = 2023; year <= 2026; year++)
        check_year(data, size, year);
    return 0;
}
