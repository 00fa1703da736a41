/* monitor_calendar.c - the official calendar the deadline service runs on
 * (see the header)
 *
 * An occurrence's effective date is its nominal date moved to the next
 * working day; only that step depends on the calendar, so recomputing is
 * workcal_next_workday of each open occurrence's nominal date; the moves go
 * through monitor_reschedule.h. (A period in working days counted from a
 * triggered event is not counted again.)
 */
#include "monitor_calendar.h"

#include "monitor_reschedule.h"

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
                  "'1970-01-01', o.level, o.acked_level, t.due_soon_days, t.plan_number, "
                  "t.plan_unit, t.title, t.lead::text FROM deadline.occurrence o JOIN "
                  "deadline.task t ON t.task_id = o.task_id WHERE o.kind = 'due' AND o.state = "
                  "'open' AND o.nominal IS NOT NULL ORDER BY o.id FOR UPDATE OF o",
                  0, NULL, &st);
    if (!res)
        return -1;
    int n = PQntuples(res);
    reply->checked = (uint32_t)n;
    monitor_move_t *moves = calloc((size_t)n + 1, sizeof *moves);
    size_t moved = 0;
    int rc = -1;
    if (!moves)
        goto done;
    for (int r = 0; r < n; r++) {
        date_t nominal = (date_t)atol(PQgetvalue(res, r, 2));
        date_t old_due = (date_t)atol(PQgetvalue(res, r, 3));
        date_t new_due = workcal_next_workday(cal, nominal);
        if (new_due == old_due)
            continue;
        moves[moved++] = (monitor_move_t){
            .occurrence_id = strtoll(PQgetvalue(res, r, 0), NULL, 10),
            .task_id = strtoll(PQgetvalue(res, r, 1), NULL, 10),
            .old_due = old_due,
            .nominal = nominal,
            .effective = new_due,
            .level = (due_level_t)atoi(PQgetvalue(res, r, 4)),
            .acked_level = atoi(PQgetvalue(res, r, 5)),
            .soon_days = monitor_soon_days_cell(PQgetvalue(res, r, 6)),
            .plan_number = PQgetvalue(res, r, 7),
            .plan_unit = PQgetvalue(res, r, 8),
            .title = PQgetvalue(res, r, 9),
            .lead = PQgetvalue(res, r, 10),
        };
    }
    if (monitor_moves_apply(db, cal, policy, now, moves, moved, "calendar", last_event) < 0)
        goto done;
    reply->moved = (uint32_t)moved;
    rc = 0;
done:
    free(moves);
    PQclear(res);
    return rc;
}
