/* ingest_zap.h - who may connect to the ingest endpoint
 *
 * The lookup for zap_answer (services/common/zap.h): a client is let in when
 * its public key belongs to a publisher that is not revoked; its User-Id is
 * the key itself (the batch reads the publisher from it, and checks again
 * that it is not revoked, for every message). The key is looked up at each
 * handshake: a revocation takes effect at the next connection.
 */
#ifndef PARTRACK_INGEST_ZAP_H
#define PARTRACK_INGEST_ZAP_H

#include "db.h"
#include "zap.h"

#define INGEST_ZAP_DOMAIN "partrack-ingest"

/* A zap_lookup_fn; arg is the ingest thread's db_t. */
zap_status_t ingest_zap_lookup(const char *key, char *user_id, size_t user_len, char *name,
                               size_t name_len, void *arg);

#endif
