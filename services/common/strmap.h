/* strmap.h - a map from strings to pointers, for lookups kept in memory
 *
 * Open addressing with linear probing over a power-of-two table (at most
 * half full), FNV-1a hashes. The map copies its keys and borrows its values:
 * what a value points to is the caller's, handed back to the caller's
 * free function (or not, if NULL) by strmap_clear and strmap_destroy.
 * Values are never NULL (NULL means "not there"). Not thread-safe.
 */
#ifndef PARTRACK_STRMAP_H
#define PARTRACK_STRMAP_H

#include <stddef.h>

typedef struct strmap strmap_t;

typedef void (*strmap_free_fn)(void *value);

/* An empty map; NULL when out of memory. Destroy with strmap_destroy. */
strmap_t *strmap_new(void);

/* Frees the map and its keys, and each value with free_value (may be
 * NULL). Takes NULL; clears the pointer. */
void strmap_destroy(strmap_t **self_p, strmap_free_fn free_value);

/* The value under key, or NULL. */
void *strmap_get(const strmap_t *self, const char *key);

/* Puts value (not NULL) under key; a key there already gets the new value
 * (the old one stays the caller's). Returns 0, or -1 when out of memory
 * (then the map is as it was). */
int strmap_put(strmap_t *self, const char *key, void *value);

/* Empties the map (its table keeps its size), each value to free_value. */
void strmap_clear(strmap_t *self, strmap_free_fn free_value);

size_t strmap_size(const strmap_t *self);

#endif
