/* directory_cache.h - the unit directory kept in memory between requests
 *
 * Loading the directory is most of the cost of resolving names; units change
 * rarely. The cache reloads when the directory's version (one row,
 * registry.directory_version, moved on to a fresh sequence number by every
 * statement that writes units or aliases) differs from the one loaded.
 * Several registry instances each keep their own cache and see each other's
 * changes the same way.
 */
#ifndef PARTRACK_DIRECTORY_CACHE_H
#define PARTRACK_DIRECTORY_CACHE_H

#include "db.h"
#include "directory.h"

typedef struct directory_cache directory_cache_t;

directory_cache_t *directory_cache_new(void);
void directory_cache_destroy(directory_cache_t **self_p);

/* The current directory (owned by the cache, valid until the next call), or
 * NULL with db_error(db) on a database failure. Works inside the caller's
 * transaction. */
const directory_t *directory_cache_get(directory_cache_t *self, db_t *db);

#endif
