/* monitor_calendar.c - the official calendar the deadline service runs on
 * (see the header)
 *
 * An occurrence's effective date is its nominal date moved to the next
 * working day; only that step depends on the calendar, so recomputing is
 * workcal_next_workday of each open occurrence's nominal date. (A period in
 * working days counted from a triggered event is not counted again.)
 */
#include "monitor_calendar.h"

#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int monitor_calendar_stored(db_t *db, workcal_t **cal, char *errbuf, size_t errlen)
{
    db_status_t st;
    PGresult *res = db_exec(db, "SELECT document, name FROM deadline.calendar", 0, NULL, &st);
    if (!res) {
        snprintf(errbuf, errlen, "%s", db_error(db));
        return -1;
    }
    int rc = 0;
    if (PQntuples(res) == 1) {
        const char *doc = PQgetvalue(res, 0, 0);
        *cal = workcal_load_text(doc, strlen(doc), PQgetvalue(res, 0, 1), errbuf, errlen);
        rc = *cal ? 1 : -1;
    }
    PQclear(res);
    return rc;
}

static uint8_t *pack_moved(PGresult *res, int r, date_t old_due, date_t new_due, due_level_t level,
                           size_t *len)
{
    Partrack__DueRecomputed ev = PARTRACK__DUE_RECOMPUTED__INIT;
    char old_text[11], new_text[11];
    date_format_iso(old_due, old_text);
    date_format_iso(new_due, new_text);
    ev.occurrence_id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
    ev.task_id = strtoll(PQgetvalue(res, r, 1), NULL, 10);
    ev.old_due_date = old_text;
    ev.new_due_date = new_text;
    ev.level = (char *)due_level_name(level);
    ev.plan_number = PQgetvalue(res, r, 5);
    ev.plan_unit = PQgetvalue(res, r, 6);
    ev.title = PQgetvalue(res, r, 7);
    ev.lead = db_array_words(PQgetvalue(res, r, 8), &ev.n_lead);
    uint8_t *buf = NULL;
    if (ev.lead) {
        *len = partrack__due_recomputed__get_packed_size(&ev);
        if ((buf = malloc(*len ? *len : 1)))
            partrack__due_recomputed__pack(&ev, buf);
    }
    free(ev.lead);
    return buf;
}

int monitor_calendar_apply(db_t *db, const char *name, const uint8_t *document, size_t len,
                           const workcal_t *cal, const due_policy_t *policy, int64_t now,
                           Partrack__CalendarImportReply *reply, int64_t *last_event)
{
    char *doc = malloc(len + 1);
    if (!doc)
        return -1;
    memcpy(doc, document, len);
    doc[len] = '\0';
    const char *p1[] = {doc, name};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "INSERT INTO deadline.calendar (document, name) VALUES ($1, $2) ON "
                            "CONFLICT (only_row) DO UPDATE SET document = EXCLUDED.document, name "
                            "= EXCLUDED.name, imported_at = now()",
                            2, p1, &st);
    free(doc);
    if (!res)
        return -1;
    PQclear(res);
    res = db_exec(db,
                  "SELECT o.id, o.task_id, o.nominal - DATE '1970-01-01', o.effective - DATE "
                  "'1970-01-01', o.acked_level, t.plan_number, t.plan_unit, t.title, t.lead::text "
                  "FROM deadline.occurrence o JOIN deadline.task t ON t.task_id = o.task_id "
                  "WHERE o.kind = 'due' AND o.state = 'open' AND o.nominal IS NOT NULL "
                  "ORDER BY o.id FOR UPDATE OF o",
                  0, NULL, &st);
    if (!res)
        return -1;
    int n = PQntuples(res);
    reply->checked = (uint32_t)n;
    db_column_t cols[5] = {0};
    char(*text)[5][24] = calloc((size_t)n + 1, sizeof *text);
    const char **types = calloc((size_t)n + 1, sizeof *types);
    const char **units = calloc((size_t)n + 1, sizeof *units);
    uint8_t **payloads = calloc((size_t)n + 1, sizeof *payloads);
    size_t *lens = calloc((size_t)n + 1, sizeof *lens);
    size_t moved = 0;
    int rc = -1;
    if (!text || !types || !units || !payloads || !lens)
        goto done;
    for (int r = 0; r < n; r++) {
        date_t nominal = (date_t)atol(PQgetvalue(res, r, 2));
        date_t old_due = (date_t)atol(PQgetvalue(res, r, 3));
        date_t new_due = workcal_next_workday(cal, nominal);
        if (new_due == old_due)
            continue;
        int64_t at[DUE_LEVELS], next_at = 0;
        due_level_instants(cal, new_due, policy, at);
        due_level_t level = due_level_at(at, now), next = DUE_LONG_TERM;
        bool more = due_next(at, level, atoi(PQgetvalue(res, r, 4)), &next, &next_at);
        snprintf(text[moved][0], 24, "%s", PQgetvalue(res, r, 0));
        snprintf(text[moved][1], 24, "%d", (int)new_due);
        snprintf(text[moved][2], 24, "%d", (int)level);
        snprintf(text[moved][3], 24, "%d", (int)next);
        snprintf(text[moved][4], 24, "%lld", (long long)next_at);
        const char *vals[5] = {text[moved][0], text[moved][1], text[moved][2],
                               more ? text[moved][3] : NULL, more ? text[moved][4] : NULL};
        for (int c = 0; c < 5; c++)
            if (db_column_push(&cols[c], vals[c]) < 0)
                goto done;
        types[moved] = "DueRecomputed";
        units[moved] = PQgetvalue(res, r, 6);
        if (!(payloads[moved] = pack_moved(res, r, old_due, new_due, level, &lens[moved])))
            goto done;
        moved++;
    }
    if (moved > 0) {
        PGresult *up = db_exec_columns(
            db,
            "UPDATE deadline.occurrence o SET effective = DATE '1970-01-01' + u.e, level = u.l, "
            "next_level = u.nl, next_at = to_timestamp(u.na) FROM unnest($1::bigint[], "
            "$2::int[], $3::smallint[], $4::smallint[], $5::bigint[]) AS u(id, e, l, nl, na) "
            "WHERE o.id = u.id",
            cols, 5, &st);
        if (!up)
            goto done;
        PQclear(up);
        int64_t first;
        if (events_append_batch(db, "deadline", moved, types, units,
                                (const uint8_t *const *)payloads, lens, &first) < 0)
            goto done;
        *last_event = first + (int64_t)moved - 1;
    }
    reply->moved = (uint32_t)moved;
    rc = 0;
done:
    for (size_t i = 0; payloads && i < moved; i++)
        free(payloads[i]);
    free(payloads);
    free(types);
    free(units);
    free(lens);
    free(text);
    db_columns_free(cols, 5);
    PQclear(res);
    return rc;
}
