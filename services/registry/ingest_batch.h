/* ingest_batch.h - published messages applied many to a transaction
 *
 * The ingest endpoint takes what arrived (up to PARTRACK_INGEST_BATCH
 * messages) and applies it in one transaction; each message then gets its
 * own reply, sent after COMMIT:
 *   - the sender is the connection's key (User-Id), a publisher that must
 *     not be revoked (a revocation holds for every message after it);
 *   - every message needs an idempotency key; one stored before (or earlier
 *     in the batch) gets its first acknowledgement again, marked duplicate.
 *     A key names one message, whatever its type: a task update's is kept
 *     on its task_update row (registry migration 015), a measurement's with
 *     its acknowledgement in request_log;
 *   - and the publisher's time (sent_at_ms), not before 1970 nor ahead of
 *     ours by more than the allowed skew (ingest_check.h);
 *   - a TaskUpdate names its task by id, or by plan number, issuing unit and
 *     ordinal; the publisher's scope must hold the plan's unit or a lead
 *     unit (ERR_FORBIDDEN otherwise); progress, status and completion time
 *     apply as `partrack task update` does, timeliness from the publisher's
 *     own clock: done without a completion time means done when the
 *     publisher sent it; a time more than the allowed skew ahead of ours is
 *     refused. Each update is a task_update row and a TaskUpdated event; an
 *     update on an untriggered event task starts its clock;
 *   - a Measurement names an active unit in scope, an indicator code, a
 *     period (2024, 2024-Q1, 2024-H1, 2024-06) and a value, or a numerator
 *     and a positive denominator; each is a measurement row and a
 *     MeasurementRecorded event.
 * A message refused changes nothing and is not remembered: sent again, it is
 * judged again.
 */
#ifndef PARTRACK_INGEST_BATCH_H
#define PARTRACK_INGEST_BATCH_H

#include "db.h"
#include "directory.h"
#include "keyfile.h"
#include "msg.h"
#include "task_facts.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    msg_envelope_t *env;               /* borrowed, valid (msg_open) */
    char user_id[KEYFILE_Z85_LEN + 1]; /* the connection's key */
    Partrack__MessageType reply_type;  /* out: MSG_INGEST_ACK or MSG_ERROR */
    uint8_t *reply;                    /* out: packed payload (owned) */
    size_t reply_len;
} ingest_item_t;

typedef struct {
    int64_t max_skew_ms; /* how far ahead of ours a publisher's clock may be */
} ingest_rules_t;

/* Applies items[0..n) in one transaction, with the unit directory `dir`
 * and the task facts cache `facts` (task_facts.h) of the calling thread.
 * Returns 0: committed, every item has its reply. Returns -1: the database
 * failed, nothing was stored, no item has a reply; *retryable tells whether
 * the database is the cause (down, restarting) or the batch itself (then
 * apply the items one by one to find the one at fault). */
int ingest_batch_apply(db_t *db, const directory_t *dir, task_facts_t *facts, ingest_item_t *items,
                       size_t n, const ingest_rules_t *rules, int64_t *last_event, bool *retryable);

/* Work done while a batch's COMMIT is in flight (the server flushing its
 * WAL): it must not use the database, and it learns nothing of the
 * outcome. Called at most once per attempt at the batch. */
typedef void ingest_overlap_fn(void *arg);

/* ingest_batch_apply calling while_committing(arg) between sending COMMIT
 * and reading its result; same contract otherwise. */
int ingest_batch_apply_overlapping(db_t *db, const directory_t *dir, task_facts_t *facts,
                                   ingest_item_t *items, size_t n, const ingest_rules_t *rules,
                                   int64_t *last_event, bool *retryable,
                                   ingest_overlap_fn *while_committing, void *arg);

/* Gives an item an error reply (code, sentence). */
void ingest_item_error(ingest_item_t *item, Partrack__ErrorCode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Frees an item's reply. */
void ingest_item_clear(ingest_item_t *item);

#endif
