/* rpc.h - DEALER -> ROUTER request/reply over ZeroMQ
 *
 * Server side: a ROUTER socket with ZMQ_MAXMSGSIZE set, so an oversized frame
 * drops the peer inside libzmq instead of reaching memory. rpc_server_next
 * waits for one request, validates its envelope, and answers bad ones itself
 * (wrong frame count, undecodable, unknown type...), so handlers only ever see
 * valid envelopes. Replies echo the correlation id.
 *
 * Client side: a DEALER socket per call attempt ("lazy pirate"): send, wait up
 * to the attempt timeout, and on silence close the socket and send again with
 * the same idempotency key; on a retryable error code back off and send
 * again; stop at the overall deadline. The caller gets the reply envelope.
 */
#ifndef PARTRACK_RPC_H
#define PARTRACK_RPC_H

#include "msg.h"

#include <stddef.h>

typedef struct rpc_server rpc_server_t;

/* One received request; owned by the server until the next rpc_server_next. */
typedef struct {
    msg_envelope_t *env;
    const uint8_t *peer; /* ROUTER identity of the sender */
    size_t peer_len;
    bool replied;
} rpc_request_t;

/* Binds a ROUTER on `endpoint`. Returns NULL with a reason on failure.
 * Caller destroys with rpc_server_destroy. `zmq_ctx` is borrowed. */
rpc_server_t *rpc_server_new(void *zmq_ctx, const char *endpoint, size_t max_msg_bytes,
                             char *errbuf, size_t errlen);
void rpc_server_destroy(rpc_server_t **self_p);

/* Waits up to timeout_ms for a valid request. Returns 1 and fills *req, 0 on
 * timeout or after answering an invalid message itself, -1 if interrupted. */
int rpc_server_next(rpc_server_t *self, int timeout_ms, rpc_request_t *req);

/* Replies to req with a payload (NULL for none). Returns 0 or -1. */
int rpc_server_reply(rpc_server_t *self, rpc_request_t *req, Partrack__MessageType type,
                     const ProtobufCMessage *payload);

/* Replies with a payload already encoded (a stored reply). Returns 0 or -1. */
int rpc_server_reply_bytes(rpc_server_t *self, rpc_request_t *req, Partrack__MessageType type,
                           const uint8_t *payload, size_t payload_len);

/* Replies with an ErrorReply carrying a code, a sentence and problems. */
int rpc_server_reply_error(rpc_server_t *self, rpc_request_t *req, Partrack__ErrorCode code,
                           const char *message, Partrack__Problem **problems, size_t nproblems);

/* Frees the request's envelope (the server also does it on the next call). */
void rpc_request_done(rpc_request_t *req);

/* The ROUTER socket (for tests and poll loops). */
void *rpc_server_socket(rpc_server_t *self);

/* Client call. Sends `payload` as `type` to `endpoint`, retrying as described
 * above until timeout_ms passes. Returns the reply envelope (the caller closes
 * it with msg_close; an ErrorReply is a reply too), or NULL with a reason when
 * no reply came in time. `idempotency_key` may be NULL for reads. */
msg_envelope_t *rpc_call(void *zmq_ctx, const char *endpoint, Partrack__MessageType type,
                         const ProtobufCMessage *payload, const char *idempotency_key,
                         int timeout_ms, char *errbuf, size_t errlen);

#endif
