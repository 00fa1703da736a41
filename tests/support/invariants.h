/* invariants.h - what must hold in a partrack database whatever happened to
 * its services: counted, not asserted
 *
 * The durability test and the chaos run check the same things after their
 * crashes: every event log numbered 1..n without a gap, consumers' cursors
 * at their producers' ends, every feed numbered 1..n with no subject told
 * twice, each published update stored once, each task's status its last
 * update's, and the status news the stored updates call for. Each function
 * counts with SQL on database `db` (through the harness) and fills a struct
 * of numbers; the caller judges them (asserts in a test, prints in the chaos
 * run). Each returns 0, or -1 when a query failed (the numbers are then not
 * to be trusted).
 */
#ifndef PARTRACK_INVARIANTS_H
#define PARTRACK_INVARIANTS_H

#include <stdbool.h>
#include <stdint.h>

/* A producer's event log (<producer>.event_log and its event_counter). */
typedef struct {
    long events;      /* rows */
    long first, last; /* lowest and highest sequence number (0: none) */
    long counter;     /* the counter's last_seq */
} inv_event_log_t;

int inv_event_log(const char *db, const char *producer, inv_event_log_t *out);

/* Numbered 1..counter, each number once. */
bool inv_event_log_whole(const inv_event_log_t *log);

/* Where `consumer` is in `producer`'s stream: its cursor (-1 before it has
 * one) and the producer's last sequence number. */
typedef struct {
    long cursor, last;
} inv_cursor_t;

int inv_cursor(const char *db, const char *consumer, const char *producer, inv_cursor_t *out);

/* Every person's feed (notify.entry, notify.feed_head). */
typedef struct {
    long people, entries;
    long gaps;      /* feeds not numbered 1..n, each number once */
    long bad_heads; /* feed heads that are not their feed's last entry */
    long repeats;   /* (person, subject) told more than once */
} inv_feeds_t;

int inv_feeds(const char *db, inv_feeds_t *out);

/* The task updates of publisher `actor` whose note is `prefix` followed by a
 * message number in [0, n): ids[k] gets the id of the row holding note k
 * (0: none; the last one if repeated). */
typedef struct {
    long rows;     /* the actor's task updates */
    long notes;    /* distinct notes among them */
    long strays;   /* rows whose note is not prefix + a number in [0, n) */
    long repeated; /* notes stored more than once */
} inv_notes_t;

int inv_updates_by_note(const char *db, const char *actor, const char *prefix, long n, int64_t *ids,
                        inv_notes_t *out);

/* Tasks whose status is not their last stored status update's ('open'
 * without any); -1 when the query failed. */
long inv_tasks_off_last_status(const char *db);

/* The news of status changes: for each stored update whose status differs
 * from the one before (in stored order; tasks start open), one entry
 * (task_done, task_cancelled, task_reopened) for each head of the task's
 * lead units and each follower of them, none for progress alone. */
typedef struct {
    long changes;  /* stored updates that change a task's status */
    long expected; /* entries they call for */
    long stored;   /* status entries in the feeds */
    long missing;  /* expected, not stored */
    long extra;    /* stored, not expected */
} inv_status_news_t;

int inv_status_news(const char *db, inv_status_news_t *out);

#endif
