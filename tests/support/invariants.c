/* invariants.c - what must hold in a partrack database (see the header)
 *
 * One connection per call (harness_pg), one query per number; nothing
 * here changes the database.
 */
#include "invariants.h"

#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first column of the first row as a number; sets *failed on error. */
static long number(PGconn *conn, const char *sql, bool *failed)
{
    PGresult *res = PQexec(conn, sql);
    long value = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) < 1) {
        fprintf(stderr, "invariants: %s: %s\n", sql, PQerrorMessage(conn));
        *failed = true;
    } else if (!PQgetisnull(res, 0, 0)) {
        value = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    }
    PQclear(res);
    return value;
}

int inv_event_log(const char *db, const char *producer, inv_event_log_t *out)
{
    PGconn *conn = harness_pg(db);
    bool failed = false;
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s.event_log", producer);
    out->events = number(conn, sql, &failed);
    snprintf(sql, sizeof sql, "SELECT coalesce(min(seq), 0) FROM %s.event_log", producer);
    out->first = number(conn, sql, &failed);
    snprintf(sql, sizeof sql, "SELECT coalesce(max(seq), 0) FROM %s.event_log", producer);
    out->last = number(conn, sql, &failed);
    snprintf(sql, sizeof sql, "SELECT last_seq FROM %s.event_counter", producer);
    out->counter = number(conn, sql, &failed);
    PQfinish(conn);
    return failed ? -1 : 0;
}

bool inv_event_log_whole(const inv_event_log_t *log)
{
    if (log->counter == 0)
        return log->events == 0;
    /* seq is the primary key: count = max - min + 1 means no number is missing. */
    return log->first == 1 && log->last == log->counter && log->events == log->counter;
}

int inv_cursor(const char *db, const char *consumer, const char *producer, inv_cursor_t *out)
{
    PGconn *conn = harness_pg(db);
    bool failed = false;
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT coalesce((SELECT last_seq FROM %s.event_cursor WHERE producer = '%s'), -1)",
             consumer, producer);
    out->cursor = number(conn, sql, &failed);
    snprintf(sql, sizeof sql, "SELECT last_seq FROM %s.event_counter", producer);
    out->last = number(conn, sql, &failed);
    PQfinish(conn);
    return failed ? -1 : 0;
}

int inv_feeds(const char *db, inv_feeds_t *out)
{
    PGconn *conn = harness_pg(db);
    bool failed = false;
    out->people = number(conn, "SELECT count(DISTINCT person_id) FROM notify.entry", &failed);
    out->entries = number(conn, "SELECT count(*) FROM notify.entry", &failed);
    out->gaps = number(conn,
                       "SELECT count(*) FROM (SELECT person_id FROM notify.entry GROUP BY "
                       "person_id HAVING min(seq) <> 1 OR max(seq) <> count(*) OR count(DISTINCT "
                       "seq) <> count(*)) g",
                       &failed);
    out->bad_heads = number(conn,
                            "SELECT count(*) FROM notify.feed_head h WHERE last_seq <> "
                            "coalesce((SELECT max(seq) FROM notify.entry e WHERE e.person_id = "
                            "h.person_id), 0) OR last_seq <> (SELECT count(*) FROM notify.entry e "
                            "WHERE e.person_id = h.person_id)",
                            &failed);
    out->repeats = number(conn,
                          "SELECT count(*) FROM (SELECT 1 FROM notify.entry GROUP BY person_id, "
                          "dedupe HAVING count(*) > 1) d",
                          &failed);
    PQfinish(conn);
    return failed ? -1 : 0;
}

int inv_updates_by_note(const char *db, const char *actor, const char *prefix, long n, int64_t *ids,
                        inv_notes_t *out)
{
    memset(out, 0, sizeof *out);
    memset(ids, 0, (size_t)n * sizeof *ids);
    PGconn *conn = harness_pg(db);
    const char *params[] = {actor};
    PGresult *res = PQexecParams(conn, "SELECT id, note FROM registry.task_update WHERE actor = $1",
                                 1, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "invariants: task updates of %s: %s\n", actor, PQerrorMessage(conn));
        rc = -1;
        goto done;
    }
    unsigned char *seen = calloc((size_t)n + 1, 1);
    if (!seen) {
        rc = -1;
        goto done;
    }
    size_t plen = strlen(prefix);
    out->rows = PQntuples(res);
    for (int r = 0; r < PQntuples(res); r++) {
        const char *note = PQgetvalue(res, r, 1);
        char *end;
        long k = -1;
        if (!PQgetisnull(res, r, 1) && strncmp(note, prefix, plen) == 0 && note[plen] >= '0' &&
            note[plen] <= '9') {
            k = strtol(note + plen, &end, 10);
            if (*end != '\0')
                k = -1;
        }
        if (k < 0 || k >= n) {
            out->strays++;
            continue;
        }
        if (seen[k] == 1)
            out->repeated++;
        if (seen[k] < 2)
            seen[k]++;
        ids[k] = strtoll(PQgetvalue(res, r, 0), NULL, 10);
    }
    for (long k = 0; k < n; k++)
        out->notes += seen[k] > 0;
    free(seen);
done:
    PQclear(res);
    PQfinish(conn);
    return rc;
}

long inv_tasks_off_last_status(const char *db)
{
    return harness_sql_long(db,
                            "SELECT count(*) FROM registry.task t WHERE t.status <> coalesce("
                            "(SELECT u.status FROM registry.task_update u WHERE u.task_id = t.id "
                            "AND u.status IS NOT NULL ORDER BY u.id DESC LIMIT 1), 'open')");
}

/* The status news the stored updates call for: a status other than the
 * one before (tasks start open), to the lead units' heads and followers. */
#define EXPECTED_STATUS_NEWS                                                                       \
    "WITH s AS (SELECT id, task_id, status, lag(status, 1, 'open') OVER (PARTITION BY task_id "    \
    "ORDER BY id) AS before FROM registry.task_update WHERE status IS NOT NULL), "                 \
    "changed AS (SELECT id, task_id, status FROM s WHERE status <> before), "                      \
    "heard AS (SELECT l.task_id, u.head_id AS person FROM registry.task_unit l JOIN "              \
    "registry.units u ON u.code = l.unit_code WHERE l.role = 'lead' AND u.head_id IS NOT NULL "    \
    "UNION SELECT l.task_id, f.person_id FROM registry.task_unit l JOIN notify.follow f ON "       \
    "f.unit_code = l.unit_code WHERE l.role = 'lead') "                                            \
    "SELECT h.person, 'task:' || c.task_id || ':update:' || c.id AS dedupe, CASE c.status WHEN "   \
    "'done' THEN 'task_done' WHEN 'cancelled' THEN 'task_cancelled' ELSE 'task_reopened' END AS "  \
    "kind FROM changed c JOIN heard h USING (task_id)"
#define STORED_STATUS_NEWS                                                                         \
    "SELECT person_id, dedupe, kind FROM notify.entry WHERE kind IN ('task_done', "                \
    "'task_cancelled', 'task_reopened')"

int inv_status_news(const char *db, inv_status_news_t *out)
{
    PGconn *conn = harness_pg(db);
    bool failed = false;
    out->changes = number(conn,
                          "WITH s AS (SELECT status, lag(status, 1, 'open') OVER (PARTITION BY "
                          "task_id ORDER BY id) AS before FROM registry.task_update WHERE status "
                          "IS NOT NULL) SELECT count(*) FROM s WHERE status <> before",
                          &failed);
    out->expected = number(conn, "SELECT count(*) FROM (" EXPECTED_STATUS_NEWS ") e", &failed);
    out->stored = number(conn, "SELECT count(*) FROM (" STORED_STATUS_NEWS ") s", &failed);
    out->missing = number(conn,
                          "SELECT count(*) FROM ((" EXPECTED_STATUS_NEWS
                          ") EXCEPT (" STORED_STATUS_NEWS ")) missing",
                          &failed);
    out->extra = number(conn,
                        "SELECT count(*) FROM ((" STORED_STATUS_NEWS
                        ") EXCEPT (" EXPECTED_STATUS_NEWS ")) extra",
                        &failed);
    PQfinish(conn);
    return failed ? -1 : 0;
}
