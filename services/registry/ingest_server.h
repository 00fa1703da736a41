/* ingest_server.h - the endpoint other systems publish into
 *
 * A thread of the registry with its own database connection: a ROUTER over
 * CURVE (the ingest keypair, ingest_key.h) with ZMQ_ZAP_DOMAIN and
 * ZMQ_ZAP_ENFORCE_DOMAIN set, the ZAP handler (ingest_zap.h) on the same
 * context, ZMQ_MAXMSGSIZE against oversized frames. It takes every message
 * waiting, up to the batch size, applies them in one transaction
 * (ingest_batch.h) and replies to each after COMMIT; a message that is not
 * a valid envelope is answered at once and kept out of the batch. When the
 * database is down every message of the batch gets ERR_UNAVAILABLE (send it
 * again, same key); when a batch fails for a reason of its own, its messages
 * are applied one by one, so one bad message cannot refuse the others.
 * After each commit the thread tells the registry's main loop the last
 * event's sequence number (ingest_server_wake_socket) so consumers wake.
 */
#ifndef PARTRACK_INGEST_SERVER_H
#define PARTRACK_INGEST_SERVER_H

#include <stddef.h>
#include <stdint.h>

typedef struct ingest_server ingest_server_t;

typedef struct {
    const char *endpoint;     /* where to bind, e.g. tcp://127.0.0.1:5553 */
    const char *database_url; /* the thread's own connection */
    int batch;                /* most messages in one transaction */
    int64_t max_skew_ms;      /* how far ahead a publisher's clock may be */
    size_t max_msg_bytes;     /* ZMQ_MAXMSGSIZE */
} ingest_config_t;

/* Starts the thread on `zmq_ctx` (borrowed; the ZAP handler lives on it and
 * answers only CURVE handshakes of the ingest domain). Returns once the
 * endpoint is bound, or NULL with a reason. */
ingest_server_t *ingest_server_start(void *zmq_ctx, const ingest_config_t *config, char *errbuf,
                                     size_t errlen);

/* Stops the thread (it finishes the batch in hand) and frees everything. */
void ingest_server_stop(ingest_server_t **self_p);

/* A PULL socket of the caller's thread: each message is the last event
 * sequence number (int64, host order) of a commit. Poll it and wake the
 * consumers. */
void *ingest_server_wake_socket(ingest_server_t *self);

/* The ingest endpoint's public key (Z85). */
const char *ingest_server_public_key(const ingest_server_t *self);

#endif
