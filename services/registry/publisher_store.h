/* publisher_store.h - publishers (other systems that publish into partrack)
 * in PostgreSQL (registry.publisher)
 *
 * A publisher is a name, the CURVE public key it connects with and a scope
 * (unit codes whose subtrees it may touch). Names and keys are never reused:
 * a revoked publisher keeps its row, so an add under its name or with its
 * key is refused. Every add and revocation writes an audit row (entity
 * 'publisher') in the caller's transaction. The Publisher messages returned
 * are the store's own allocations: free them with publisher_store_free.
 */
#ifndef PARTRACK_PUBLISHER_STORE_H
#define PARTRACK_PUBLISHER_STORE_H

#include "db.h"
#include "ingest.pb-c.h"
#include "problems.h"

#include <stdbool.h>
#include <stddef.h>

/* Adds a problem (field "name" or "public_key") for the name and for the
 * key if a publisher - revoked or not - has it. Returns the number of
 * problems added, or -1 on a database failure. */
int publisher_store_check_taken(db_t *db, const char *name, const char *public_key,
                                problems_t *problems);

/* Adds a publisher (name, key and scope already checked by the caller). A
 * name or key taken meanwhile is told as publisher_store_check_taken tells
 * it and nothing is written. Returns 0 with *out set (caller frees with
 * publisher_store_free), 1 refused, -1 database failure. */
int publisher_store_add(db_t *db, const char *name, const char *public_key,
                        const char *const *scope, size_t nscope, const char *actor,
                        Partrack__Publisher **out, problems_t *problems);

typedef enum {
    PUBLISHER_REVOKED = 0,         /* revoked now */
    PUBLISHER_UNKNOWN = 1,         /* no such name */
    PUBLISHER_ALREADY_REVOKED = 2, /* *out is the publisher as it was */
    PUBLISHER_DB_FAILURE = -1,
} publisher_revoke_t;

/* Sets revoked_at = now() of publisher `name`, unless already revoked.
 * *out is the publisher (NULL when unknown); caller frees with
 * publisher_store_free. */
publisher_revoke_t publisher_store_revoke(db_t *db, const char *name, const char *actor,
                                          Partrack__Publisher **out);

/* Every publisher (revoked ones too when include_revoked), by name, into a
 * NULL-terminated array in *out with the count in *n. Caller frees with
 * publisher_store_free_list. Returns 0, or -1 on a database failure. */
int publisher_store_list(db_t *db, bool include_revoked, Partrack__Publisher ***out, size_t *n);

void publisher_store_free(Partrack__Publisher *p);
void publisher_store_free_list(Partrack__Publisher **list, size_t n);

#endif
