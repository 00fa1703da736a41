/* strmap.c - a map from strings to pointers (see the header)
 *
 * Slots hold a key (NULL: empty), its hash and the value. Nothing is ever
 * removed on its own, only all at once, so probing needs no tombstones.
 */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_CAPACITY 64

typedef struct {
    char *key; /* owned; NULL: an empty slot */
    uint64_t hash;
    void *value;
} slot_t;

struct strmap {
    slot_t *slots;
    size_t capacity; /* a power of two */
    size_t size;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/* The slot holding key, or the empty slot where it would go. */
static slot_t *find(slot_t *slots, size_t capacity, const char *key, uint64_t hash)
{
    size_t mask = capacity - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        slot_t *s = &slots[i];
        if (!s->key || (s->hash == hash && strcmp(s->key, key) == 0))
            return s;
    }
}

static int grow(strmap_t *self)
{
    size_t capacity = self->capacity * 2;
    slot_t *slots = calloc(capacity, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < self->capacity; i++)
        if (self->slots[i].key)
            *find(slots, capacity, self->slots[i].key, self->slots[i].hash) = self->slots[i];
    free(self->slots);
    self->slots = slots;
    self->capacity = capacity;
    return 0;
}

strmap_t *strmap_new(void)
{
    strmap_t *self = calloc(1, sizeof *self);
    if (!self || !(self->slots = calloc(FIRST_CAPACITY, sizeof *self->slots))) {
        free(self);
        return NULL;
    }
    self->capacity = FIRST_CAPACITY;
    return self;
}

void strmap_destroy(strmap_t **self_p, strmap_free_fn free_value)
{
    if (!self_p || !*self_p)
        return;
    strmap_clear(*self_p, free_value);
    free((*self_p)->slots);
    free(*self_p);
    *self_p = NULL;
}

void *strmap_get(const strmap_t *self, const char *key)
{
    slot_t *s = find(self->slots, self->capacity, key, fnv1a(key));
    return s->key ? s->value : NULL;
}

int strmap_put(strmap_t *self, const char *key, void *value)
{
    uint64_t hash = fnv1a(key);
    slot_t *s = find(self->slots, self->capacity, key, hash);
    if (s->key) {
        s->value = value;
        return 0;
    }
    char *copy = strdup(key);
    if (!copy)
        return -1;
    if (2 * (self->size + 1) > self->capacity) {
        if (grow(self) < 0) {
            free(copy);
            return -1;
        }
        s = find(self->slots, self->capacity, key, hash);
    }
    *s = (slot_t){copy, hash, value};
    self->size++;
    return 0;
}

void strmap_clear(strmap_t *self, strmap_free_fn free_value)
{
    if (self->size == 0)
        return;
    for (size_t i = 0; i < self->capacity; i++) {
        slot_t *s = &self->slots[i];
        if (!s->key)
            continue;
        if (free_value)
            free_value(s->value);
        free(s->key);
        *s = (slot_t){0};
    }
    self->size = 0;
}

size_t strmap_size(const strmap_t *self)
{
    return self->size;
}
