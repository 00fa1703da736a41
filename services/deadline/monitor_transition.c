/* monitor_transition.c - recording that occurrences reached a level, once
 *
 * One INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING
 * tells which steps are new; their events go in one events_append_batch.
 */
#include "monitor_transition.h"

#include "deadline.pb-c.h"
#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *pack_step(const monitor_step_t *s, size_t *len)
{
    Partrack__DueTransition ev = PARTRACK__DUE_TRANSITION__INIT;
    char at[32], due[11], nominal[11];
    ev.occurrence_id = s->occurrence_id;
    ev.task_id = s->task_id;
    ev.level = (char *)due_level_name(s->level);
    due_format_instant(s->at, at);
    ev.at = at;
    ev.plan_number = (char *)s->plan_number;
    ev.plan_unit = (char *)s->plan_unit;
    ev.title = (char *)s->title;
    ev.ordinal = (char *)s->ordinal;
    ev.label = (char *)s->label;
    if (s->effective != DATE_INVALID) {
        date_format_iso(s->effective, due);
        ev.due_date = due;
    }
    if (s->nominal != DATE_INVALID) {
        date_format_iso(s->nominal, nominal);
        ev.nominal_date = nominal;
    }
    if (s->level >= DUE_OVERDUE && s->level <= DUE_ESCALATED) {
        ev.has_workdays_overdue = 1;
        ev.workdays_overdue = s->workdays_overdue;
    }
    Partrack__Threatened threat = PARTRACK__THREATENED__INIT;
    char threat_due[11];
    if (s->threat_occurrence && s->level >= DUE_DUE && s->level <= DUE_ESCALATED) {
        threat.occurrence_id = s->threat_occurrence;
        threat.task_id = s->threat_task;
        threat.plan_number = (char *)s->threat_plan;
        threat.ordinal = (char *)s->threat_ordinal;
        threat.title = (char *)s->threat_title;
        date_format_iso(s->threat_due, threat_due);
        threat.due_date = threat_due;
        ev.threatens = &threat;
    }
    ev.lead = db_array_words(s->lead ? s->lead : "{}", &ev.n_lead);
    uint8_t *buf = NULL;
    if (ev.lead) {
        *len = partrack__due_transition__get_packed_size(&ev);
        buf = malloc(*len ? *len : 1);
        if (buf)
            partrack__due_transition__pack(&ev, buf);
    }
    free(ev.lead);
    return buf;
}

/* The first lead code, for the event's unit column. */
static char *first_lead(const char *literal)
{
    size_t n;
    char **codes = db_array_words(literal ? literal : "{}", &n);
    char *first = codes && n ? strdup(codes[0]) : NULL;
    free(codes);
    return first;
}

typedef struct {
    int64_t occurrence_id;
    int level;
    int64_t at;
} step_key_t;

static int key_cmp(const void *a, const void *b)
{
    const step_key_t *x = a, *y = b;
    if (x->occurrence_id != y->occurrence_id)
        return x->occurrence_id < y->occurrence_id ? -1 : 1;
    if (x->level != y->level)
        return x->level < y->level ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

int monitor_steps_record(db_t *db, const monitor_step_t *steps, size_t n, size_t *recorded,
                         int64_t *last_event)
{
    *recorded = 0;
    if (n == 0)
        return 0;
    db_column_t cols[3] = {0};
    char(*text)[3][24] = calloc(n, sizeof *text);
    int rc = -1;
    PGresult *res = NULL;
    if (!text)
        goto done;
    for (size_t i = 0; i < n; i++) {
        snprintf(text[i][0], 24, "%lld", (long long)steps[i].occurrence_id);
        snprintf(text[i][1], 24, "%d", (int)steps[i].level);
        snprintf(text[i][2], 24, "%lld", (long long)steps[i].at);
        for (int c = 0; c < 3; c++)
            if (db_column_push(&cols[c], text[i][c]) < 0)
                goto done;
    }
    db_status_t st;
    res = db_exec_columns(db,
                          "INSERT INTO deadline.transition (occurrence_id, level, at) "
                          "SELECT o, l, to_timestamp(a) FROM unnest($1::bigint[], $2::smallint[], "
                          "$3::bigint[]) AS u(o, l, a) ON CONFLICT DO NOTHING "
                          "RETURNING occurrence_id, level, floor(extract(epoch FROM at))::bigint",
                          cols, 3, &st);
    if (!res)
        goto done;
    size_t fresh = (size_t)PQntuples(res);
    if (fresh == 0) {
        rc = 0;
        goto done;
    }
    step_key_t *keys = calloc(fresh, sizeof *keys);
    if (!keys)
        goto done;
    for (size_t r = 0; r < fresh; r++) {
        keys[r].occurrence_id = strtoll(PQgetvalue(res, (int)r, 0), NULL, 10);
        keys[r].level = atoi(PQgetvalue(res, (int)r, 1));
        keys[r].at = strtoll(PQgetvalue(res, (int)r, 2), NULL, 10);
    }
    qsort(keys, fresh, sizeof *keys, key_cmp);
    const char **types = calloc(fresh, sizeof *types);
    char **units = calloc(fresh, sizeof *units);
    uint8_t **payloads = calloc(fresh, sizeof *payloads);
    size_t *lens = calloc(fresh, sizeof *lens);
    size_t k = 0;
    bool ok = types && units && payloads && lens;
    /* Events in the order of the steps given (the caller's due order). */
    for (size_t i = 0; ok && i < n; i++) {
        step_key_t want = {steps[i].occurrence_id, (int)steps[i].level, steps[i].at};
        if (!bsearch(&want, keys, fresh, sizeof *keys, key_cmp) || k == fresh)
            continue;
        types[k] = "DueTransition";
        units[k] = first_lead(steps[i].lead);
        payloads[k] = pack_step(&steps[i], &lens[k]);
        ok = payloads[k] != NULL;
        k++;
    }
    int64_t first;
    if (ok && events_append_batch(db, "deadline", k, types, (const char *const *)units,
                                  (const uint8_t *const *)payloads, lens, &first) == 0) {
        *recorded = k;
        if (k)
            *last_event = first + (int64_t)k - 1;
        rc = 0;
    }
    for (size_t i = 0; i < k; i++) {
        free(units[i]);
        free(payloads[i]);
    }
    free(types);
    free(units);
    free(payloads);
    free(lens);
    free(keys);
done:
    PQclear(res);
    db_columns_free(cols, 3);
    free(text);
    return rc;
}
