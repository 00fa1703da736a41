/* notify_feed.h - appending to people's feeds
 *
 * Each person's feed is numbered 1, 2, 3... with no gap and no repeat: the
 * numbers are taken from notify.feed_head in the transaction that writes
 * the entries (a rolled-back batch takes none), and an entry whose person
 * and `dedupe` key exist already is skipped before it takes a number (never
 * two entries for the same occurrence and level).
 */
#ifndef PARTRACK_NOTIFY_FEED_H
#define PARTRACK_NOTIFY_FEED_H

#include "db.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *person_id;
    const char *kind;               /* due_soon, due, overdue, escalated, stale, recomputed... */
    const char *dedupe;             /* what it is about: "occ:12:overdue" */
    const char *source;             /* the event: "deadline:345" */
    int64_t occurrence_id, task_id; /* 0: none */
    const char *level, *unit_code;  /* may be NULL */
    const char *text;
} notify_entry_t;

/* Appends entries[0..n) in the caller's transaction, in order. Returns how
 * many were written (the rest were there already), or -1. */
long notify_feed_append(db_t *db, const notify_entry_t *entries, size_t n);

#endif
