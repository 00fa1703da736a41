/* ingest_work.h - one published message on its way through a batch
 *
 * Shared by ingest_batch.c (publishers, idempotency, replies) and the two
 * appliers, ingest_tasks.c and ingest_measurements.c. Not for other users.
 */
#ifndef PARTRACK_INGEST_WORK_H
#define PARTRACK_INGEST_WORK_H

#include "db.h"
#include "directory.h"
#include "ingest_batch.h"
#include "task_facts.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *name;
    long *scope; /* directory indexes of the scope's units */
    size_t nscope;
    bool active;
} ingest_publisher_t;

typedef struct {
    ingest_item_t *item;
    const ingest_publisher_t *publisher; /* NULL: refused already */
    ProtobufCMessage *message;           /* the decoded payload */
    int64_t sent_at_ms;                  /* the publisher's clock */
    bool settled;                        /* has its reply */
    int64_t stored_id, task_id;          /* an accepted one's */
} ingest_work_t;

typedef struct {
    db_t *db;
    const directory_t *dir;
    task_facts_t *facts;
    const ingest_rules_t *rules;
    int64_t now_ms;    /* the transaction's now() */
    char now_text[40]; /* the same, RFC 3339 UTC */
    int64_t *last_event;
    bool key_taken;                      /* a write failed: a key of the batch was stored before */
    ingest_overlap_fn *while_committing; /* NULL: none */
    void *overlap_arg;
} ingest_batch_t;

/* Whether directory unit `unit` is inside the publisher's scope. */
bool ingest_in_scope(const ingest_batch_t *b, const ingest_publisher_t *p, long unit);

/* Task updates among works[0..n) (type MSG_INGEST_TASK_UPDATE, not
 * settled): each gets an error or is stored (stored_id, task_id), with its
 * publisher's idempotency key. Returns 0, or -1 on a database failure; with
 * key_taken set when that failure was a key stored before (the batch is to
 * be rolled back and done again looking back). */
int ingest_tasks_apply(ingest_batch_t *b, ingest_work_t *works, size_t n);

/* The same for measurements (MSG_INGEST_MEASUREMENT). */
int ingest_measurements_apply(ingest_batch_t *b, ingest_work_t *works, size_t n);

/* n fresh ids of a sequence (its name as regclass text) into ids. */
int ingest_next_ids(db_t *db, const char *sequence, size_t n, int64_t *ids);

/* Writes an epoch in ms as RFC 3339 UTC with milliseconds. */
void ingest_format_ms(int64_t ms, char out[40]);

#endif
