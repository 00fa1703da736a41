/* registry_server.h - the registry's request loop: unit directory requests
 *
 * Owns the ROUTER socket and the event PUB socket; borrows the database
 * connection and the working-day calendar (plan deadlines). Each request is handled to the end
 * before the next: reads straight from the database, mutations in one transaction with their events
 * and their idempotency record, replied to only after COMMIT. A database
 * failure is answered with ERR_UNAVAILABLE (retryable) and the loop goes on;
 * the connection is re-made on the next request.
 */
#ifndef PARTRACK_REGISTRY_SERVER_H
#define PARTRACK_REGISTRY_SERVER_H

#include "db.h"
#include "workcal.h"

#include <stddef.h>

typedef struct registry_server registry_server_t;

/* Binds both endpoints. ingest_endpoint is only told to publishers
 * (PublisherReply; copied). Returns NULL with a reason. Caller destroys. */
registry_server_t *registry_server_new(void *zmq_ctx, db_t *db, const workcal_t *cal,
                                       const char *endpoint, const char *events_endpoint,
                                       const char *ingest_endpoint, size_t max_msg_bytes,
                                       char *errbuf, size_t errlen);
void registry_server_destroy(registry_server_t **self_p);

/* Handles at most one request, waiting up to timeout_ms for it. Returns 1 if
 * one was handled, 0 if none came, -1 if interrupted by a signal. */
int registry_server_step(registry_server_t *self, int timeout_ms);

/* Wakes the registry's event consumers: events up to seq are committed
 * (by another thread of the registry: the ingest endpoint). */
void registry_server_wake(registry_server_t *self, int64_t seq);

/* The request socket, to poll it with others. */
void *registry_server_socket(registry_server_t *self);

#endif
