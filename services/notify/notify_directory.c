/* notify_directory.c - who hears news about units, and what units are
 * called, looked up once per batch (see the header)
 *
 * Two maps: unit code -> name, and question -> answer, the question being
 * the audience and the units, each unit prefixed with its length (so no
 * two lists of codes make the same key). An answer is one allocation: the
 * recipient array followed by its strings.
 */
#include "notify_directory.h"

#include "strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct notify_directory {
    strmap_t *names;      /* code -> char * */
    strmap_t *recipients; /* question -> answer_t * */
};

typedef struct {
    size_t n;
    notify_recipient_t people[]; /* then the strings they point to */
} answer_t;

notify_directory_t *notify_directory_new(void)
{
    notify_directory_t *self = calloc(1, sizeof *self);
    if (!self || !(self->names = strmap_new()) || !(self->recipients = strmap_new())) {
        notify_directory_destroy(&self);
        return NULL;
    }
    return self;
}

void notify_directory_destroy(notify_directory_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    strmap_destroy(&(*self_p)->names, free);
    strmap_destroy(&(*self_p)->recipients, free);
    free(*self_p);
    *self_p = NULL;
}

void notify_directory_forget(notify_directory_t *self)
{
    strmap_clear(self->names, free);
    strmap_clear(self->recipients, free);
}

static const char *const audience_names[] = {"people", "heads", "parents"};

/* The question as a key: "heads|12:HN.HADONG.VP|..."; caller frees. */
static char *question_key(char *const *units, size_t n, notify_audience_t to)
{
    size_t len = strlen(audience_names[to]) + 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(units[i]) + 24;
    char *key = malloc(len), *p = key;
    if (!key)
        return NULL;
    p += sprintf(p, "%s", audience_names[to]);
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "|%zu:%s", strlen(units[i]), units[i]);
    return key;
}

/* Rows (person, unit) of a recipients query as one answer_t. */
static answer_t *answer_of(PGresult *res)
{
    size_t rows = (size_t)PQntuples(res),
           bytes = sizeof(answer_t) + rows * sizeof(notify_recipient_t);
    for (size_t r = 0; r < rows; r++)
        bytes += strlen(PQgetvalue(res, (int)r, 0)) + strlen(PQgetvalue(res, (int)r, 1)) + 2;
    answer_t *a = malloc(bytes);
    if (!a)
        return NULL;
    a->n = rows;
    char *p = (char *)&a->people[rows];
    for (size_t r = 0; r < rows; r++) {
        for (int c = 0; c < 2; c++) {
            const char *v = PQgetvalue(res, (int)r, c);
            size_t len = strlen(v) + 1;
            memcpy(p, v, len);
            if (c == 0)
                a->people[r].person_id = p;
            else
                a->people[r].unit_code = p;
            p += len;
        }
    }
    return a;
}

static PGresult *ask_recipients(db_t *db, char *const *units, size_t n, notify_audience_t to)
{
    char *array = db_array_literal((const char *const *)units, n);
    if (!array)
        return NULL;
    const char *p[] = {array, audience_names[to]};
    db_status_t st;
    PGresult *res = db_exec(
        db,
        "SELECT DISTINCT ON (person) person, unit FROM ("
        "SELECT p.id AS person, p.unit_code AS unit, 1 AS rank FROM registry.people p WHERE "
        "$2 = 'people' AND p.unit_code = ANY ($1::text[]) "
        "UNION ALL SELECT u.head_id, u.code, 1 FROM registry.units u WHERE $2 = 'heads' AND "
        "u.code = ANY ($1::text[]) AND u.head_id IS NOT NULL "
        "UNION ALL SELECT pu.head_id, pu.code, 1 FROM registry.units u JOIN registry.units pu ON "
        "pu.code = u.parent_code WHERE $2 = 'parents' AND u.code = ANY ($1::text[]) AND "
        "pu.head_id IS NOT NULL "
        "UNION ALL SELECT f.person_id, f.unit_code, 2 FROM notify.follow f WHERE f.unit_code = "
        "ANY ($1::text[])) r ORDER BY person, rank, unit",
        2, p, &st);
    free(array);
    return res;
}

long notify_directory_recipients(notify_directory_t *self, db_t *db, char *const *units, size_t n,
                                 notify_audience_t to, const notify_recipient_t **out)
{
    char *key = question_key(units, n, to);
    if (!key)
        return -1;
    answer_t *a = strmap_get(self->recipients, key);
    if (!a) {
        PGresult *res = ask_recipients(db, units, n, to);
        if (res && (a = answer_of(res)) && strmap_put(self->recipients, key, a) < 0) {
            free(a);
            a = NULL;
        }
        PQclear(res);
    }
    free(key);
    if (!a)
        return -1;
    *out = a->people;
    return (long)a->n;
}

const char *notify_directory_unit_name(notify_directory_t *self, db_t *db, const char *code)
{
    char *name = strmap_get(self->names, code);
    if (name)
        return name;
    const char *p[] = {code};
    db_status_t st;
    PGresult *res = db_exec(db, "SELECT name FROM registry.units WHERE code = $1", 1, p, &st);
    if (res && (name = strdup(PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : code)) &&
        strmap_put(self->names, code, name) < 0) {
        free(name);
        name = NULL;
    }
    PQclear(res);
    return name;
}
