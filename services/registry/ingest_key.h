/* ingest_key.h - the ingest endpoint's CURVE keypair
 *
 * Made at the registry's first start and kept in registry.ingest_key, so
 * every registry process on the database (and every restart) serves the same
 * key, and the key files of publishers stay valid.
 */
#ifndef PARTRACK_INGEST_KEY_H
#define PARTRACK_INGEST_KEY_H

#include "db.h"
#include "keyfile.h"

/* The keypair into k->public_key and k->secret_key, made and stored if
 * there is none yet. Returns 0, or -1 (database failure). */
int ingest_key_get(db_t *db, keyfile_t *k);

#endif
