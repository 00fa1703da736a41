/* directory_cache.c - the unit directory kept in memory between requests */
#include "directory_cache.h"

#include "unit_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct directory_cache {
    directory_t *dir;
    char stamp[96];
};

directory_cache_t *directory_cache_new(void)
{
    return calloc(1, sizeof(directory_cache_t));
}

void directory_cache_destroy(directory_cache_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    directory_destroy(&(*self_p)->dir);
    free(*self_p);
    *self_p = NULL;
}

const directory_t *directory_cache_get(directory_cache_t *self, db_t *db)
{
    db_status_t st;
    /* One row, moved on by every change to units or aliases (migration 014). */
    PGresult *res =
        db_exec(db, "SELECT version::text FROM registry.directory_version", 0, NULL, &st);
    if (!res)
        return NULL;
    char stamp[96];
    snprintf(stamp, sizeof stamp, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (self->dir && strcmp(stamp, self->stamp) == 0)
        return self->dir;
    directory_t *fresh = unit_store_load_directory(db);
    if (!fresh)
        return NULL;
    directory_destroy(&self->dir);
    self->dir = fresh;
    snprintf(self->stamp, sizeof self->stamp, "%s", stamp);
    return self->dir;
}
