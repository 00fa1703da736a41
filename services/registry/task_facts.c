/* task_facts.c - the tasks' plans, titles and lead units kept between
 * ingest batches (see task_facts.h) */
#include "task_facts.h"

#include "db_binarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct task_facts {
    task_fact_t *list; /* sorted by id */
    size_t n, capacity;
    int64_t version; /* -1: none yet */
};

task_facts_t *task_facts_new(size_t capacity)
{
    task_facts_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->list = calloc(capacity + 1, sizeof *self->list);
    if (!self->list) {
        free(self);
        return NULL;
    }
    self->capacity = capacity;
    self->version = -1;
    return self;
}

static void fact_free(task_fact_t *f)
{
    free(f->plan_unit);
    free(f->plan_number);
    free(f->title);
    free(f->leads);
}

static void forget_all(task_facts_t *self)
{
    for (size_t i = 0; i < self->n; i++)
        fact_free(&self->list[i]);
    self->n = 0;
}

void task_facts_destroy(task_facts_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    forget_all(*self_p);
    free((*self_p)->list);
    free(*self_p);
    *self_p = NULL;
}

void task_facts_at_version(task_facts_t *self, int64_t version)
{
    if (version != self->version)
        forget_all(self);
    self->version = version;
}

static int fact_cmp(const void *a, const void *b)
{
    int64_t x = ((const task_fact_t *)a)->id, y = ((const task_fact_t *)b)->id;
    return x < y ? -1 : x > y;
}

const task_fact_t *task_facts_find(const task_facts_t *self, int64_t id)
{
    task_fact_t key = {.id = id};
    return bsearch(&key, self->list, self->n, sizeof *self->list, fact_cmp);
}

int task_facts_load(task_facts_t *self, db_t *db, const int64_t *ids, size_t n)
{
    db_binarray_t missing;
    db_binarray_init(&missing, DB_OID_INT8);
    size_t nmissing = 0;
    for (size_t i = 0; i < n; i++)
        if (!task_facts_find(self, ids[i])) {
            db_binarray_int8(&missing, ids[i]);
            nmissing++;
        }
    int rc = 0;
    if (nmissing == 0)
        goto done;
    if (self->n + nmissing > self->capacity)
        forget_all(self); /* full: start again with what is wanted now */
    if (nmissing > self->capacity) {
        db_fail(db, "task facts", "more tasks in one batch than the cache holds");
        rc = -1;
        goto done;
    }
    db_status_t st;
    PGresult *res = db_exec_binarrays(
        db,
        "SELECT t.id, p.unit_code, p.number, t.title, coalesce((SELECT array_agg(u.unit_code "
        "ORDER BY u.unit_code) FROM registry.task_unit u WHERE u.task_id = t.id AND u.role = "
        "'lead'), '{}')::text FROM registry.task t JOIN registry.plan p ON p.id = t.plan_id "
        "WHERE t.id IN (SELECT unnest($1::bigint[]))",
        &missing, 1, &st);
    if (!res) {
        rc = -1;
        goto done;
    }
    size_t before = self->n;
    for (int r = 0; r < PQntuples(res); r++) {
        task_fact_t *f = &self->list[self->n];
        memset(f, 0, sizeof *f);
        f->id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
        f->plan_unit = strdup(PQgetvalue(res, r, 1));
        f->plan_number = strdup(PQgetvalue(res, r, 2));
        f->title = strdup(PQgetvalue(res, r, 3));
        f->leads = db_array_words(PQgetvalue(res, r, 4), &f->nleads);
        if (!f->plan_unit || !f->plan_number || !f->title || !f->leads) {
            fact_free(f);
            db_fail(db, "task facts", "out of memory");
            rc = -1;
            break;
        }
        self->n++;
    }
    PQclear(res);
    if (self->n > before)
        qsort(self->list, self->n, sizeof *self->list, fact_cmp);
done:
    db_binarray_free(&missing);
    return rc;
}
