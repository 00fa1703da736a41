/* task_events.c - TaskAssigned events read back from the stored tasks
 *
 * One query reads the tasks with their plan and their lead and cooperating
 * unit codes; each row becomes a TaskAssigned payload, and all of them are
 * appended with one events_append_batch. The unit codes of each role come as
 * one text array (db_array_words reads it).
 */
#include "task_events.h"

#include "events.h"
#include "events.pb-c.h"

#include <stdlib.h>
#include <string.h>

#define TASK_EVENT_COLUMNS                                                                         \
    "SELECT t.id, t.plan_id, p.number, p.unit_code, p.year, t.area, t.ordinal, t.title, "          \
    "coalesce((SELECT array_agg(unit_code ORDER BY unit_code) FROM registry.task_unit "            \
    "WHERE task_id = t.id AND role = 'lead'), '{}')::text, "                                       \
    "coalesce((SELECT array_agg(unit_code ORDER BY unit_code) FROM registry.task_unit "            \
    "WHERE task_id = t.id AND role = 'cooperating'), '{}')::text, "                                \
    "t.deadline_text, t.assigned, t.status "                                                       \
    "FROM registry.task t JOIN registry.plan p ON p.id = t.plan_id "

static char *cell(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* Packs row i of res as a TaskAssigned; *len its size. NULL if memory ran out. */
static uint8_t *pack_row(PGresult *res, int i, const char *reason, size_t *len)
{
    Partrack__TaskAssigned ev = PARTRACK__TASK_ASSIGNED__INIT;
    ev.task_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
    ev.plan_id = strtoll(PQgetvalue(res, i, 1), NULL, 10);
    ev.plan_number = PQgetvalue(res, i, 2);
    ev.plan_unit = PQgetvalue(res, i, 3);
    ev.year = (int32_t)strtol(PQgetvalue(res, i, 4), NULL, 10);
    ev.area = cell(res, i, 5);
    ev.ordinal = cell(res, i, 6);
    ev.title = PQgetvalue(res, i, 7);
    ev.lead = db_array_words(PQgetvalue(res, i, 8), &ev.n_lead);
    ev.cooperating = db_array_words(PQgetvalue(res, i, 9), &ev.n_cooperating);
    uint8_t *buf = NULL;
    if (!ev.lead || !ev.cooperating)
        goto done;
    ev.deadline_text = cell(res, i, 10);
    ev.assigned = PQgetvalue(res, i, 11)[0] == 't';
    ev.reason = (char *)reason;
    ev.status = PQgetvalue(res, i, 12);
    *len = partrack__task_assigned__get_packed_size(&ev);
    buf = malloc(*len ? *len : 1);
    if (buf)
        partrack__task_assigned__pack(&ev, buf);
done:
    free(ev.lead);
    free(ev.cooperating);
    return buf;
}

static int append_rows(db_t *db, PGresult *res, const char *reason, int64_t *last)
{
    size_t n = (size_t)PQntuples(res);
    if (n == 0)
        return 0;
    const char **types = calloc(n, sizeof *types), **units = calloc(n, sizeof *units);
    uint8_t **payloads = calloc(n, sizeof *payloads);
    size_t *lens = calloc(n, sizeof *lens);
    int rc = -1;
    if (!types || !units || !payloads || !lens)
        goto done;
    for (size_t i = 0; i < n; i++) {
        types[i] = "TaskAssigned";
        units[i] = PQgetvalue(res, (int)i, 3);
        payloads[i] = pack_row(res, (int)i, reason, &lens[i]);
        if (!payloads[i])
            goto done;
    }
    int64_t first;
    rc = events_append_batch(db, "registry", n, types, units, (const uint8_t *const *)payloads,
                             lens, &first);
    if (rc == 0)
        *last = first + (int64_t)n - 1;
done:
    for (size_t i = 0; payloads && i < n; i++)
        free(payloads[i]);
    free(payloads);
    free(types);
    free(units);
    free(lens);
    return rc;
}

static int assigned_where(db_t *db, const char *sql, const char *param, const char *reason,
                          int64_t *last)
{
    db_status_t st;
    const char *params[] = {param};
    PGresult *res = db_exec(db, sql, 1, params, &st);
    if (!res)
        return -1;
    int rc = append_rows(db, res, reason, last);
    PQclear(res);
    return rc;
}

int task_events_assigned_ids(db_t *db, const char *ids, const char *reason, int64_t *last)
{
    return assigned_where(db, TASK_EVENT_COLUMNS "WHERE t.id = ANY($1::bigint[]) ORDER BY t.id",
                          ids, reason, last);
}
