/* task_facts.h - what the ingest needs to know of a task besides its state,
 * kept in memory between batches
 *
 * A published update is checked against its task's plan unit and lead
 * units (the publisher's scope) and its event carries the task's title and
 * plan. Those facts change rarely; reading them for every batch (a join
 * with the plan and a lookup of the lead units per task) took about 0.5 ms
 * of a 9 ms batch of 300 updates in the ingest bench, and keeping them made
 * it 7-8% faster. The cache holds them by task id, stamped with
 * registry.task_facts_version (one row, moved on to a fresh sequence number
 * by every statement that writes task_unit, a task's title or plan, or a
 * plan's number or unit: registry migration 016). A batch reads the version
 * in the statement that locks its tasks; a different one empties the cache.
 *
 * Not thread-safe: one per ingest thread, like its db_t.
 */
#ifndef PARTRACK_TASK_FACTS_H
#define PARTRACK_TASK_FACTS_H

#include "db.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t id;
    char *plan_unit, *plan_number, *title;
    char **leads; /* one block (db_array_words), sorted */
    size_t nleads;
} task_fact_t;

typedef struct task_facts task_facts_t;

/* A cache of at most `capacity` tasks (full, it starts again empty), or NULL
 * when out of memory. */
task_facts_t *task_facts_new(size_t capacity);
void task_facts_destroy(task_facts_t **self_p);

/* Empties the cache unless it was filled at this version. */
void task_facts_at_version(task_facts_t *self, int64_t version);

/* Makes sure the facts of the tasks ids[0..n) (distinct) that exist are held, reading
 * the missing ones in one statement (inside the caller's transaction).
 * Returns 0, or -1 with db_error(db) (out of memory included). */
int task_facts_load(task_facts_t *self, db_t *db, const int64_t *ids, size_t n);

/* The facts of task `id` (owned by the cache, valid until the next
 * task_facts_at_version or task_facts_load), or NULL. */
const task_fact_t *task_facts_find(const task_facts_t *self, int64_t id);

#endif
