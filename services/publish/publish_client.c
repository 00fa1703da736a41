/* publish_client.c - publishing into the registry's ingest endpoint
 *
 * Messages in flight live in an array of slots (one per place in the
 * window, with a free list) and are found by correlation id through an
 * open-addressing table (linear probing, backward-shift deletion) of twice
 * the window, rounded up to a power of two. Each slot keeps its packed
 * envelope, so every resend is the same bytes. Finished messages wait in a
 * ring of results until the caller takes them.
 *
 * Time is the monotonic clock. Rather than scan the window on every reply,
 * the client keeps the earliest moment any slot needs attention (a resend
 * after a backoff, an attempt timeout, a deadline) and scans only then.
 *
 * The socket is a curve_dealer.h DEALER, and connection state comes from
 * its monitor: HANDSHAKE_SUCCEEDED means the key was accepted and what is
 * queued flows; HANDSHAKE_FAILED_AUTH with ZAP status 400 means the
 * registry refused the key for good. A failure the server reports (another
 * ZAP status, a protocol error) marks the socket failed: libzmq 4.3 ends
 * such a session and never reconnects it, so the socket is replaced at the
 * next attempt timeout. A handshake that times out (the registry's ZAP
 * answer 300, database down, is silence; ZMQ_HANDSHAKE_IVL is the attempt
 * timeout) or that the server drops (a wrong server key) is retried by
 * libzmq itself, keeping the queue. Each is kept as a sentence for the
 * caller. Any reply counts as a completed handshake too, so a lost monitor
 * event cannot stall the client.
 */
#include "publish_client.h"

#include "curve_dealer.h"
#include "ingest.pb-c.h"
#include "msg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define DEFAULT_WINDOW     1000
#define DEFAULT_ATTEMPT_MS 5000
#define DEFAULT_DEADLINE   60000
#define DEFAULT_BACKOFF    100
#define DEFAULT_BACKOFF_MX 5000
#define MAX_REPLY_BYTES    (4 << 20)
#define CORRELATION_LEN    48
#define FAR_FUTURE         INT64_MAX
#define ENDPOINT_MAX       256

typedef enum { SLOT_FREE, SLOT_WAITING, SLOT_BACKOFF } slot_state_t;

typedef struct {
    slot_state_t state;
    uint64_t tag;
    uint64_t hash;
    char correlation[CORRELATION_LEN];
    uint8_t *frame; /* the packed envelope, sent as is every time */
    size_t len;
    int64_t queued_ms, sent_ms, resend_ms; /* resend_ms: when a backoff ends */
    int attempts, backoff_ms;
    Partrack__ErrorCode last_code; /* the last retryable error, or ERR_NONE */
    char *last_message;
    int next_free;
} slot_t;

/* A finished message waiting for the caller. */
typedef struct {
    publish_result_t r; /* without its message text... */
    char *message;      /* ...kept here, malloc'd or NULL */
} finished_t;

struct publish_client {
    void *ctx;
    keyfile_t key;
    char endpoint[ENDPOINT_MAX];
    publish_options_t opt;

    curve_dealer_t cd;  /* the DEALER and its monitor */
    bool handshake_ok;  /* on the current socket */
    bool socket_failed; /* a handshake of it failed: libzmq gave it up */
    int64_t last_recv_ms;
    publish_link_t link;
    char detail[512];
    bool answered;

    slot_t *slots;
    int free_head, in_flight;
    uint32_t *table; /* slot index + 1; 0 empty */
    size_t table_mask;

    finished_t *done;
    size_t done_head, done_len, done_cap;

    char id_prefix[17];
    uint64_t counter;
    int64_t next_check_ms;
    unsigned sends_since_pump;
    int64_t empty_look_us;   /* when a look last found no reply */
    int64_t monitor_read_ms; /* when the monitor was last read */
};

/* A look without waiting costs libzmq a poll() of the socket's mailbox (and
 * the monitor's) even when nothing came; a caller that looks after every
 * send would spend more on looking than on sending. So a look that follows
 * an empty one within LOOK_INTERVAL_US leaves the sockets alone (libzmq
 * itself defers its commands up to a millisecond), and the monitor, whose
 * events are rare, is read when a poll says so or every MONITOR_READ_MS. */
#define LOOK_INTERVAL_US 200
#define MONITOR_READ_MS  50

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t now_ms(void)
{
    return now_us() / 1000;
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void note_check(publish_client_t *c, int64_t at)
{
    if (at < c->next_check_ms)
        c->next_check_ms = at;
}

/* ---- the correlation table ---- */

static size_t table_find(const publish_client_t *c, const char *correlation)
{
    uint64_t h = hash_text(correlation);
    for (size_t i = h & c->table_mask;; i = (i + 1) & c->table_mask) {
        uint32_t v = c->table[i];
        if (v == 0)
            return SIZE_MAX;
        const slot_t *s = &c->slots[v - 1];
        if (s->hash == h && strcmp(s->correlation, correlation) == 0)
            return i;
    }
}

static void table_insert(publish_client_t *c, int slot)
{
    size_t i = c->slots[slot].hash & c->table_mask;
    while (c->table[i])
        i = (i + 1) & c->table_mask;
    c->table[i] = (uint32_t)slot + 1;
}

/* Removes the entry at i, moving later entries of the probe run back so
 * that every remaining one stays reachable from its home position. */
static void table_remove(publish_client_t *c, size_t i)
{
    c->table[i] = 0;
    for (size_t j = (i + 1) & c->table_mask; c->table[j]; j = (j + 1) & c->table_mask) {
        size_t home = c->slots[c->table[j] - 1].hash & c->table_mask;
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        c->table[i] = c->table[j];
        c->table[j] = 0;
        i = j;
    }
}

/* ---- results ---- */

static int push_result(publish_client_t *c, const publish_result_t *r, const char *message)
{
    if (c->done_len == c->done_cap) {
        size_t cap = c->done_cap ? c->done_cap * 2 : 64;
        finished_t *grown = malloc(cap * sizeof *grown);
        if (!grown)
            return -1;
        for (size_t k = 0; k < c->done_len; k++)
            grown[k] = c->done[(c->done_head + k) % c->done_cap];
        free(c->done);
        c->done = grown;
        c->done_cap = cap;
        c->done_head = 0;
    }
    finished_t *f = &c->done[(c->done_head + c->done_len) % c->done_cap];
    f->r = *r;
    f->r.message[0] = '\0';
    f->message = message && *message ? strdup(message) : NULL;
    c->done_len++;
    return 0;
}

/* Ends slot i with result r (its tag and attempts filled in here). */
static void finish(publish_client_t *c, int i, publish_result_t *r, const char *message)
{
    slot_t *s = &c->slots[i];
    r->tag = s->tag;
    r->attempts = s->attempts;
    if (push_result(c, r, message) < 0) {
        /* Out of memory: keep the slot; its deadline will try again. */
        note_check(c, now_ms() + 100);
        return;
    }
    size_t pos = table_find(c, s->correlation);
    if (pos != SIZE_MAX)
        table_remove(c, pos);
    free(s->frame);
    free(s->last_message);
    memset(s, 0, sizeof *s);
    s->state = SLOT_FREE;
    s->next_free = c->free_head;
    c->free_head = i;
    c->in_flight--;
}

static void finish_error(publish_client_t *c, int i, Partrack__ErrorCode code, bool answered,
                         const char *message)
{
    publish_result_t r = {0};
    r.code = code;
    r.answered = answered;
    finish(c, i, &r, message);
}

/* ---- sockets ---- */

static void socket_close(publish_client_t *c)
{
    curve_dealer_close(&c->cd);
}

static int socket_open(publish_client_t *c, char *err, size_t errlen)
{
    /* A handshake the registry leaves hanging (its ZAP answer 300, the
     * database down, is silence) ends after this; libzmq then reconnects
     * by itself, keeping what is queued. */
    int handshake = c->opt.attempt_timeout_ms < 1000    ? 1000
                    : c->opt.attempt_timeout_ms > 30000 ? 30000
                                                        : c->opt.attempt_timeout_ms;
    c->handshake_ok = false;
    c->socket_failed = false;
    if (curve_dealer_open(&c->cd, c->ctx, &c->key, c->endpoint, handshake, MAX_REPLY_BYTES, err,
                          errlen) < 0)
        return -1;
    /* Without a monitor no handshake is ever reported: plain lazy pirate. */
    if (!c->cd.monitor)
        c->handshake_ok = true;
    return 0;
}

/* Sends slot i (again): its bytes as they are. */
static void send_slot(publish_client_t *c, int i, int64_t now)
{
    slot_t *s = &c->slots[i];
    s->state = SLOT_WAITING;
    s->sent_ms = now;
    s->attempts++;
    /* A send that fails (no socket, EAGAIN) is a lost message like any
     * other: its attempt timeout sends it again. */
    if (c->cd.socket)
        zmq_send(c->cd.socket, s->frame, s->len, ZMQ_DONTWAIT);
    note_check(c, now + c->opt.attempt_timeout_ms);
}

/* The registry refused the key: nothing sent with it can succeed. */
static void key_refused(publish_client_t *c)
{
    c->link = PUBLISH_LINK_REFUSED;
    snprintf(c->detail, sizeof c->detail,
             "the registry refused the key of publisher %s at connection: the publisher is "
             "unknown or revoked",
             c->key.name[0] ? c->key.name : "(unnamed)");
    socket_close(c);
    for (int i = 0; i < c->opt.window; i++)
        if (c->slots[i].state != SLOT_FREE)
            finish_error(c, i, PARTRACK__ERROR_CODE__ERR_FORBIDDEN, false, c->detail);
}

static void read_monitor(publish_client_t *c)
{
    uint32_t value;
    for (curve_dealer_event_t e; (e = curve_dealer_event(&c->cd, &value)) != CURVE_DEALER_NONE;) {
        switch (e) {
        case CURVE_DEALER_UP:
            c->handshake_ok = true;
            c->link = PUBLISH_LINK_UP;
            c->detail[0] = '\0';
            break;
        case CURVE_DEALER_REFUSED: key_refused(c); return; /* the monitor is closed */
        case CURVE_DEALER_AUTH_FAILED:
            snprintf(c->detail, sizeof c->detail,
                     "the registry could not check the key (ZAP status %u%s); trying again", value,
                     value == 300 ? ": its database is unavailable" : "");
            c->socket_failed = true;
            break;
        case CURVE_DEALER_PROTOCOL:
            snprintf(c->detail, sizeof c->detail,
                     "the CURVE handshake with %s failed (protocol error 0x%x): is it the "
                     "registry's ingest endpoint?",
                     c->endpoint, value);
            c->socket_failed = true;
            break;
        case CURVE_DEALER_TIMEOUT:
            /* libzmq reconnects by itself after these. */
            snprintf(c->detail, sizeof c->detail,
                     "the CURVE handshake with %s did not complete in time (the registry "
                     "busy, stopped, or its database down?)",
                     c->endpoint);
            break;
        case CURVE_DEALER_DROPPED:
            snprintf(c->detail, sizeof c->detail,
                     "%s closed the connection during the CURVE handshake: is the key file's "
                     "server key this registry's, and the endpoint its ingest endpoint?",
                     c->endpoint);
            break;
        case CURVE_DEALER_NONE: break;
        }
    }
}

/* ---- replies ---- */

static void on_ack(publish_client_t *c, int i, const msg_envelope_t *env)
{
    char reason[256];
    Partrack__IngestAck *ack = (Partrack__IngestAck *)msg_decode(
        env, &partrack__ingest_ack__descriptor, reason, sizeof reason);
    if (!ack) {
        char message[320];
        snprintf(message, sizeof message, "unreadable acknowledgement: %s", reason);
        finish_error(c, i, PARTRACK__ERROR_CODE__ERR_FAILED, true, message);
        return;
    }
    publish_result_t r = {0};
    r.code = PARTRACK__ERROR_CODE__ERR_NONE;
    r.answered = true;
    r.duplicate = ack->duplicate;
    r.id = ack->id;
    r.task_id = ack->has_task_id ? ack->task_id : 0;
    protobuf_c_message_free_unpacked(&ack->base, NULL);
    finish(c, i, &r, NULL);
}

static void on_error(publish_client_t *c, int i, const msg_envelope_t *env, int64_t now)
{
    char reason[256];
    Partrack__ErrorReply *e = (Partrack__ErrorReply *)msg_decode(
        env, &partrack__error_reply__descriptor, reason, sizeof reason);
    if (!e) {
        char message[320];
        snprintf(message, sizeof message, "unreadable error reply: %s", reason);
        finish_error(c, i, PARTRACK__ERROR_CODE__ERR_FAILED, true, message);
        return;
    }
    slot_t *s = &c->slots[i];
    if (!msg_code_retryable(e->code)) {
        finish_error(c, i, e->code, true, e->message);
    } else if (now + s->backoff_ms >= s->queued_ms + c->opt.deadline_ms) {
        finish_error(c, i, e->code, true, e->message); /* no time left to try again */
    } else {
        s->last_code = e->code;
        free(s->last_message);
        s->last_message = strdup(e->message);
        s->state = SLOT_BACKOFF;
        s->resend_ms = now + s->backoff_ms;
        note_check(c, s->resend_ms);
        s->backoff_ms =
            s->backoff_ms * 2 > c->opt.backoff_max_ms ? c->opt.backoff_max_ms : s->backoff_ms * 2;
    }
    protobuf_c_message_free_unpacked(&e->base, NULL);
}

static void on_reply(publish_client_t *c, const uint8_t *data, size_t len, int64_t now)
{
    Partrack__ErrorCode code;
    char reason[256];
    msg_envelope_t *env = msg_open(data, len, MAX_REPLY_BYTES, &code, reason, sizeof reason);
    if (!env)
        return; /* not a reply anyone can read: its message times out */
    c->last_recv_ms = now;
    c->handshake_ok = true;
    c->answered = true;
    c->link = PUBLISH_LINK_UP;
    size_t pos = env->correlation_id ? table_find(c, env->correlation_id) : SIZE_MAX;
    if (pos == SIZE_MAX) {
        msg_close(&env); /* a late reply to a finished message */
        return;
    }
    int i = (int)c->table[pos] - 1;
    if (env->type == PARTRACK__MESSAGE_TYPE__MSG_INGEST_ACK) {
        on_ack(c, i, env);
    } else if (env->type == PARTRACK__MESSAGE_TYPE__MSG_ERROR) {
        on_error(c, i, env, now);
    } else {
        char message[64];
        snprintf(message, sizeof message, "unexpected reply type %d", (int)env->type);
        finish_error(c, i, PARTRACK__ERROR_CODE__ERR_FAILED, true, message);
    }
    msg_close(&env);
}

/* Reads every reply waiting; returns how many, or -1. */
static int receive_all(publish_client_t *c)
{
    int64_t now = now_ms();
    int got = 0;
    while (c->cd.socket) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, c->cd.socket, ZMQ_DONTWAIT) < 0) {
            int e = zmq_errno();
            zmq_msg_close(&m);
            return e == EAGAIN || e == EINTR ? got : -1;
        }
        got++;
        if (!zmq_msg_more(&m))
            on_reply(c, zmq_msg_data(&m), zmq_msg_size(&m), now);
        bool more = zmq_msg_more(&m);
        zmq_msg_close(&m);
        while (more) { /* a reply is one frame: drop anything else */
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, c->cd.socket, 0) < 0) {
                zmq_msg_close(&m);
                break;
            }
            more = zmq_msg_more(&m);
            zmq_msg_close(&m);
        }
    }
    return got;
}

/* ---- timers ---- */

static void give_up(publish_client_t *c, int i)
{
    slot_t *s = &c->slots[i];
    char message[640];
    int seconds = (c->opt.deadline_ms + 999) / 1000;
    if (s->last_code != PARTRACK__ERROR_CODE__ERR_NONE) {
        snprintf(message, sizeof message, "%s (still so after %d s)",
                 s->last_message ? s->last_message : msg_code_name(s->last_code), seconds);
        finish_error(c, i, s->last_code, true, message);
    } else {
        snprintf(message, sizeof message, "no reply in %d s", seconds);
        finish_error(c, i, PARTRACK__ERROR_CODE__ERR_UNAVAILABLE, false, message);
    }
}

/* Deadlines, backoffs and attempt timeouts that are due. */
static int check_timers(publish_client_t *c, int64_t now)
{
    if (now < c->next_check_ms)
        return 0;
    int64_t next = FAR_FUTURE, oldest_timed_out = FAR_FUTURE;
    int timed_out = 0;
    for (int i = 0; i < c->opt.window; i++) {
        slot_t *s = &c->slots[i];
        if (s->state == SLOT_FREE)
            continue;
        int64_t deadline = s->queued_ms + c->opt.deadline_ms;
        if (now >= deadline) {
            give_up(c, i);
            continue;
        }
        if (deadline < next)
            next = deadline;
        if (s->state == SLOT_BACKOFF) {
            if (now >= s->resend_ms)
                send_slot(c, i, now);
            else if (s->resend_ms < next)
                next = s->resend_ms;
        }
        if (s->state == SLOT_WAITING) {
            int64_t due = s->sent_ms + c->opt.attempt_timeout_ms;
            if (now >= due) {
                timed_out++;
                if (s->sent_ms < oldest_timed_out)
                    oldest_timed_out = s->sent_ms;
            } else if (due < next) {
                next = due;
            }
        }
    }
    c->next_check_ms = next;
    if (timed_out == 0)
        return 0;
    if (c->cd.socket && !c->handshake_ok && !c->socket_failed) {
        /* Never connected: what was sent still waits in this socket's
         * queue, and libzmq keeps trying to connect. Keep it; look again
         * after another attempt timeout. */
        for (int i = 0; i < c->opt.window; i++)
            if (c->slots[i].state == SLOT_WAITING &&
                now >= c->slots[i].sent_ms + c->opt.attempt_timeout_ms)
                c->slots[i].sent_ms = now;
        note_check(c, now + c->opt.attempt_timeout_ms);
        return 0;
    }
    if (!c->cd.socket || c->socket_failed || c->last_recv_ms < oldest_timed_out) {
        /* Silence since then: the connection is suspected dead (or its
         * handshake failed, after which libzmq never reconnects it, or a
         * new socket could not be made last time). A new socket, and
         * everything in flight sent again. */
        char err[256];
        socket_close(c);
        if (socket_open(c, err, sizeof err) < 0) {
            snprintf(c->detail, sizeof c->detail, "%s", err);
            note_check(c, now + c->opt.attempt_timeout_ms);
            return -1;
        }
        for (int i = 0; i < c->opt.window; i++)
            if (c->slots[i].state == SLOT_WAITING)
                send_slot(c, i, now);
        return 0;
    }
    /* The connection answers: these replies were lost. */
    for (int i = 0; i < c->opt.window; i++)
        if (c->slots[i].state == SLOT_WAITING &&
            now >= c->slots[i].sent_ms + c->opt.attempt_timeout_ms)
            send_slot(c, i, now);
    return 0;
}

/* Waits up to timeout_ms (< 0: until the next timer) for replies and
 * monitor events, then runs due timers. Returns 0, or -1 (interrupted, or
 * the context is gone). */
static int pump(publish_client_t *c, int timeout_ms)
{
    int64_t now_u = now_us(), now = now_u / 1000;
    check_timers(c, now);
    int64_t wait = c->next_check_ms == FAR_FUTURE ? 1000 : c->next_check_ms - now;
    if (wait < 0)
        wait = 0;
    if (timeout_ms >= 0 && wait > timeout_ms)
        wait = timeout_ms;
    if (wait == 0 && now_u - c->empty_look_us < LOOK_INTERVAL_US) {
        c->sends_since_pump = 0;
        return 0; /* looked a moment ago and found nothing */
    }
    zmq_pollitem_t items[2];
    int n = 0, socket_item = -1, monitor_item = -1;
    if (c->cd.socket) {
        socket_item = n;
        items[n++] = (zmq_pollitem_t){c->cd.socket, 0, ZMQ_POLLIN, 0};
    }
    if (c->cd.monitor) {
        monitor_item = n;
        items[n++] = (zmq_pollitem_t){c->cd.monitor, 0, ZMQ_POLLIN, 0};
    }
    bool polled = false;
    if (n == 0) {
        struct timespec ts = {wait / 1000, (long)(wait % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    } else if (wait > 0) {
        if (zmq_poll(items, n, (long)wait) < 0)
            return -1;
        polled = true;
        now = now_ms();
    } /* not waiting: the reads below look without blocking, no poll needed */
    /* The monitor first: a refused key closes the sockets. */
    if (monitor_item >= 0 &&
        (polled ? (items[monitor_item].revents & ZMQ_POLLIN) != 0
                : !c->handshake_ok || now - c->monitor_read_ms >= MONITOR_READ_MS)) {
        c->monitor_read_ms = now;
        read_monitor(c);
    }
    if (!polled || (socket_item >= 0 && (items[socket_item].revents & ZMQ_POLLIN))) {
        int got = receive_all(c);
        if (got < 0)
            return -1;
        if (got == 0 && !polled)
            c->empty_look_us = now_u;
    }
    check_timers(c, now_ms());
    c->sends_since_pump = 0;
    return 0;
}

/* ---- the interface ---- */

static int option(int value, int fallback)
{
    return value > 0 ? value : fallback;
}

publish_client_t *publish_client_new(void *zmq_ctx, const keyfile_t *key, const char *endpoint,
                                     const publish_options_t *opt, char *err, size_t errlen)
{
    publish_options_t o = opt ? *opt : (publish_options_t){0};
    o.window = option(o.window, DEFAULT_WINDOW);
    o.attempt_timeout_ms = option(o.attempt_timeout_ms, DEFAULT_ATTEMPT_MS);
    o.deadline_ms = option(o.deadline_ms, DEFAULT_DEADLINE);
    o.backoff_ms = option(o.backoff_ms, DEFAULT_BACKOFF);
    o.backoff_max_ms = option(o.backoff_max_ms, DEFAULT_BACKOFF_MX);
    if (!endpoint || !*endpoint)
        endpoint = key ? key->endpoint : NULL;
    if (!zmq_ctx || !key) {
        snprintf(err, errlen, "no ZeroMQ context or key");
        return NULL;
    }
    if (o.window < 1 || o.window > PUBLISH_WINDOW_MAX || o.backoff_max_ms < o.backoff_ms) {
        snprintf(err, errlen, "the window must be 1 to %d messages and the backoff at most its cap",
                 PUBLISH_WINDOW_MAX);
        return NULL;
    }
    if (!keyfile_z85_valid(key->public_key) || !keyfile_z85_valid(key->secret_key)) {
        snprintf(err, errlen, "the key file holds no CURVE keypair");
        return NULL;
    }
    if (!keyfile_z85_valid(key->server_key)) {
        snprintf(err, errlen, "the key file holds no server key (the ingest endpoint's)");
        return NULL;
    }
    if (!endpoint || !*endpoint || strlen(endpoint) >= ENDPOINT_MAX) {
        snprintf(err, errlen, "no endpoint: the key file names none");
        return NULL;
    }
    publish_client_t *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->ctx = zmq_ctx;
    c->key = *key;
    snprintf(c->endpoint, sizeof c->endpoint, "%s", endpoint);
    c->opt = o;
    c->next_check_ms = FAR_FUTURE;
    c->last_recv_ms = -1;
    size_t cap = 16;
    while (cap < (size_t)o.window * 2)
        cap *= 2;
    c->table_mask = cap - 1;
    c->slots = calloc((size_t)o.window, sizeof *c->slots);
    c->table = calloc(cap, sizeof *c->table);
    if (!c->slots || !c->table) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (int i = 0; i < o.window; i++)
        c->slots[i].next_free = i + 1 < o.window ? i + 1 : -1;
    c->free_head = 0;
    char id[33];
    msg_new_id(id);
    snprintf(c->id_prefix, sizeof c->id_prefix, "%.16s", id);
    if (socket_open(c, err, errlen) < 0)
        goto fail;
    return c;
fail:
    publish_client_destroy(&c);
    return NULL;
}

void publish_client_destroy(publish_client_t **cp)
{
    if (!cp || !*cp)
        return;
    publish_client_t *c = *cp;
    socket_close(c);
    if (c->slots)
        for (int i = 0; i < c->opt.window; i++) {
            free(c->slots[i].frame);
            free(c->slots[i].last_message);
        }
    for (size_t k = 0; k < c->done_len; k++)
        free(c->done[(c->done_head + k) % c->done_cap].message);
    free(c->done);
    free(c->slots);
    free(c->table);
    explicit_bzero(&c->key, sizeof c->key);
    free(c);
    *cp = NULL;
}

int publish_client_send(publish_client_t *c, Partrack__MessageType type,
                        const ProtobufCMessage *payload, const char *idempotency_key, uint64_t tag)
{
    if (!c || !payload || !idempotency_key || !*idempotency_key ||
        strlen(idempotency_key) > MSG_MAX_ID_LEN ||
        (type != PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE &&
         type != PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT))
        return -1;
    if (c->link == PUBLISH_LINK_REFUSED) {
        publish_result_t r = {0};
        r.tag = tag;
        r.code = PARTRACK__ERROR_CODE__ERR_FORBIDDEN;
        return push_result(c, &r, c->detail);
    }
    while (c->in_flight >= c->opt.window)
        if (pump(c, -1) < 0)
            return -1;
    if (c->link == PUBLISH_LINK_REFUSED)
        return publish_client_send(c, type, payload, idempotency_key, tag);
    int i = c->free_head;
    slot_t *s = &c->slots[i];
    snprintf(s->correlation, sizeof s->correlation, "%s-%llu", c->id_prefix,
             (unsigned long long)++c->counter);
    s->frame = msg_pack(type, s->correlation, idempotency_key, payload, &s->len);
    if (!s->frame) {
        memset(s->correlation, 0, sizeof s->correlation);
        return -1;
    }
    c->free_head = s->next_free;
    s->tag = tag;
    s->hash = hash_text(s->correlation);
    s->queued_ms = now_ms();
    s->attempts = 0;
    s->backoff_ms = c->opt.backoff_ms;
    s->last_code = PARTRACK__ERROR_CODE__ERR_NONE;
    table_insert(c, i);
    c->in_flight++;
    note_check(c, s->queued_ms + c->opt.deadline_ms);
    send_slot(c, i, s->queued_ms);
    /* Take replies in now and then, so they do not pile up unread. */
    if (++c->sends_since_pump >= 64 && pump(c, 0) < 0)
        return -1;
    return 0;
}

int publish_client_result(publish_client_t *c, publish_result_t *out, int timeout_ms)
{
    int64_t until = timeout_ms < 0 ? FAR_FUTURE : now_ms() + timeout_ms;
    bool first = true;
    for (;;) {
        if (c->done_len > 0) {
            finished_t *f = &c->done[c->done_head];
            *out = f->r;
            snprintf(out->message, sizeof out->message, "%s", f->message ? f->message : "");
            free(f->message);
            c->done_head = (c->done_head + 1) % c->done_cap;
            c->done_len--;
            return 1;
        }
        if (c->in_flight == 0)
            return 0;
        int wait = -1;
        if (until != FAR_FUTURE) {
            int64_t left = until - now_ms();
            if (left <= 0 && !first)
                return 0;
            wait = left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
        }
        first = false;
        if (pump(c, wait) < 0)
            return -1;
    }
}

int publish_client_in_flight(const publish_client_t *c)
{
    return c->in_flight;
}

size_t publish_client_pending_results(const publish_client_t *c)
{
    return c->done_len;
}

publish_link_t publish_client_link(const publish_client_t *c, const char **detail)
{
    if (detail)
        *detail = c->detail[0] ? c->detail : NULL;
    return c->link;
}

bool publish_client_answered(const publish_client_t *c)
{
    return c->answered;
}

const char *publish_client_endpoint(const publish_client_t *c)
{
    return c->endpoint;
}
