/* notify_batch.h - the feed entries of one batch of events, written at once
 *
 * While a batch of events is handled, each event adds its entries (one per
 * recipient); at the end of the batch notify_batch_write appends them all
 * with one notify_feed_append, in the consumer's transaction and in the
 * order they were added: event order, so each person's entries are
 * numbered in the order of the events they come from. The batch copies
 * every string it is given.
 */
#ifndef PARTRACK_NOTIFY_BATCH_H
#define PARTRACK_NOTIFY_BATCH_H

#include "db.h"
#include "notify_directory.h"
#include "notify_feed.h"

#include <stddef.h>

typedef struct notify_batch notify_batch_t;

/* An empty batch; NULL when out of memory. Destroy with
 * notify_batch_destroy. */
notify_batch_t *notify_batch_new(void);
void notify_batch_destroy(notify_batch_t **self_p);

/* Adds one entry per recipient: `entry` (its person_id and unit_code
 * ignored) for to[i].person_id about to[i].unit_code. Returns 0, or -1 when
 * out of memory (then nothing was added). */
int notify_batch_add(notify_batch_t *self, const notify_entry_t *entry,
                     const notify_recipient_t *to, size_t n);

/* How many entries wait to be written. */
size_t notify_batch_count(const notify_batch_t *self);

/* Appends every entry waiting in the caller's transaction (nothing to do
 * when none) and empties the batch. Returns how many were written (the
 * others were in the feeds already), or -1 (db_error; the caller rolls
 * back). */
long notify_batch_write(notify_batch_t *self, db_t *db);

/* Empties the batch without writing: its transaction was rolled back. */
void notify_batch_clear(notify_batch_t *self);

#endif
