/* publisher_store.c - publishers in PostgreSQL (schema registry)
 *
 * Each write is one statement: the insert (or the update) and its audit row
 * in data-modifying CTEs, so they cannot part. The caller checks the name
 * and the key first, to say which one is taken; the insert itself is ON
 * CONFLICT DO NOTHING, so another registry adding the same name at the same
 * moment is refused the same way instead of failing on the unique index. Times are
 * RFC 3339 in UTC+7 (Asia/Ho_Chi_Minh, no DST); the scope is read back as a
 * text array of unit codes (db_array_words).
 */
#include "publisher_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RFC3339(col)                                                                               \
    "to_char(" col " AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+07:00\"')"

/* The columns read_row reads, from a row source named r. */
#define PUBLISHER_COLUMNS                                                                          \
    "r.name, r.public_key, r.scope::text, " RFC3339("r.created_at") ", " RFC3339("r.revoked_at")

void publisher_store_free(Partrack__Publisher *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->public_key);
    free(p->scope); /* one allocation: db_array_words */
    free(p->created_at);
    free(p->revoked_at);
    free(p);
}

void publisher_store_free_list(Partrack__Publisher **list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        publisher_store_free(list[i]);
    free(list);
}

/* Row i of res, from column `first` on (PUBLISHER_COLUMNS), or NULL when out
 * of memory. */
static Partrack__Publisher *read_row(const PGresult *res, int i, int first)
{
    Partrack__Publisher *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    partrack__publisher__init(p);
    p->name = strdup(PQgetvalue(res, i, first));
    p->public_key = strdup(PQgetvalue(res, i, first + 1));
    p->scope = db_array_words(PQgetvalue(res, i, first + 2), &p->n_scope);
    p->created_at = strdup(PQgetvalue(res, i, first + 3));
    if (!PQgetisnull(res, i, first + 4))
        p->revoked_at = strdup(PQgetvalue(res, i, first + 4));
    if (!p->name || !p->public_key || !p->scope || !p->created_at ||
        (!PQgetisnull(res, i, first + 4) && !p->revoked_at)) {
        publisher_store_free(p);
        return NULL;
    }
    return p;
}

int publisher_store_check_taken(db_t *db, const char *name, const char *public_key,
                                problems_t *problems)
{
    const char *params[] = {name, public_key};
    db_status_t st;
    PGresult *res =
        db_exec(db,
                "SELECT name, public_key = $2, name = $1, " RFC3339(
                    "revoked_at") " FROM registry.publisher WHERE name = $1 OR public_key = $2 "
                                  "ORDER BY name = $1 DESC",
                2, params, &st);
    if (!res)
        return -1;
    int added = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *stored = PQgetvalue(res, i, 0);
        bool same_key = PQgetvalue(res, i, 1)[0] == 't';
        bool same_name = PQgetvalue(res, i, 2)[0] == 't';
        bool revoked = !PQgetisnull(res, i, 3);
        if (same_name && revoked)
            problems_add(problems, NULL, 0, "name",
                         "publisher %s exists (revoked at %s); a name is never reused: add "
                         "another name",
                         stored, PQgetvalue(res, i, 3));
        else if (same_name)
            problems_add(problems, NULL, 0, "name",
                         "publisher %s exists; revoke it and add another name", stored);
        if (same_key)
            problems_add(problems, NULL, 0, "public_key",
                         "this key is already registered, to publisher %s%s; a key is never "
                         "reused: make a new one",
                         stored, revoked ? " (revoked)" : "");
        added += same_name + same_key;
    }
    PQclear(res);
    return added;
}

int publisher_store_add(db_t *db, const char *name, const char *public_key,
                        const char *const *scope, size_t nscope, const char *actor,
                        Partrack__Publisher **out, problems_t *problems)
{
    *out = NULL;
    char *scope_array = db_array_literal(scope, nscope);
    if (!scope_array)
        return -1;
    const char *params[] = {name, public_key, scope_array, actor};
    db_status_t st;
    PGresult *res = db_exec(
        db,
        "WITH r AS (INSERT INTO registry.publisher (name, public_key, scope) VALUES ($1, $2, "
        "$3::text[]) ON CONFLICT DO NOTHING RETURNING *), a AS (INSERT INTO registry.audit "
        "(actor, entity, entity_id, action, after) SELECT $4, 'publisher', name, 'added', "
        "json_build_object('public_key', public_key, 'scope', scope) FROM r) "
        "SELECT " PUBLISHER_COLUMNS " FROM r",
        4, params, &st);
    free(scope_array);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) == 0) {
        /* Taken in between, by another registry: say by what. */
        int taken = publisher_store_check_taken(db, name, public_key, problems);
        if (taken == 0)
            problems_add(problems, NULL, 0, "name", "publisher %s was added at the same time",
                         name);
        rc = taken < 0 ? -1 : 1;
    } else if (!(*out = read_row(res, 0, 0))) {
        rc = -1;
    }
    PQclear(res);
    return rc;
}

publisher_revoke_t publisher_store_revoke(db_t *db, const char *name, const char *actor,
                                          Partrack__Publisher **out)
{
    *out = NULL;
    const char *params[] = {name, actor};
    db_status_t st;
    /* The statement's snapshot predates its own update: the stored row is
     * read only when nothing was updated. */
    PGresult *res = db_exec(db,
                            "WITH u AS (UPDATE registry.publisher SET revoked_at = now() WHERE "
                            "name = $1 AND revoked_at IS NULL RETURNING *), a AS (INSERT INTO "
                            "registry.audit (actor, entity, entity_id, action, before, after) "
                            "SELECT $2, 'publisher', name, 'revoked', json_build_object("
                            "'revoked_at', NULL), json_build_object('revoked_at', revoked_at) "
                            "FROM u) SELECT EXISTS (SELECT 1 FROM u), " PUBLISHER_COLUMNS
                            " FROM (SELECT * FROM u UNION ALL SELECT * FROM registry.publisher "
                            "WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM u)) r",
                            2, params, &st);
    if (!res)
        return PUBLISHER_DB_FAILURE;
    publisher_revoke_t rc = PUBLISHER_UNKNOWN;
    if (PQntuples(res) > 0) {
        rc = PQgetvalue(res, 0, 0)[0] == 't' ? PUBLISHER_REVOKED : PUBLISHER_ALREADY_REVOKED;
        if (!(*out = read_row(res, 0, 1)))
            rc = PUBLISHER_DB_FAILURE;
    }
    PQclear(res);
    return rc;
}

int publisher_store_list(db_t *db, bool include_revoked, Partrack__Publisher ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *params[] = {include_revoked ? "true" : "false"};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "SELECT " PUBLISHER_COLUMNS " FROM registry.publisher r WHERE "
                            "$1::boolean OR r.revoked_at IS NULL ORDER BY r.name",
                            1, params, &st);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    Partrack__Publisher **list = calloc((size_t)rows + 1, sizeof *list);
    int rc = list ? 0 : -1;
    for (int i = 0; list && i < rows; i++) {
        if (!(list[i] = read_row(res, i, 0))) {
            publisher_store_free_list(list, (size_t)i);
            list = NULL;
            rc = -1;
        }
    }
    PQclear(res);
    if (rc == 0) {
        *out = list;
        *n = (size_t)rows;
    }
    return rc;
}
