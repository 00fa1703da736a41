/* monitor_closed.c - OccurrenceClosed: occurrences done or cancelled, as events
 * (see the header)
 */
#include "monitor_closed.h"

#include "deadline.pb-c.h"
#include "events.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    C_ID,
    C_TASK,
    C_SEQ,
    C_KIND,
    C_STATE,
    C_OUTCOME,
    C_COMPLETED,
    C_DUE,
    C_PLAN_NUMBER,
    C_PLAN_UNIT,
    C_LEAD,
    C_YEAR
};

static const char *cell(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* One row's event, packed; caller frees. *unit gets the first lead code (a
 * copy, or NULL). */
static uint8_t *pack_row(const PGresult *res, int row, size_t *len, char **unit)
{
    Partrack__OccurrenceClosed ev = PARTRACK__OCCURRENCE_CLOSED__INIT;
    ev.occurrence_id = strtoll(cell(res, row, C_ID), NULL, 10);
    ev.task_id = strtoll(cell(res, row, C_TASK), NULL, 10);
    ev.plan_number = (char *)cell(res, row, C_PLAN_NUMBER);
    ev.plan_unit = (char *)cell(res, row, C_PLAN_UNIT);
    bool cancelled = strcmp(cell(res, row, C_STATE), "cancelled") == 0;
    const char *outcome = cell(res, row, C_OUTCOME);
    ev.outcome = (char *)(cancelled ? "cancelled" : outcome ? outcome : "late");
    ev.completed_at = cancelled ? NULL : (char *)cell(res, row, C_COMPLETED);
    ev.due_date = (char *)cell(res, row, C_DUE);
    ev.has_year = 1;
    ev.year = atoi(cell(res, row, C_YEAR));
    ev.has_seq = 1;
    ev.seq = atoi(cell(res, row, C_SEQ));
    const char *lead = cell(res, row, C_LEAD);
    ev.lead = db_array_words(lead ? lead : "{}", &ev.n_lead);
    uint8_t *buf = NULL;
    *unit = NULL;
    if (ev.lead) {
        *len = partrack__occurrence_closed__get_packed_size(&ev);
        buf = malloc(*len ? *len : 1);
        if (buf)
            partrack__occurrence_closed__pack(&ev, buf);
        if (buf && ev.n_lead && !(*unit = strdup(ev.lead[0]))) {
            free(buf);
            buf = NULL;
        }
    }
    free(ev.lead);
    return buf;
}

int monitor_closed_emit(db_t *db, const PGresult *closed, int64_t *last_event)
{
    int rows = PQntuples(closed), rc = -1;
    size_t n = 0;
    const char **types = calloc((size_t)rows + 1, sizeof *types);
    char **units = calloc((size_t)rows + 1, sizeof *units);
    uint8_t **payloads = calloc((size_t)rows + 1, sizeof *payloads);
    size_t *lens = calloc((size_t)rows + 1, sizeof *lens);
    if (!types || !units || !payloads || !lens)
        goto done;
    for (int i = 0; i < rows; i++) {
        if (strcmp(cell(closed, i, C_KIND), "due") != 0)
            continue; /* a stale watch: no due date, no outcome */
        types[n] = "OccurrenceClosed";
        if (!(payloads[n] = pack_row(closed, i, &lens[n], &units[n])))
            goto done;
        n++;
    }
    int64_t first = 0;
    if (n && events_append_batch(db, "deadline", n, types, (const char *const *)units,
                                 (const uint8_t *const *)payloads, lens, &first) < 0)
        goto done;
    if (n)
        *last_event = first + (int64_t)n - 1;
    rc = (int)n;
done:
    /* Index n is NULL or what a failed row left: the arrays have rows + 1. */
    for (size_t i = 0; units && payloads && i <= n; i++) {
        free(units[i]);
        free(payloads[i]);
    }
    free(types);
    free(units);
    free(payloads);
    free(lens);
    return rc;
}
