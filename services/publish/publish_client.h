/* publish_client.h - publishing into the registry's ingest endpoint
 *
 * A publisher (another system, holding a key file from `partrack publisher
 * add`) sends task updates and measurements to the registry's ingest
 * endpoint: a DEALER over CURVE with the key file's keypair and the server
 * key it names. Each message is an envelope with a fresh correlation id, the
 * caller's idempotency key and the time it was queued (sent_at_ms); the
 * registry answers each after COMMIT with an IngestAck or an ErrorReply.
 *
 * Up to `window` messages are in flight at once; publish_client_send blocks
 * (taking replies in) while the window is full, and publish_client_result
 * hands out finished messages, each with the caller's tag, in the order
 * they finish. The client retries by itself, always with the same envelope
 * bytes (same idempotency key, so the registry stores a message once and
 * answers a resend with its first acknowledgement, marked duplicate):
 *   - a retryable error (ERR_UNAVAILABLE, ERR_OVERLOADED, ERR_INTERNAL) is
 *     sent again after a backoff (100 ms doubling to 5 s, per message);
 *   - a message without a reply within the attempt timeout is sent again;
 *     if nothing at all came back since the oldest of them was sent, the
 *     connection is suspected dead: the socket is closed, a new one opened
 *     and everything in flight sent again (lazy pirate). While a socket has
 *     not completed its CURVE handshake, its messages wait in its queue and
 *     it is kept (libzmq keeps trying to connect): no new socket per
 *     timeout (a handshake not done within it is started again by libzmq,
 *     so a registry whose database is down at that moment is asked again);
 *     unless the server refused a handshake of it (libzmq gives such a
 *     socket up), then it is replaced at the next attempt timeout;
 *   - the registry refusing the key itself at the handshake (an unknown or
 *     revoked publisher: ZAP status 400) ends every message at once, as
 *     nothing sent with that key can succeed;
 *   - a message still unanswered (or only answered with retryable errors)
 *     when its deadline passes is given up: its result says so.
 * A permanent error (ERR_FORBIDDEN, ERR_INVALID, ...) ends the message.
 *
 * One thread uses a client at a time. It owns its sockets on the caller's
 * ZeroMQ context, which must outlive it.
 */
#ifndef PARTRACK_PUBLISH_CLIENT_H
#define PARTRACK_PUBLISH_CLIENT_H

#include "envelope.pb-c.h"
#include "keyfile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PUBLISH_WINDOW_MAX 100000

typedef struct publish_client publish_client_t;

/* Options; a field left 0 takes its default. */
typedef struct {
    int window;             /* messages in flight, 1..100000 (1000) */
    int attempt_timeout_ms; /* no reply in this time: send again (5000) */
    int deadline_ms;        /* give a message up after this, from its queueing (60000) */
    int backoff_ms;         /* first wait after a retryable error, doubling (100) */
    int backoff_max_ms;     /* the longest wait (5000) */
} publish_options_t;

/* A finished message. */
typedef struct {
    uint64_t tag;             /* the caller's, from publish_client_send */
    Partrack__ErrorCode code; /* ERR_NONE: stored (now, or by an earlier send) */
    bool duplicate;           /* stored before, under the same key */
    bool answered;            /* false: the registry never answered it (given up in
                                 silence, or the key was refused at connection) */
    int64_t id;               /* the stored task update or measurement */
    int64_t task_id;          /* a task update: its task; 0 otherwise */
    int attempts;             /* times the envelope was sent */
    char message[512];        /* why not stored (code != ERR_NONE), else "" */
} publish_result_t;

/* What the client knows of its connection. */
typedef enum {
    PUBLISH_LINK_WAITING, /* no CURVE handshake has completed yet */
    PUBLISH_LINK_UP,      /* a handshake completed: the registry accepted the key */
    PUBLISH_LINK_REFUSED, /* the registry refused the key: unknown or revoked publisher */
} publish_link_t;

/* A client for the publisher of `key` (borrowed; copied) connecting to
 * `endpoint` (NULL: the key file's). `opt` may be NULL (defaults). The key
 * needs its public, secret and server keys. Returns NULL with a reason in
 * err on bad options or keys, or when ZeroMQ cannot make the socket.
 * Nothing is sent yet. Destroy with publish_client_destroy. */
publish_client_t *publish_client_new(void *zmq_ctx, const keyfile_t *key, const char *endpoint,
                                     const publish_options_t *opt, char *err, size_t errlen);

/* Frees everything; messages still in flight are dropped (their results
 * never come). Takes NULL; clears the pointer. */
void publish_client_destroy(publish_client_t **c);

/* Queues one message: `payload` (borrowed, packed at once) as `type`
 * (MSG_INGEST_TASK_UPDATE or MSG_INGEST_MEASUREMENT) under
 * `idempotency_key` (1 to 128 bytes; the caller makes it unique per
 * distinct message) and sends it. While the window is full it first takes
 * replies in, so results become available. `tag` comes back in the result.
 * Returns 0, or -1 (bad arguments, out of memory, a socket failure): the
 * message was not queued. */
int publish_client_send(publish_client_t *c, Partrack__MessageType type,
                        const ProtobufCMessage *payload, const char *idempotency_key, uint64_t tag);

/* The next finished message into *out, waiting up to timeout_ms (< 0:
 * until one finishes). Returns 1 got one, 0 none within the timeout (or
 * nothing in flight), -1 a socket failure or interruption (EINTR). With a
 * timeout of 0 it is a cheap look, fit for a loop that also sends: a look
 * within 0.2 ms of one that found nothing does not touch the socket. */
int publish_client_result(publish_client_t *c, publish_result_t *out, int timeout_ms);

/* Messages queued and not finished yet. */
int publish_client_in_flight(const publish_client_t *c);

/* Finished messages waiting for publish_client_result. */
size_t publish_client_pending_results(const publish_client_t *c);

/* The connection as far as known; *detail (if not NULL) gets a sentence
 * about the last handshake problem, or NULL. */
publish_link_t publish_client_link(const publish_client_t *c, const char **detail);

/* Whether the registry has answered anything since the client was made. */
bool publish_client_answered(const publish_client_t *c);

/* The endpoint in use. */
const char *publish_client_endpoint(const publish_client_t *c);

#endif
