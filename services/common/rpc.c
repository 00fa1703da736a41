/* rpc.c - DEALER -> ROUTER request/reply over ZeroMQ
 *
 * The client sends one frame (the envelope); the ROUTER sees [identity,
 * envelope]. Anything else is answered with ERR_BAD_MESSAGE when the identity
 * is there, and dropped otherwise. The client's attempt timeout starts at 2 s
 * and doubles up to 8 s; retryable error replies are retried after 250 ms
 * doubling to 2 s, both bounded by the caller's overall deadline.
 */
#include "rpc.h"

#include "log.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

struct rpc_server {
    void *router;
    size_t max_msg;
    zmq_msg_t identity;
    bool has_identity;
};

rpc_server_t *rpc_server_new(void *zmq_ctx, const char *endpoint, size_t max_msg_bytes,
                             char *errbuf, size_t errlen)
{
    rpc_server_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    self->max_msg = max_msg_bytes;
    self->router = zmq_socket(zmq_ctx, ZMQ_ROUTER);
    if (!self->router)
        goto fail;
    /* Frames over the application cap by more than the envelope overhead are
     * cut off by libzmq, which closes that peer's connection. */
    int64_t maxsize = (int64_t)max_msg_bytes + 4096;
    int linger = 1000, hwm = 10000, mandatory = 0;
    zmq_setsockopt(self->router, ZMQ_MAXMSGSIZE, &maxsize, sizeof maxsize);
    zmq_setsockopt(self->router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(self->router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->router, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof mandatory);
    if (zmq_bind(self->router, endpoint) != 0)
        goto fail;
    return self;
fail:
    snprintf(errbuf, errlen, "cannot bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
    rpc_server_destroy(&self);
    return NULL;
}

void rpc_server_destroy(rpc_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rpc_server_t *self = *self_p;
    if (self->has_identity)
        zmq_msg_close(&self->identity);
    if (self->router)
        zmq_close(self->router);
    free(self);
    *self_p = NULL;
}

void *rpc_server_socket(rpc_server_t *self)
{
    return self->router;
}

void rpc_request_done(rpc_request_t *req)
{
    msg_close(&req->env);
}

/* Sends [identity, frame] to the peer of the current request. */
static int send_to_peer(rpc_server_t *self, const uint8_t *data, size_t len)
{
    if (!self->has_identity)
        return -1;
    if (zmq_send(self->router, zmq_msg_data(&self->identity), zmq_msg_size(&self->identity),
                 ZMQ_SNDMORE) < 0)
        return -1;
    return zmq_send(self->router, data, len, 0) < 0 ? -1 : 0;
}

static int reply_error_raw(rpc_server_t *self, const char *correlation_id, Partrack__ErrorCode code,
                           const char *message, Partrack__Problem **problems, size_t nproblems)
{
    /* Handlers quote requests in their messages, cut to their buffers maybe
     * inside a letter: a reply whose message is not UTF-8 would be refused
     * by the client, reason and all. */
    char *scrubbed = NULL;
    if (message && !text_valid_utf8(message, strlen(message), NULL) && (scrubbed = strdup(message)))
        message = text_scrub_utf8(scrubbed);
    Partrack__ErrorReply err = PARTRACK__ERROR_REPLY__INIT;
    err.code = code;
    err.message = (char *)message;
    err.has_retryable = 1;
    err.retryable = msg_code_retryable(code);
    err.problems = problems;
    err.n_problems = nproblems;
    size_t len;
    uint8_t *buf =
        msg_pack(PARTRACK__MESSAGE_TYPE__MSG_ERROR, correlation_id, NULL, &err.base, &len);
    free(scrubbed);
    if (!buf)
        return -1;
    int rc = send_to_peer(self, buf, len);
    free(buf);
    return rc;
}

static void drain_frames(void *socket)
{
    int more = 1;
    size_t size = sizeof more;
    while (zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &size) == 0 && more) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        zmq_msg_recv(&part, socket, 0);
        zmq_msg_close(&part);
    }
}

int rpc_server_next(rpc_server_t *self, int timeout_ms, rpc_request_t *req)
{
    memset(req, 0, sizeof *req);
    zmq_pollitem_t item = {self->router, 0, ZMQ_POLLIN, 0};
    int n = zmq_poll(&item, 1, timeout_ms);
    if (n < 0)
        return errno == EINTR ? -1 : 0;
    if (n == 0)
        return 0;

    if (self->has_identity)
        zmq_msg_close(&self->identity);
    self->has_identity = false;
    zmq_msg_init(&self->identity);
    if (zmq_msg_recv(&self->identity, self->router, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&self->identity);
        return errno == EINTR ? -1 : 0;
    }
    self->has_identity = true;
    if (!zmq_msg_more(&self->identity))
        return 0; /* cannot happen on a ROUTER; nothing to answer */

    zmq_msg_t body;
    zmq_msg_init(&body);
    if (zmq_msg_recv(&body, self->router, 0) < 0) {
        zmq_msg_close(&body);
        return 0;
    }
    bool extra = zmq_msg_more(&body);
    if (extra) {
        zmq_msg_close(&body);
        drain_frames(self->router);
        log_warn("bad request", "reason=\"more than one frame\"");
        reply_error_raw(self, NULL, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE,
                        "a request is one frame holding one envelope", NULL, 0);
        return 0;
    }
    Partrack__ErrorCode code;
    char reason[256];
    msg_envelope_t *env = msg_open(zmq_msg_data(&body), zmq_msg_size(&body), self->max_msg, &code,
                                   reason, sizeof reason);
    zmq_msg_close(&body);
    if (!env) {
        log_warn("bad request", "code=%s reason=\"%s\"", msg_code_name(code), reason);
        reply_error_raw(self, NULL, code, reason, NULL, 0);
        return 0;
    }
    req->env = env;
    req->peer = zmq_msg_data(&self->identity);
    req->peer_len = zmq_msg_size(&self->identity);
    return 1;
}

int rpc_server_reply(rpc_server_t *self, rpc_request_t *req, Partrack__MessageType type,
                     const ProtobufCMessage *payload)
{
    size_t len;
    uint8_t *buf = msg_pack(type, req->env ? req->env->correlation_id : NULL, NULL, payload, &len);
    if (!buf)
        return -1;
    int rc = send_to_peer(self, buf, len);
    free(buf);
    req->replied = true;
    return rc;
}

int rpc_server_reply_bytes(rpc_server_t *self, rpc_request_t *req, Partrack__MessageType type,
                           const uint8_t *payload, size_t payload_len)
{
    size_t len;
    uint8_t *buf = msg_pack_bytes(type, req->env ? req->env->correlation_id : NULL, NULL, payload,
                                  payload_len, &len);
    if (!buf)
        return -1;
    int rc = send_to_peer(self, buf, len);
    free(buf);
    req->replied = true;
    return rc;
}

int rpc_server_reply_error(rpc_server_t *self, rpc_request_t *req, Partrack__ErrorCode code,
                           const char *message, Partrack__Problem **problems, size_t nproblems)
{
    req->replied = true;
    return reply_error_raw(self, req->env ? req->env->correlation_id : NULL, code, message,
                           problems, nproblems);
}

/* ---- client ---- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* One attempt: 1 = got a reply in *out, 0 = silence, -1 = socket error. */
static int call_once(void *zmq_ctx, const char *endpoint, const uint8_t *frame, size_t len,
                     const char *correlation_id, int wait_ms, msg_envelope_t **out, char *errbuf,
                     size_t errlen)
{
    int rc = -1;
    void *dealer = zmq_socket(zmq_ctx, ZMQ_DEALER);
    if (!dealer) {
        snprintf(errbuf, errlen, "cannot make a socket: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    int linger = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(dealer, endpoint) != 0) {
        snprintf(errbuf, errlen, "cannot connect to %s: %s", endpoint, zmq_strerror(zmq_errno()));
        goto done;
    }
    if (zmq_send(dealer, frame, len, 0) < 0) {
        snprintf(errbuf, errlen, "cannot send to %s: %s", endpoint, zmq_strerror(zmq_errno()));
        goto done;
    }
    int64_t deadline = msg_now_ms() + wait_ms;
    for (;;) {
        int64_t left = deadline - msg_now_ms();
        if (left <= 0) {
            rc = 0;
            goto done;
        }
        zmq_pollitem_t item = {dealer, 0, ZMQ_POLLIN, 0};
        int n = zmq_poll(&item, 1, (long)left);
        if (n < 0 && zmq_errno() == EINTR) {
            snprintf(errbuf, errlen, "interrupted");
            goto done;
        }
        if (n <= 0)
            continue;
        zmq_msg_t reply;
        zmq_msg_init(&reply);
        if (zmq_msg_recv(&reply, dealer, 0) < 0) {
            zmq_msg_close(&reply);
            continue;
        }
        Partrack__ErrorCode code;
        char reason[256];
        msg_envelope_t *env = msg_open(zmq_msg_data(&reply), zmq_msg_size(&reply), SIZE_MAX, &code,
                                       reason, sizeof reason);
        zmq_msg_close(&reply);
        drain_frames(dealer);
        if (!env)
            continue; /* not ours to read: keep waiting */
        if (env->correlation_id && strcmp(env->correlation_id, correlation_id) != 0) {
            msg_close(&env);
            continue; /* a late reply to an earlier attempt */
        }
        *out = env;
        rc = 1;
        goto done;
    }
done:
    zmq_close(dealer);
    return rc;
}

static bool reply_is_retryable_error(const msg_envelope_t *env)
{
    if (env->type != PARTRACK__MESSAGE_TYPE__MSG_ERROR || !env->has_payload)
        return false;
    Partrack__ErrorReply *err =
        partrack__error_reply__unpack(NULL, env->payload.len, env->payload.data);
    bool retry = err && msg_code_retryable(err->code);
    partrack__error_reply__free_unpacked(err, NULL);
    return retry;
}

msg_envelope_t *rpc_call(void *zmq_ctx, const char *endpoint, Partrack__MessageType type,
                         const ProtobufCMessage *payload, const char *idempotency_key,
                         int timeout_ms, char *errbuf, size_t errlen)
{
    char correlation[33];
    msg_new_id(correlation);
    if (errlen)
        errbuf[0] = '\0';
    size_t len;
    uint8_t *frame = msg_pack(type, correlation, idempotency_key, payload, &len);
    if (!frame) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    int64_t deadline = msg_now_ms() + timeout_ms;
    int attempt_ms = 2000, backoff_ms = 250;
    msg_envelope_t *reply = NULL;
    bool heard_retryable = false;
    for (;;) {
        int64_t left = deadline - msg_now_ms();
        if (left <= 0)
            break;
        int wait = attempt_ms < left ? attempt_ms : (int)left;
        msg_envelope_t *env = NULL;
        int rc = call_once(zmq_ctx, endpoint, frame, len, correlation, wait, &env, errbuf, errlen);
        if (rc < 0)
            break;
        if (rc == 1) {
            if (!reply_is_retryable_error(env) || msg_now_ms() + backoff_ms >= deadline) {
                reply = env;
                break;
            }
            msg_close(&env);
            heard_retryable = true;
            sleep_ms(backoff_ms);
            backoff_ms = backoff_ms * 2 > 2000 ? 2000 : backoff_ms * 2;
            continue;
        }
        attempt_ms = attempt_ms * 2 > 8000 ? 8000 : attempt_ms * 2;
    }
    if (!reply && errbuf[0] == '\0')
        snprintf(errbuf, errlen, "%s did not answer within %d s%s", endpoint, timeout_ms / 1000,
                 heard_retryable ? " (it answered that it is unavailable)" : "");
    free(frame);
    return reply;
}
