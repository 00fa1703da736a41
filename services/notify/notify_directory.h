/* notify_directory.h - who hears news about units, and what units are
 * called, looked up once per batch
 *
 * Recipients come from the registry's documented views registry.units and
 * registry.people, and from notify.follow. A batch of events asks the same
 * questions again and again (a thousand updates of one unit's tasks ask a
 * thousand times who heads it): each distinct question goes to the
 * database once and its answer is kept until notify_directory_forget, which
 * the consumer calls at the end of every batch. People, heads and followers
 * change, so no answer outlives the batch (the transaction) that asked.
 */
#ifndef PARTRACK_NOTIFY_DIRECTORY_H
#define PARTRACK_NOTIFY_DIRECTORY_H

#include "db.h"

#include <stddef.h>

/* Who receives: how the units given are looked at. */
typedef enum {
    NOTIFY_TO_PEOPLE,       /* everyone of the units */
    NOTIFY_TO_HEADS,        /* the units' heads */
    NOTIFY_TO_PARENT_HEADS, /* their parent units' heads */
} notify_audience_t;

typedef struct {
    const char *person_id;
    const char *unit_code; /* the unit the person hears it for */
} notify_recipient_t;

typedef struct notify_directory notify_directory_t;

/* NULL when out of memory. Destroy with notify_directory_destroy. */
notify_directory_t *notify_directory_new(void);
void notify_directory_destroy(notify_directory_t **self_p);

/* The recipients of news about units[0..n) for an audience, one per
 * person, in person order; followers of the units included (a person who
 * is also a follower hears it for the unit they are in or head). *out
 * points into the directory (valid until notify_directory_forget). Returns
 * the count, or -1 when the database failed (db_error) or out of memory. */
long notify_directory_recipients(notify_directory_t *self, db_t *db, char *const *units, size_t n,
                                 notify_audience_t to, const notify_recipient_t **out);

/* The unit's name as the registry has it (the code itself for an unknown
 * unit), valid until notify_directory_forget; NULL when the database failed
 * or out of memory. */
const char *notify_directory_unit_name(notify_directory_t *self, db_t *db, const char *code);

/* Drops every answer kept: at the end of each batch. */
void notify_directory_forget(notify_directory_t *self);

#endif
