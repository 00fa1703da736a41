/* notify_feed.c - appending to people's feeds (see the header)
 *
 * One statement for any number of entries: the entries go as arrays; those
 * whose (person, dedupe) is in the feeds already, or earlier in the arrays,
 * are left out; each person's count is added to notify.feed_head (a row
 * lock held to COMMIT, taken in person order so that two writers lock in the
 * same order); the person's entries take the numbers just below the new
 * head, in array order. A concurrent writer of the same entry blocks on the
 * head row, then fails on UNIQUE (person_id, dedupe) and rolls back: never
 * two entries about the same subject, never a gap.
 */
#include "notify_feed.h"

#include <stdio.h>
#include <stdlib.h>

#define NCOLUMNS 9

static const char append_sql[] =
    "WITH given AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
    "$5::bigint[], $6::text[], $7::bigint[], $8::text[], $9::text[]) WITH ORDINALITY AS "
    "g(person_id, kind, dedupe, source, occurrence_id, level, task_id, unit_code, text, i)), "
    /* The first of each (person, dedupe) that no feed has yet. */
    "fresh AS (SELECT DISTINCT ON (person_id, dedupe) * FROM given g WHERE NOT EXISTS (SELECT 1 "
    "FROM notify.entry e WHERE e.person_id = g.person_id AND e.dedupe = g.dedupe) ORDER BY "
    "person_id, dedupe, i), "
    "head AS (INSERT INTO notify.feed_head AS h (person_id, last_seq) SELECT person_id, "
    "count(*) FROM fresh GROUP BY person_id ORDER BY person_id ON CONFLICT (person_id) DO "
    "UPDATE SET last_seq = h.last_seq + EXCLUDED.last_seq RETURNING person_id, last_seq) "
    "INSERT INTO notify.entry (person_id, seq, kind, dedupe, source, occurrence_id, level, "
    "task_id, unit_code, text) SELECT f.person_id, h.last_seq - count(*) OVER (PARTITION BY "
    "f.person_id) + row_number() OVER (PARTITION BY f.person_id ORDER BY f.i), f.kind, "
    "f.dedupe, f.source, f.occurrence_id, f.level, f.task_id, f.unit_code, f.text FROM fresh f "
    "JOIN head h ON h.person_id = f.person_id";

long notify_feed_append(db_t *db, const notify_entry_t *e, size_t n)
{
    if (n == 0)
        return 0;
    char(*ids)[2][24] = calloc(n, sizeof *ids);
    db_column_t cols[NCOLUMNS] = {0};
    long written = -1;
    if (!ids)
        goto done;
    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i][0], sizeof ids[i][0], "%lld", (long long)e[i].occurrence_id);
        snprintf(ids[i][1], sizeof ids[i][1], "%lld", (long long)e[i].task_id);
        const char *vals[NCOLUMNS] = {e[i].person_id,
                                      e[i].kind,
                                      e[i].dedupe,
                                      e[i].source,
                                      e[i].occurrence_id ? ids[i][0] : NULL,
                                      e[i].level,
                                      e[i].task_id ? ids[i][1] : NULL,
                                      e[i].unit_code,
                                      e[i].text};
        for (int c = 0; c < NCOLUMNS; c++)
            if (db_column_push(&cols[c], vals[c]) < 0)
                goto done;
    }
    db_status_t st;
    PGresult *res = db_exec_columns(db, append_sql, cols, NCOLUMNS, &st);
    if (res)
        written = atol(PQcmdTuples(res));
    PQclear(res);
done:
    free(ids);
    db_columns_free(cols, NCOLUMNS);
    return written;
}
