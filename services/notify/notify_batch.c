/* notify_batch.c - the feed entries of one batch of events (see the header)
 *
 * Entries live in a growing array; their strings in an arena of blocks
 * that is emptied, not freed, between batches. The strings an event gives
 * all its recipients (kind, dedupe, text...) are copied once per event.
 */
#include "notify_batch.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_BYTES (256 * 1024)

typedef struct block {
    struct block *next;
    size_t used, size;
    char data[];
} block_t;

struct notify_batch {
    notify_entry_t *entries;
    size_t n, cap;
    block_t *blocks; /* the newest first */
};

notify_batch_t *notify_batch_new(void)
{
    return calloc(1, sizeof(notify_batch_t));
}

void notify_batch_destroy(notify_batch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (block_t *b = (*self_p)->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free((*self_p)->entries);
    free(*self_p);
    *self_p = NULL;
}

/* A copy of s (NULL stays NULL) in the arena; *failed set when out of
 * memory. */
static const char *keep(notify_batch_t *self, const char *s, bool *failed)
{
    if (!s)
        return NULL;
    size_t len = strlen(s) + 1;
    block_t *b = self->blocks;
    if (!b || b->size - b->used < len) {
        size_t size = len > BLOCK_BYTES ? len : BLOCK_BYTES;
        if (!(b = malloc(sizeof *b + size))) {
            *failed = true;
            return NULL;
        }
        *b = (block_t){.next = self->blocks, .size = size};
        self->blocks = b;
    }
    char *copy = memcpy(b->data + b->used, s, len);
    b->used += len;
    return copy;
}

int notify_batch_add(notify_batch_t *self, const notify_entry_t *entry,
                     const notify_recipient_t *to, size_t n)
{
    if (n == 0)
        return 0;
    if (self->n + n > self->cap) {
        size_t cap = self->cap ? self->cap : 256;
        while (cap < self->n + n)
            cap *= 2;
        notify_entry_t *grown = realloc(self->entries, cap * sizeof *grown);
        if (!grown)
            return -1;
        self->entries = grown;
        self->cap = cap;
    }
    bool failed = false;
    notify_entry_t shared = *entry;
    shared.kind = keep(self, entry->kind, &failed);
    shared.dedupe = keep(self, entry->dedupe, &failed);
    shared.source = keep(self, entry->source, &failed);
    shared.level = keep(self, entry->level, &failed);
    shared.text = keep(self, entry->text, &failed);
    for (size_t i = 0; i < n && !failed; i++) {
        notify_entry_t *e = &self->entries[self->n + i];
        *e = shared;
        e->person_id = keep(self, to[i].person_id, &failed);
        e->unit_code = keep(self, to[i].unit_code, &failed);
    }
    if (failed)
        return -1; /* the copies made stay in the arena until the batch ends */
    self->n += n;
    return 0;
}

size_t notify_batch_count(const notify_batch_t *self)
{
    return self->n;
}

long notify_batch_write(notify_batch_t *self, db_t *db)
{
    long written = notify_feed_append(db, self->entries, self->n);
    notify_batch_clear(self);
    return written;
}

void notify_batch_clear(notify_batch_t *self)
{
    self->n = 0;
    /* Keep the newest block for the next batch, free the others. */
    block_t *b = self->blocks;
    if (!b)
        return;
    for (block_t *old = b->next, *next; old; old = next) {
        next = old->next;
        free(old);
    }
    b->next = NULL;
    b->used = 0;
}
