/* events.h - durable event streams: a log in PostgreSQL, a wake-up over PUB
 *
 * A producer (a service, named by its schema) appends events to
 * <schema>.event_log with a gap-free sequence number taken from a one-row
 * counter in the same transaction as the change the event describes: a
 * rolled-back change leaves neither event nor gap. After COMMIT it publishes
 * "<producer> <seq>" on a PUB socket, which only wakes consumers; losing that
 * message loses nothing.
 *
 * A consumer keeps one cursor row per producer in its own schema
 * (<consumer>.event_cursor). events_consume locks the cursor row, reads the
 * events after it through the producer's documented view <producer>.events,
 * hands each to the handler (then, if it has one, to the consumer's flush
 * hook, once for the batch) and moves the cursor, all in one transaction: a
 * consumer killed at any point resumes after the last committed batch, so
 * every event is applied exactly once. Several consumer instances serialize on
 * the cursor row.
 *
 * Schemas: the producer's migrations create event_log, event_counter and the
 * events view (see services/registry/migrations/002_events.sql); the
 * consumer's create event_cursor (producer text PRIMARY KEY, last_seq bigint).
 */
#ifndef PARTRACK_EVENTS_H
#define PARTRACK_EVENTS_H

#include "db.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t seq;
    const char *type;       /* the payload message's name: "TaskAssigned", ... */
    const char *unit_code;  /* the unit the event concerns, may be NULL */
    const uint8_t *payload; /* encoded protobuf, may be empty */
    size_t payload_len;
    const char *created_at;
} event_t;

/* Appends one event inside the caller's open transaction. Returns 0 and the
 * event's sequence number in *seq, or -1 (the caller rolls back). */
int events_append(db_t *db, const char *producer, const char *type, const char *unit_code,
                  const uint8_t *payload, size_t payload_len, int64_t *seq);

/* Appends n events inside the caller's open transaction with one counter
 * update and one INSERT: event i gets sequence number *first + i. Payloads
 * may be NULL (empty). Returns 0, or -1 (the caller rolls back). */
int events_append_batch(db_t *db, const char *producer, size_t n, const char *const *types,
                        const char *const *unit_codes, const uint8_t *const *payloads,
                        const size_t *payload_lens, int64_t *first);

typedef struct events_pub events_pub_t;

/* Binds a PUB socket for wake-ups. Returns NULL with a reason on failure. */
events_pub_t *events_pub_new(void *zmq_ctx, const char *endpoint, const char *producer,
                             char *errbuf, size_t errlen);
void events_pub_destroy(events_pub_t **self_p);

/* Tells subscribers that events up to `seq` are committed. Never blocks. */
void events_pub_wake(events_pub_t *self, int64_t seq);

/* Handler for one event, called inside the consumer's transaction. Returns 0,
 * or -1 to roll the whole batch back (it will be offered again). */
typedef int (*events_handler_fn)(db_t *db, const event_t *event, void *arg);

/* Applies up to `batch` events of `producer` after the cursor of `consumer`.
 * Returns the number applied (0 when up to date), or -1 on failure with
 * db_error(db) telling why (nothing was applied). */
int events_consume(db_t *db, const char *consumer, const char *producer, int batch,
                   events_handler_fn handler, void *arg);

/* Called once per batch of at least one event, after the handler has seen
 * the batch's last event and before the cursor moves and COMMIT, inside the
 * same transaction: for a consumer that gathers a batch's effects in the
 * handler and writes them at once. Returns 0, or -1 to roll the whole batch
 * back. */
typedef int (*events_flush_fn)(db_t *db, void *arg);

/* events_consume with a flush hook (NULL: none, as events_consume). When it
 * returns -1 the batch was rolled back: whatever the handler gathered for
 * the flush is the caller's to drop. */
int events_consume_flushed(db_t *db, const char *consumer, const char *producer, int batch,
                           events_handler_fn handler, events_flush_fn flush, void *arg);

/* Subscribes to a producer's wake-ups; events_wait returns when one arrives
 * or after timeout_ms, whichever comes first (1 if woken, 0 on timeout). */
typedef struct events_sub events_sub_t;
events_sub_t *events_sub_new(void *zmq_ctx, const char *endpoint, const char *producer,
                             char *errbuf, size_t errlen);
void events_sub_destroy(events_sub_t **self_p);
int events_wait(events_sub_t *self, int timeout_ms);

/* The SUB socket, to poll it with others; after it polls ready, call
 * events_wait(self, 0) to take the wake-ups in. */
void *events_sub_socket(events_sub_t *self);

#endif
