/* chaos_bad.c - malformed traffic at every endpoint, while the load runs
 *
 * Request endpoints (registry, deadline, notify, scoring; plain ROUTERs):
 * garbage, pseudo-random frames, an empty frame, a truncated envelope, two
 * frames, an unknown type, a type the service does not serve, a real
 * request type with an undecodable payload and a frame over the size cap
 * each get the ErrorReply msg_open (or the service) gives them; a frame far
 * over the cap is dropped by libzmq with the connection. Then a new
 * connection must get its ping answered.
 * CURVE endpoints (ingest, feeds): an unknown key is refused at the
 * handshake (ZAP 400, seen on the socket monitor), a plain client and a
 * client trusting the wrong server key get nothing; with a known key (a
 * publisher and a person kept for this, so the load's own records stay
 * clean) the same bad frames get their errors, plus what only these
 * endpoints check (no idempotency key, a clock far ahead, a task outside
 * the publisher's scope: FORBIDDEN), and a frame over the cap is dropped.
 * Every endpoint, the event PUB sockets included, also gets raw TCP
 * garbage that is no ZMTP at all, and a connection that stops in the
 * middle of its greeting and is held open through the burst.
 * The load's own clients keep working throughout: the publisher's and the
 * readers' figures show it.
 */
#include "chaos.h"

#include "deadline.pb-c.h"
#include "ingest.pb-c.h"
#include "msg.h"
#include "notify.pb-c.h"
#include "registry.pb-c.h"
#include "rpc.h"
#include "scoring.pb-c.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#define REPLY_MS   5000 /* how long an error reply may take (the service is under load) */
#define SILENCE_MS 400  /* how long nothing must come */
#define HELD_MAX   16

typedef struct {
    chaos_t *w;
    void *ctx;
    long unexpected;
    uint32_t x; /* pseudo-random state */
    int held[HELD_MAX], nheld;
} burst_t;

static void unexpected(burst_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void unexpected(burst_t *b, const char *fmt, ...)
{
    b->unexpected++;
    if (b->w->bad.unexpected++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->w->bad.first_unexpected, sizeof b->w->bad.first_unexpected, fmt, ap);
        va_end(ap);
    }
}

static uint8_t next_byte(burst_t *b)
{
    b->x ^= b->x << 13;
    b->x ^= b->x >> 17;
    b->x ^= b->x << 5;
    return (uint8_t)b->x;
}

/* ---- frames ---- */

/* An envelope of `type` around payload bytes, packed without any check. */
static uint8_t *envelope(int type, const uint8_t *payload, size_t plen, const char *key,
                         bool sent_at, int64_t sent_at_ms, size_t *len)
{
    Partrack__Envelope env = PARTRACK__ENVELOPE__INIT;
    env.type = (Partrack__MessageType)type;
    env.correlation_id = "chaos-bad";
    env.idempotency_key = (char *)key;
    env.has_sent_at_ms = sent_at;
    env.sent_at_ms = sent_at_ms;
    env.has_payload = payload != NULL;
    env.payload.data = (uint8_t *)payload;
    env.payload.len = plen;
    *len = partrack__envelope__get_packed_size(&env);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        partrack__envelope__pack(&env, buf);
    return buf;
}

static uint8_t *packed(const ProtobufCMessage *m, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        protobuf_c_message_pack(m, buf);
    return buf;
}

/* A payload protobuf-c cannot decode as anything: a varint over 10 bytes. */
static const uint8_t undecodable[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0x0a, 0x03};

/* ---- sockets ---- */

static void *plain_dealer(burst_t *b, const char *endpoint)
{
    void *s = zmq_socket(b->ctx, ZMQ_DEALER);
    int linger = 0, timeout = 2000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    zmq_connect(s, endpoint);
    return s;
}

static bool send_frames(void *s, const uint8_t *data, size_t len, int count)
{
    for (int k = 0; k < count; k++)
        if (zmq_send(s, data, len, k + 1 < count ? ZMQ_SNDMORE : 0) != (int)len)
            return false;
    return true;
}

/* Waits for the reply to what was just sent: an ErrorReply with `want`, or
 * (want < 0) nothing at all. */
static void expect(burst_t *b, void *s, const char *where, const char *what, int want)
{
    chaos_bad_t *st = &b->w->bad;
    st->frames++;
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, want < 0 ? SILENCE_MS : REPLY_MS) <= 0) {
        if (want < 0)
            st->silent++;
        else
            unexpected(b, "%s, %s: no reply within %d ms (want %s)", where, what, REPLY_MS,
                       msg_code_name((Partrack__ErrorCode)want));
        return;
    }
    zmq_msg_t m;
    zmq_msg_init(&m);
    zmq_msg_recv(&m, s, 0);
    Partrack__ErrorCode code;
    char reason[256];
    msg_envelope_t *env =
        msg_open(zmq_msg_data(&m), zmq_msg_size(&m), SIZE_MAX, &code, reason, sizeof reason);
    zmq_msg_close(&m);
    Partrack__ErrorReply *e =
        env && env->type == PARTRACK__MESSAGE_TYPE__MSG_ERROR
            ? partrack__error_reply__unpack(NULL, env->payload.len, env->payload.data)
            : NULL;
    if (want < 0)
        unexpected(b, "%s, %s: a reply (type %d, %s) where none should come", where, what,
                   env ? (int)env->type : -1, e ? msg_code_name(e->code) : "-");
    else if (!e)
        unexpected(b, "%s, %s: reply type %d, not an ErrorReply", where, what,
                   env ? (int)env->type : -1);
    else if ((int)e->code != want || !e->message || !*e->message)
        unexpected(b, "%s, %s: %s (%s), want %s", where, what, msg_code_name(e->code),
                   e->message ? e->message : "", msg_code_name((Partrack__ErrorCode)want));
    else
        st->answered++;
    if (e)
        partrack__error_reply__free_unpacked(e, NULL);
    msg_close(&env);
}

/* Sends one frame (count times in one message) and expects `want`. */
static void frame(burst_t *b, void *s, const char *where, const char *what, const uint8_t *data,
                  size_t len, int count, int want)
{
    if (!send_frames(s, data, len, count)) {
        b->w->bad.frames++;
        unexpected(b, "%s, %s: could not send: %s", where, what, zmq_strerror(zmq_errno()));
        return;
    }
    expect(b, s, where, what, want);
}

/* The code msg_open gives these bytes, or -2 when they open as a valid
 * envelope (not sent: it would be a real request). */
static int code_of(const uint8_t *data, size_t len, size_t cap)
{
    Partrack__ErrorCode code;
    char reason[256];
    msg_envelope_t *env = msg_open(data, len, cap, &code, reason, sizeof reason);
    if (env) {
        msg_close(&env);
        return -2;
    }
    return (int)code;
}

/* What every endpoint gets: frames that are not envelopes, or not valid
 * ones, or not of a type it serves. `real` is a type it serves;
 * `over_cap_answered`: a frame just over the cap gets TOO_LARGE (the
 * request endpoints let libzmq pass 4 KiB more) rather than being dropped. */
static void bad_frames(burst_t *b, void *s, const char *where, int real, int not_served)
{
    static const uint8_t garbage[] = {0xff, 0xfe, 0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef};
    frame(b, s, where, "garbage", garbage, sizeof garbage, 1,
          code_of(garbage, sizeof garbage, SIZE_MAX));
    for (int k = 0; k < 6; k++) {
        uint8_t r[300];
        size_t len = 1 + (size_t)(next_byte(b) + k * 37) % sizeof r;
        for (size_t j = 0; j < len; j++)
            r[j] = next_byte(b);
        int want = code_of(r, len, SIZE_MAX);
        if (want != -2)
            frame(b, s, where, "random bytes", r, len, 1, want);
    }
    frame(b, s, where, "an empty frame", (const uint8_t *)"", 0, 1,
          code_of((const uint8_t *)"", 0, SIZE_MAX));
    size_t len;
    uint8_t *e =
        envelope(real, undecodable, sizeof undecodable, "chaos-bad-1", true, msg_now_ms(), &len);
    for (size_t cut = len / 2; cut > 0; cut--) { /* a truncated envelope */
        int want = code_of(e, cut, SIZE_MAX);
        if (want != -2) {
            frame(b, s, where, "a truncated envelope", e, cut, 1, want);
            break;
        }
    }
    frame(b, s, where, "two frames", e, len, 2, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE);
    frame(b, s, where, "an undecodable payload", e, len, 1, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE);
    free(e);
    e = envelope(999, NULL, 0, "chaos-bad-2", true, msg_now_ms(), &len);
    frame(b, s, where, "an unknown type", e, len, 1, PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE);
    free(e);
    e = envelope(not_served, NULL, 0, "chaos-bad-3", true, msg_now_ms(), &len);
    frame(b, s, where, "a type it does not serve", e, len, 1,
          PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE);
    free(e);
}

/* A frame just over the cap, then one far over it (dropped by libzmq with
 * the connection): the socket is of no use after. */
static void oversized(burst_t *b, void *s, const char *where, bool just_over_answered)
{
    size_t len = CHAOS_MAX_MSG + 2000;
    uint8_t *big = malloc(2 * CHAOS_MAX_MSG);
    if (!big)
        return;
    memset(big, 'x', 2 * CHAOS_MAX_MSG);
    frame(b, s, where, "a frame over the cap", big, len, 1,
          just_over_answered ? PARTRACK__ERROR_CODE__ERR_TOO_LARGE : -1);
    if (just_over_answered)
        frame(b, s, where, "a frame far over the cap", big, 2 * CHAOS_MAX_MSG, 1, -1);
    free(big);
}

/* A new connection gets its ping answered. */
static void still_serving(burst_t *b, const char *where, const char *endpoint)
{
    char err[256];
    msg_envelope_t *env = rpc_call(b->ctx, endpoint, PARTRACK__MESSAGE_TYPE__MSG_PING, NULL, NULL,
                                   15000, err, sizeof err);
    b->w->bad.frames++;
    if (env && env->type == PARTRACK__MESSAGE_TYPE__MSG_PONG)
        b->w->bad.answered++;
    else
        unexpected(b, "%s: no pong after the bad traffic: %s", where, env ? "another reply" : err);
    msg_close(&env);
}

/* ---- raw TCP ---- */

static int tcp_connect(const char *endpoint)
{
    int port = 0;
    if (sscanf(endpoint, "tcp://127.0.0.1:%d", &port) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Garbage that is no ZMTP, and a greeting cut short and held open. */
static void raw_tcp(burst_t *b, const char *where, const char *endpoint)
{
    uint8_t junk[512];
    for (size_t k = 0; k < sizeof junk; k++)
        junk[k] = next_byte(b);
    int fd = tcp_connect(endpoint);
    b->w->bad.frames++;
    if (fd < 0) {
        unexpected(b, "%s: cannot connect to %s", where, endpoint);
        return;
    }
    if (write(fd, junk, sizeof junk) < 0)
        (void)0; /* the peer may have closed already: fine */
    close(fd);
    b->w->bad.silent++;
    static const uint8_t greeting[] = {0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3};
    fd = tcp_connect(endpoint);
    b->w->bad.frames++;
    if (fd >= 0 && write(fd, greeting, sizeof greeting) == (ssize_t)sizeof greeting &&
        b->nheld < HELD_MAX) {
        b->held[b->nheld++] = fd;
        b->w->bad.silent++;
    } else {
        if (fd >= 0)
            close(fd);
        unexpected(b, "%s: cannot hold a half greeting open", where);
    }
}

/* ---- the endpoints ---- */

static void request_endpoint(burst_t *b, const harness_service_t *s, int real)
{
    char where[64];
    snprintf(where, sizeof where, "%s requests", s->name);
    void *d = plain_dealer(b, s->endpoint);
    bad_frames(b, d, where, real, PARTRACK__MESSAGE_TYPE__MSG_PONG);
    oversized(b, d, where, true);
    zmq_close(d);
    raw_tcp(b, where, s->endpoint);
    still_serving(b, where, s->endpoint);
}

/* Waits for a handshake outcome on a CURVE client's monitor. */
static curve_dealer_event_t handshake(curve_dealer_t *cd, int ms)
{
    for (int waited = 0; waited < ms; waited += 20) {
        uint32_t value;
        curve_dealer_event_t ev = curve_dealer_event(cd, &value);
        if (ev != CURVE_DEALER_NONE && ev != CURVE_DEALER_TIMEOUT && ev != CURVE_DEALER_DROPPED)
            return ev;
        chaos_sleep_ms(20);
    }
    return CURVE_DEALER_NONE;
}

/* Strangers: an unknown key, a plain client, a client trusting the wrong
 * server key. None gets anything. */
static void strangers(burst_t *b, const char *where, const char *endpoint, const char *server_key)
{
    char err[256];
    keyfile_t k = {0};
    keyfile_generate(&k);
    snprintf(k.server_key, sizeof k.server_key, "%s", server_key);
    curve_dealer_t cd;
    b->w->bad.frames++;
    if (curve_dealer_open(&cd, b->ctx, &k, endpoint, 1000, CHAOS_MAX_MSG, err, sizeof err) < 0) {
        unexpected(b, "%s: %s", where, err);
    } else {
        size_t len;
        uint8_t *e = envelope(PARTRACK__MESSAGE_TYPE__MSG_PING, NULL, 0, "chaos-stranger", true,
                              msg_now_ms(), &len);
        zmq_send(cd.socket, e, len, ZMQ_DONTWAIT);
        free(e);
        curve_dealer_event_t ev = handshake(&cd, 5000);
        if (ev == CURVE_DEALER_REFUSED)
            b->w->bad.silent++;
        else
            unexpected(b, "%s: an unknown key was not refused at the handshake (event %d)", where,
                       (int)ev);
        curve_dealer_close(&cd);
    }
    void *plain = plain_dealer(b, endpoint);
    size_t len;
    uint8_t *e = envelope(PARTRACK__MESSAGE_TYPE__MSG_PING, NULL, 0, "chaos-plain", true,
                          msg_now_ms(), &len);
    frame(b, plain, where, "a client without CURVE", e, len, 1, -1);
    zmq_close(plain);
    keyfile_t wrong = {0}, other = {0};
    keyfile_generate(&wrong);
    keyfile_generate(&other);
    snprintf(wrong.server_key, sizeof wrong.server_key, "%s", other.public_key);
    if (curve_dealer_open(&cd, b->ctx, &wrong, endpoint, 1000, CHAOS_MAX_MSG, err, sizeof err) ==
        0) {
        frame(b, cd.socket, where, "a client trusting the wrong server key", e, len, 1, -1);
        curve_dealer_close(&cd);
    }
    free(e);
}

static void ingest_endpoint(burst_t *b)
{
    chaos_t *w = b->w;
    const char *where = "registry ingest";
    strangers(b, where, w->registry.ingest, w->bad_publisher_key.server_key);
    char err[256];
    curve_dealer_t cd;
    if (curve_dealer_open(&cd, b->ctx, &w->bad_publisher_key, w->registry.ingest, 1000,
                          CHAOS_MAX_MSG + 65536, err, sizeof err) < 0) {
        unexpected(b, "%s: %s", where, err);
        return;
    }
    bad_frames(b, cd.socket, where, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE,
               PARTRACK__MESSAGE_TYPE__MSG_PING);
    /* What only the ingest endpoint checks. */
    Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
    u.has_task_id = 1;
    u.task_id = w->load_tasks[0];
    u.note = "chaos: must not be stored";
    size_t plen, len;
    uint8_t *p = packed(&u.base, &plen);
    uint8_t *e = envelope(PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, p, plen, NULL, true,
                          msg_now_ms(), &len);
    frame(b, cd.socket, where, "no idempotency key", e, len, 1, PARTRACK__ERROR_CODE__ERR_INVALID);
    free(e);
    char key[48];
    snprintf(key, sizeof key, "chaos-bad-ahead-%lld", (long long)chaos_now_ms());
    e = envelope(PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, p, plen, key, true,
                 msg_now_ms() + 3600 * 1000, &len);
    frame(b, cd.socket, where, "a clock an hour ahead", e, len, 1,
          PARTRACK__ERROR_CODE__ERR_INVALID);
    free(e);
    snprintf(key, sizeof key, "chaos-bad-scope-%lld", (long long)chaos_now_ms());
    e = envelope(PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, p, plen, key, true, msg_now_ms(),
                 &len);
    frame(b, cd.socket, where, "a task outside the publisher's scope", e, len, 1,
          PARTRACK__ERROR_CODE__ERR_FORBIDDEN);
    free(e);
    free(p);
    oversized(b, cd.socket, where, false);
    curve_dealer_close(&cd);
    raw_tcp(b, where, w->registry.ingest);
}

static void feed_endpoint(burst_t *b)
{
    chaos_t *w = b->w;
    const char *where = "notify feeds";
    strangers(b, where, w->notify.feed, w->bad_person_key.server_key);
    char err[256];
    curve_dealer_t cd;
    if (curve_dealer_open(&cd, b->ctx, &w->bad_person_key, w->notify.feed, 1000,
                          CHAOS_MAX_MSG + 65536, err, sizeof err) < 0) {
        unexpected(b, "%s: %s", where, err);
        return;
    }
    bad_frames(b, cd.socket, where, PARTRACK__MESSAGE_TYPE__MSG_FEED_REQUEST,
               PARTRACK__MESSAGE_TYPE__MSG_PING);
    Partrack__FeedRequest q = PARTRACK__FEED_REQUEST__INIT;
    q.credit = 0;
    size_t plen, len;
    uint8_t *p = packed(&q.base, &plen);
    uint8_t *e =
        envelope(PARTRACK__MESSAGE_TYPE__MSG_FEED_REQUEST, p, plen, NULL, true, msg_now_ms(), &len);
    frame(b, cd.socket, where, "no credit", e, len, 1, PARTRACK__ERROR_CODE__ERR_INVALID);
    free(e);
    free(p);
    oversized(b, cd.socket, where, false);
    curve_dealer_close(&cd);
    raw_tcp(b, where, w->notify.feed);
}

long chaos_bad_burst(chaos_t *w)
{
    burst_t b = {.w = w, .ctx = zmq_ctx_new(), .x = 2463534242u ^ w->opt.seed};
    chaos_bad_t before = w->bad;
    request_endpoint(&b, &w->registry, PARTRACK__MESSAGE_TYPE__MSG_UNIT_SHOW);
    request_endpoint(&b, &w->deadline, PARTRACK__MESSAGE_TYPE__MSG_DUE_LIST);
    request_endpoint(&b, &w->notify, PARTRACK__MESSAGE_TYPE__MSG_FOLLOW);
    request_endpoint(&b, &w->scoring, PARTRACK__MESSAGE_TYPE__MSG_SCORE_SHOW);
    ingest_endpoint(&b);
    feed_endpoint(&b);
    raw_tcp(&b, "registry events", w->registry.events);
    raw_tcp(&b, "deadline events", w->deadline.events);
    raw_tcp(&b, "scoring events", w->scoring.events);
    for (int k = 0; k < b.nheld; k++)
        close(b.held[k]);
    zmq_ctx_term(b.ctx);
    chaos_say(w,
              "malformed traffic: %ld frames, handshakes and raw connections at 9 endpoints: "
              "%ld answered with the right error, %ld dropped or refused as they should be, %ld "
              "otherwise%s%s",
              w->bad.frames - before.frames, w->bad.answered - before.answered,
              w->bad.silent - before.silent, b.unexpected, b.unexpected ? ": " : "",
              b.unexpected ? w->bad.first_unexpected : "");
    return b.unexpected;
}
