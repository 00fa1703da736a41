/* notify_feed.c - appending to people's feeds (see the header) */
#include "notify_feed.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Marks entries already in the feeds, or earlier in the array. */
static int mark_known(db_t *db, const notify_entry_t *e, size_t n, bool *skip)
{
    db_column_t cols[2] = {0};
    int rc = -1;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i && !skip[i]; j++)
            skip[i] = strcmp(e[i].person_id, e[j].person_id) == 0 &&
                      strcmp(e[i].dedupe, e[j].dedupe) == 0;
        if (db_column_push(&cols[0], e[i].person_id) < 0 ||
            db_column_push(&cols[1], e[i].dedupe) < 0)
            goto done;
    }
    db_status_t st;
    PGresult *res = db_exec_columns(db,
                                    "SELECT x.i - 1 FROM unnest($1::text[], $2::text[]) WITH "
                                    "ORDINALITY AS x(p, d, i) JOIN notify.entry e ON "
                                    "e.person_id = x.p AND e.dedupe = x.d",
                                    cols, 2, &st);
    if (!res)
        goto done;
    for (int r = 0; r < PQntuples(res); r++) {
        size_t i = (size_t)atol(PQgetvalue(res, r, 0));
        if (i < n)
            skip[i] = true;
    }
    PQclear(res);
    rc = 0;
done:
    db_columns_free(cols, 2);
    return rc;
}

/* Takes the next numbers for each person: seq[i] for every entry kept. */
static int take_numbers(db_t *db, const notify_entry_t *e, size_t n, const bool *skip, int64_t *seq)
{
    db_column_t cols[2] = {0};
    char(*counts)[24] = calloc(n + 1, sizeof *counts);
    size_t *count = calloc(n + 1, sizeof *count);
    const char **people = calloc(n + 1, sizeof *people);
    size_t np = 0;
    int rc = -1;
    if (!counts || !count || !people)
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (skip[i])
            continue;
        size_t k = 0;
        while (k < np && strcmp(people[k], e[i].person_id) != 0)
            k++;
        if (k == np)
            people[np++] = e[i].person_id;
        count[k]++;
    }
    for (size_t k = 0; k < np; k++) {
        snprintf(counts[k], sizeof counts[k], "%zu", count[k]);
        if (db_column_push(&cols[0], people[k]) < 0 || db_column_push(&cols[1], counts[k]) < 0)
            goto done;
    }
    rc = 0;
    if (np == 0)
        goto done;
    db_status_t st;
    PGresult *res = db_exec_columns(
        db,
        "INSERT INTO notify.feed_head AS h (person_id, last_seq) SELECT p, c FROM "
        "unnest($1::text[], $2::bigint[]) AS x(p, c) ON CONFLICT (person_id) DO UPDATE SET "
        "last_seq = h.last_seq + EXCLUDED.last_seq RETURNING person_id, last_seq",
        cols, 2, &st);
    if (!res) {
        rc = -1;
        goto done;
    }
    /* next[k]: the first number of person k's new entries. */
    int64_t *next = calloc(np, sizeof *next);
    if (!next) {
        PQclear(res);
        rc = -1;
        goto done;
    }
    for (int r = 0; r < PQntuples(res); r++)
        for (size_t k = 0; k < np; k++)
            if (strcmp(people[k], PQgetvalue(res, r, 0)) == 0)
                next[k] = strtoll(PQgetvalue(res, r, 1), NULL, 10) - (int64_t)count[k] + 1;
    PQclear(res);
    for (size_t i = 0; i < n; i++) {
        if (skip[i])
            continue;
        size_t k = 0;
        while (strcmp(people[k], e[i].person_id) != 0)
            k++;
        seq[i] = next[k]++;
    }
    free(next);
done:
    free(counts);
    free(count);
    free(people);
    db_columns_free(cols, 2);
    return rc;
}

long notify_feed_append(db_t *db, const notify_entry_t *e, size_t n)
{
    if (n == 0)
        return 0;
    bool *skip = calloc(n, sizeof *skip);
    int64_t *seq = calloc(n, sizeof *seq);
    char(*text)[3][24] = calloc(n, sizeof *text);
    db_column_t cols[11] = {0};
    long written = -1, kept = 0;
    if (!skip || !seq || !text || mark_known(db, e, n, skip) < 0 ||
        take_numbers(db, e, n, skip, seq) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (skip[i])
            continue;
        snprintf(text[i][0], 24, "%lld", (long long)seq[i]);
        snprintf(text[i][1], 24, "%lld", (long long)e[i].occurrence_id);
        snprintf(text[i][2], 24, "%lld", (long long)e[i].task_id);
        const char *vals[11] = {e[i].person_id,
                                text[i][0],
                                e[i].kind,
                                e[i].dedupe,
                                e[i].source,
                                e[i].occurrence_id ? text[i][1] : NULL,
                                e[i].level,
                                e[i].task_id ? text[i][2] : NULL,
                                e[i].unit_code,
                                e[i].text,
                                NULL};
        for (int c = 0; c < 10; c++)
            if (db_column_push(&cols[c], vals[c]) < 0)
                goto done;
        kept++;
    }
    written = 0;
    if (kept == 0)
        goto done;
    db_status_t st;
    PGresult *res = db_exec_columns(
        db,
        "INSERT INTO notify.entry (person_id, seq, kind, dedupe, source, occurrence_id, level, "
        "task_id, unit_code, text) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], "
        "$4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[], $9::text[], $10::text[])",
        cols, 10, &st);
    written = res ? kept : -1;
    PQclear(res);
done:
    free(skip);
    free(seq);
    free(text);
    db_columns_free(cols, 11);
    return written;
}
