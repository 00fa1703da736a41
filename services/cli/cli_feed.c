/* cli_feed.c - `partrack feed --key KEYFILE`: a person's feed, read over
 * CURVE with the person's key file; `partrack feed ack`: what was read
 *
 * The feed endpoint is a ROUTER over CURVE: the connection's key says whose
 * feed it is, nothing in a message does. The connection is a curve_dealer.h
 * DEALER, whose monitor tells a refused key (ZAP status 400: unknown, or
 * replaced by a newer `partrack person key`) at once instead of a silence.
 *
 * Reading: FeedRequest{since, credit} makes the service send the entries
 * after `since`, at most `credit` of them, each a FeedEntry envelope that
 * echoes the request's correlation id; stored ones first, then new ones as
 * they are written. A new FeedRequest resets position and credit. So the
 * client keeps the last sequence number it printed and:
 *   - prints an entry only if it is the next one (seq = last + 1; the first
 *     entry answering a request may start later, the service knows best);
 *     earlier ones are repeats (a request sent again while entries were on
 *     the wire), skipped; a hole in the middle of a stream (a lost message)
 *     is mended by asking again from the last one;
 *   - counts the entries of its current request against its credit and
 *     asks again (since = last) when the credit runs out, or in --follow
 *     when three quarters of it are used, so live entries keep flowing;
 *   - asks again after a reconnection (a new connection is a new stream for
 *     the service) and, in --follow, a while after a retryable error.
 * There is no end-of-feed message: without --follow the command stops after
 * a short silence (700 ms after the last entry, 3 s when none came at all).
 * SIGINT and SIGTERM stop it cleanly; a second one exits at once.
 *
 * Acknowledging: FeedAck{seq} -> FeedAckReply. It is idempotent (everything
 * up to seq is read), so it is simply sent again after a reconnection.
 */
#include "cli_feed.h"

#include "civil_date.h"
#include "curve_dealer.h"
#include "keyfile.h"
#include "notify.pb-c.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define MAX_REPLY_BYTES (4 << 20)
#define HANDSHAKE_MS    5000
#define CREDIT_MAX      1000
#define QUIET_AFTER_MS  700  /* without --follow: done this long after the last entry */
#define QUIET_NONE_MS   3000 /* ...or this long after connecting, when none came */
#define REOPEN_MS       1000 /* a socket libzmq gave up is replaced after this */
#define RETRY_MS        1000 /* --follow: ask again this long after a retryable error */

static const char feed_usage[] =
    "usage: partrack feed --key KEYFILE [--since N] [--follow] [--limit N]\n"
    "                     [--endpoint URL] [--json]\n"
    "       partrack feed ack --key KEYFILE SEQ [--endpoint URL] [--json]\n"
    "\n"
    "Reads a person's notification feed with the key file `partrack person key`\n"
    "made: the key says whose feed it is. Every entry has a number, 1, 2, 3... per\n"
    "person, with no gap; entries are printed in order as\n"
    "\n"
    "  #SEQ  dd/mm/yyyy HH:MM  KIND  TEXT\n"
    "\n"
    "(times UTC+7; ✓ before the text marks an entry acknowledged already). KIND is\n"
    "assigned, due_soon, due, overdue, escalated, stale, recomputed, removed or\n"
    "deemed_agreed. With --json, one JSON object a line: seq, kind, text,\n"
    "created_at, occurrence_id, level, task_id, unit_code, acked.\n"
    "\n"
    "  --since N       only entries after number N (default 0: from the start)\n"
    "  --follow        keep reading new entries as they come, until interrupted\n"
    "                  (Ctrl-C)\n"
    "  --limit N       stop after N entries\n"
    "  --endpoint URL  the feed endpoint (default: the one in the key file)\n"
    "\n"
    "Without --follow the command stops when the feed has nothing more to say (a\n"
    "short silence). Either way it ends by telling, on stderr, how many entries\n"
    "came and the last number: give it as --since next time.\n"
    "\n"
    "`partrack feed ack --help` tells how to acknowledge entries.\n"
    "Exit status: 0 done, 1 refused, 2 usage, 3 the feed refused the key (unknown,\n"
    "or replaced by a newer `partrack person key`) or did not answer.\n";

static const char ack_usage[] =
    "usage: partrack feed ack --key KEYFILE SEQ [--endpoint URL] [--json]\n"
    "\n"
    "Acknowledges every entry of the key's feed up to number SEQ: they are marked\n"
    "read (✓). Acknowledging a due or overdue alert stops its task's escalation at\n"
    "that level: the deadline service hears of it before the answer comes. Prints\n"
    "how many entries were newly acknowledged and how many escalations stopped.\n"
    "\n"
    "Exit status: 0 done, 1 refused, 2 usage, 3 the feed refused the key (unknown,\n"
    "or replaced by a newer `partrack person key`) or did not answer.\n";

static const char refused_message[] =
    "partrack: the feed refused this key: unknown, or replaced by a newer `partrack person "
    "key`\n";

/* ---- signals ---- */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    if (stop_requested)
        _exit(128 + sig); /* a second signal: at once */
    stop_requested = 1;
}

/* SIGINT and SIGTERM set stop_requested; no SA_RESTART, so a wait in
 * zmq_poll ends with EINTR. */
static void signals_catch(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- times ---- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* n digits at *p into *out, advancing *p. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return false;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return true;
}

int cli_feed_format_time(const char *text, char *out, size_t len)
{
    int y, mo, d, h, mi, s = 0, oh = 0, om = 0, sign = 1;
    const char *p = text ? text : "";
    bool ok = digits(&p, 4, &y) && *p++ == '-' && digits(&p, 2, &mo) && *p++ == '-' &&
              digits(&p, 2, &d) && (*p == 'T' || *p == 't' || *p == ' ') && p++ &&
              digits(&p, 2, &h) && *p++ == ':' && digits(&p, 2, &mi);
    if (ok && *p == ':') {
        p++;
        ok = digits(&p, 2, &s);
        if (ok && *p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
    }
    if (ok) {
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            sign = *p++ == '-' ? -1 : 1;
            ok = digits(&p, 2, &oh);
            if (ok && *p == ':')
                p++;
            if (ok && *p)
                ok = digits(&p, 2, &om);
        } else {
            ok = false; /* no offset: not an instant */
        }
    }
    date_t date = ok && !*p && h < 24 && mi < 60 && s < 61 && oh < 24 && om < 60
                      ? date_from_ymd(y, mo, d)
                      : DATE_INVALID;
    if (date == DATE_INVALID) {
        snprintf(out, len, "%s", text ? text : "");
        return -1;
    }
    /* Minutes since 1970 in UTC, then in UTC+7. */
    int64_t minutes = (int64_t)date * 1440 + h * 60 + mi - sign * (oh * 60 + om) + 7 * 60;
    int64_t day = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
    int in_day = (int)(minutes - day * 1440);
    date_to_ymd((date_t)day, &y, &mo, &d);
    snprintf(out, len, "%02d/%02d/%04d %02d:%02d", d, mo, y, in_day / 60, in_day % 60);
    return 0;
}

/* ---- the connection ---- */

typedef struct {
    void *ctx;
    keyfile_t key;
    char endpoint[256];
    curve_dealer_t cd;
    bool up;           /* a handshake completed (or something came) */
    unsigned ups;      /* handshakes completed */
    int64_t up_ms;     /* when the first did */
    int64_t reopen_ms; /* 0, or when to replace a socket libzmq gave up */
    char detail[512];  /* the last handshake problem, for "no answer" */
} feed_conn_t;

typedef enum {
    WAIT_MESSAGE, /* *env holds a message */
    WAIT_TIMEOUT, /* nothing until then */
    WAIT_RESEND,  /* a new connection or socket: send the request again */
    WAIT_REFUSED, /* the key was refused */
    WAIT_STOPPED, /* SIGINT or SIGTERM */
    WAIT_FAILED,  /* ZeroMQ failed, or the endpoint is not a CURVE one: c->detail says */
} wait_t;

static int conn_socket(feed_conn_t *c)
{
    char err[256];
    if (curve_dealer_open(&c->cd, c->ctx, &c->key, c->endpoint, HANDSHAKE_MS, MAX_REPLY_BYTES, err,
                          sizeof err) < 0) {
        snprintf(c->detail, sizeof c->detail, "%s", err);
        return -1;
    }
    if (!c->cd.monitor && !c->up) { /* no handshake will be reported */
        c->up = true;
        c->up_ms = now_ms();
    }
    return 0;
}

/* Reads the key file and connects. Returns a CLI_ code (message printed). */
static int conn_open(feed_conn_t *c, cli_t *cli, const char *key_path, const char *endpoint)
{
    char errbuf[768];
    memset(c, 0, sizeof *c);
    c->ctx = cli->zmq;
    if (keyfile_read(key_path, &c->key, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "partrack: %s\n", errbuf);
        return CLI_USAGE;
    }
    if (!keyfile_z85_valid(c->key.server_key)) {
        fprintf(stderr,
                "partrack: %s holds no server key: is it a key file from `partrack person "
                "key`?\n",
                key_path);
        return CLI_USAGE;
    }
    if (!endpoint || !*endpoint)
        endpoint = c->key.endpoint;
    if (!*endpoint) {
        fprintf(stderr, "partrack: %s names no feed endpoint: give --endpoint URL\n", key_path);
        return CLI_USAGE;
    }
    if (strlen(endpoint) >= sizeof c->endpoint) {
        fprintf(stderr, "partrack: the endpoint is too long\n");
        return CLI_USAGE;
    }
    snprintf(c->endpoint, sizeof c->endpoint, "%s", endpoint);
    if (!c->ctx || conn_socket(c) < 0) {
        fprintf(stderr, "partrack: %s\n", c->ctx ? c->detail : "cannot start ZeroMQ");
        return CLI_UNAVAILABLE;
    }
    return CLI_OK;
}

static void conn_close(feed_conn_t *c)
{
    curve_dealer_close(&c->cd);
    explicit_bzero(&c->key, sizeof c->key);
}

/* Sends one envelope; a send that fails is like a lost message (the
 * caller asks again after a reconnection). Returns 0, or -1 out of memory. */
static int conn_send(feed_conn_t *c, Partrack__MessageType type, const char *correlation,
                     const ProtobufCMessage *payload)
{
    size_t len;
    uint8_t *frame = msg_pack(type, correlation, NULL, payload, &len);
    if (!frame)
        return -1;
    if (c->cd.socket)
        zmq_send(c->cd.socket, frame, len, ZMQ_DONTWAIT);
    free(frame);
    return 0;
}

/* Handshake events. Returns WAIT_TIMEOUT (nothing that ends the wait),
 * WAIT_RESEND, WAIT_REFUSED or WAIT_FAILED. */
static wait_t conn_events(feed_conn_t *c)
{
    wait_t result = WAIT_TIMEOUT;
    uint32_t value;
    for (curve_dealer_event_t e; (e = curve_dealer_event(&c->cd, &value)) != CURVE_DEALER_NONE;) {
        switch (e) {
        case CURVE_DEALER_UP:
            if (!c->up)
                c->up_ms = now_ms();
            c->up = true;
            c->detail[0] = '\0';
            if (++c->ups > 1)
                result = WAIT_RESEND; /* a new connection: the service forgot the old one */
            break;
        case CURVE_DEALER_REFUSED: return WAIT_REFUSED;
        case CURVE_DEALER_AUTH_FAILED:
            snprintf(c->detail, sizeof c->detail,
                     "the notify service could not check the key (ZAP status %u%s)", value,
                     value == 300 ? ": its database is unavailable" : "");
            curve_dealer_close(&c->cd); /* libzmq gave it up */
            c->reopen_ms = now_ms() + REOPEN_MS;
            return result;
        case CURVE_DEALER_PROTOCOL:
            snprintf(c->detail, sizeof c->detail,
                     "the CURVE handshake with %s failed (protocol error 0x%x): is it the notify "
                     "service's feed endpoint?",
                     c->endpoint, value);
            return WAIT_FAILED;
        case CURVE_DEALER_TIMEOUT:
            snprintf(c->detail, sizeof c->detail,
                     "the CURVE handshake with %s did not complete in time (the notify service "
                     "busy or stopped?)",
                     c->endpoint);
            break;
        case CURVE_DEALER_DROPPED:
            snprintf(c->detail, sizeof c->detail,
                     "%s closed the connection during the CURVE handshake: is the key file's "
                     "server key this feed's, and the endpoint the notify service's feed "
                     "endpoint?",
                     c->endpoint);
            break;
        case CURVE_DEALER_NONE: break;
        }
    }
    return result;
}

/* Waits until `until` (monotonic ms) for a message or an event. A message
 * is returned in *env (caller closes with msg_close). */
static wait_t conn_wait(feed_conn_t *c, int64_t until, msg_envelope_t **env)
{
    *env = NULL;
    for (;;) {
        if (stop_requested)
            return WAIT_STOPPED;
        int64_t now = now_ms();
        if (c->reopen_ms && now >= c->reopen_ms) {
            c->reopen_ms = 0;
            return conn_socket(c) == 0 ? WAIT_RESEND : WAIT_FAILED;
        }
        if (c->cd.socket) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, c->cd.socket, ZMQ_DONTWAIT) >= 0) {
                bool single = !zmq_msg_more(&m);
                Partrack__ErrorCode code;
                char reason[256];
                if (single)
                    *env = msg_open(zmq_msg_data(&m), zmq_msg_size(&m), MAX_REPLY_BYTES, &code,
                                    reason, sizeof reason);
                bool more = zmq_msg_more(&m);
                zmq_msg_close(&m);
                while (more) { /* a message is one frame: drop anything else */
                    zmq_msg_init(&m);
                    more = zmq_msg_recv(&m, c->cd.socket, 0) >= 0 && zmq_msg_more(&m);
                    zmq_msg_close(&m);
                }
                if (*env) {
                    if (!c->up)
                        c->up_ms = now;
                    c->up = true;
                    return WAIT_MESSAGE;
                }
                continue; /* unreadable: as if lost */
            }
            zmq_msg_close(&m);
        }
        int64_t wait = until - now;
        if (c->reopen_ms && c->reopen_ms - now < wait)
            wait = c->reopen_ms - now;
        if (wait <= 0 && now >= until)
            return WAIT_TIMEOUT;
        if (wait < 0)
            wait = 0;
        zmq_pollitem_t items[2];
        int n = 0;
        if (c->cd.socket)
            items[n++] = (zmq_pollitem_t){c->cd.socket, 0, ZMQ_POLLIN, 0};
        if (c->cd.monitor)
            items[n++] = (zmq_pollitem_t){c->cd.monitor, 0, ZMQ_POLLIN, 0};
        if (n == 0) {
            struct timespec ts = {(time_t)(wait / 1000), (long)(wait % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        } else if (zmq_poll(items, n, (long)wait) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            snprintf(c->detail, sizeof c->detail, "%s", zmq_strerror(zmq_errno()));
            return WAIT_FAILED;
        }
        wait_t w = conn_events(c);
        if (w != WAIT_TIMEOUT)
            return w;
    }
}

/* Prints an ErrorReply; returns its CLI_ code, and whether to try again
 * later in *retryable. A forbidden key is a refused key. */
static int print_error(const msg_envelope_t *env, bool *retryable)
{
    *retryable = false;
    char reason[256];
    Partrack__ErrorReply *e = (Partrack__ErrorReply *)msg_decode(
        env, &partrack__error_reply__descriptor, reason, sizeof reason);
    if (!e) {
        fprintf(stderr, "partrack: the feed answered with an unreadable error: %s\n", reason);
        return CLI_UNAVAILABLE;
    }
    fprintf(stderr, "partrack: %s [%s]\n", e->message, msg_code_name(e->code));
    for (size_t i = 0; i < e->n_problems; i++)
        fprintf(stderr, "  %s%s%s\n", e->problems[i]->field ? e->problems[i]->field : "",
                e->problems[i]->field && *e->problems[i]->field ? ": " : "",
                e->problems[i]->message);
    int rc = CLI_REFUSED;
    if (e->code == PARTRACK__ERROR_CODE__ERR_FORBIDDEN) {
        fputs(refused_message, stderr);
        rc = CLI_UNAVAILABLE;
    } else if (msg_code_retryable(e->code)) {
        rc = CLI_UNAVAILABLE;
        *retryable = true;
    }
    partrack__error_reply__free_unpacked(e, NULL);
    return rc;
}

/* Whether env answers the request sent as `correlation`: it echoes it, or
 * echoes none (an error about a message the service could not read: only
 * this client sends on this connection). */
static bool answers(const msg_envelope_t *env, const char *correlation)
{
    return !env->correlation_id || !*env->correlation_id ||
           strcmp(env->correlation_id, correlation) == 0;
}

static void print_no_answer(const feed_conn_t *c, int timeout_ms)
{
    fprintf(stderr, "partrack: no answer from the feed at %s in %d s%s%s\n", c->endpoint,
            timeout_ms / 1000, c->detail[0] ? ": " : "", c->detail);
}

/* ---- reading ---- */

typedef struct {
    feed_conn_t conn;
    bool follow, json;
    uint64_t limit; /* 0: none */
    uint64_t last;  /* the last entry printed, or --since */
    uint64_t got;   /* entries printed */
    char correlation[33];
    uint32_t credit, used; /* of the current request */
    bool first;            /* no entry of the current request yet */
    int64_t quiet_from;    /* the last entry (or request), for the silence */
    int64_t retry_ms;      /* 0, or when to ask again after a retryable error */
} reader_t;

static uint32_t next_credit(const reader_t *r)
{
    uint64_t left = r->limit ? r->limit - r->got : CREDIT_MAX;
    return left > CREDIT_MAX ? CREDIT_MAX : (uint32_t)left;
}

/* Asks for the entries after r->last, with a fresh credit. */
static int request(reader_t *r)
{
    Partrack__FeedRequest req = PARTRACK__FEED_REQUEST__INIT;
    req.has_since = 1;
    req.since = r->last;
    req.credit = next_credit(r);
    msg_new_id(r->correlation);
    r->credit = req.credit;
    r->used = 0;
    r->first = true;
    r->retry_ms = 0;
    r->quiet_from = now_ms();
    if (conn_send(&r->conn, PARTRACK__MESSAGE_TYPE__MSG_FEED_REQUEST, r->correlation, &req.base) <
        0) {
        fprintf(stderr, "partrack: out of memory\n");
        return -1;
    }
    return 0;
}

static void print_entry(const reader_t *r, const Partrack__FeedEntry *e)
{
    bool acked = e->has_acked && e->acked;
    if (r->json) {
        json_t *o = json_object();
        json_object_set_new(o, "seq", json_integer((json_int_t)e->seq));
        json_object_set_new(o, "kind", json_string(e->kind));
        json_object_set_new(o, "text", json_string(e->text));
        json_object_set_new(o, "created_at", json_string(e->created_at));
        json_object_set_new(o, "occurrence_id",
                            e->has_occurrence_id ? json_integer(e->occurrence_id) : json_null());
        json_object_set_new(o, "level", cli_json_string(e->level));
        json_object_set_new(o, "task_id", e->has_task_id ? json_integer(e->task_id) : json_null());
        json_object_set_new(o, "unit_code", cli_json_string(e->unit_code));
        json_object_set_new(o, "acked", json_boolean(acked));
        char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (line)
            puts(line);
        free(line);
        json_decref(o);
    } else {
        char when[64];
        cli_feed_format_time(e->created_at, when, sizeof when);
        printf("#%" PRIu64 "  %s  %s  %s%s\n", e->seq, when, e->kind, acked ? "✓ " : "", e->text);
    }
    fflush(stdout);
}

/* An entry. Returns 0, or -1 (a request could not be made). */
static int on_entry(reader_t *r, const msg_envelope_t *env)
{
    bool current = env->correlation_id && strcmp(env->correlation_id, r->correlation) == 0;
    char reason[256];
    Partrack__FeedEntry *e = (Partrack__FeedEntry *)msg_decode(
        env, &partrack__feed_entry__descriptor, reason, sizeof reason);
    if (current)
        r->used++;
    if (!e) {
        fprintf(stderr, "partrack: an unreadable feed entry: %s\n", reason);
        return current ? request(r) : 0; /* from the last good one again */
    }
    int rc = 0;
    bool first = current && r->first;
    if (current)
        r->first = false;
    if (e->seq <= r->last) {
        /* a repeat */
    } else if (e->seq == r->last + 1 || first) {
        print_entry(r, e);
        r->last = e->seq;
        r->got++;
        r->quiet_from = now_ms();
    } else if (current) {
        rc = request(r); /* a hole: one was lost on the way */
        current = false;
    }
    protobuf_c_message_free_unpacked(&e->base, NULL);
    if (rc < 0 || !current || (r->limit && r->got >= r->limit))
        return rc;
    /* Ask again before the credit runs out when following, or when it ran
     * out. */
    if (r->used >= r->credit || (r->follow && r->credit - r->used <= r->credit / 4))
        return request(r);
    return 0;
}

static int verb_read(cli_t *cli, int argc, char **argv)
{
    const char *key_path = NULL, *since_text = NULL, *limit_text = NULL, *endpoint = NULL;
    bool follow = false, json = false, help;
    const cli_option_t options[] = {
        {"key", &key_path, NULL, NULL, NULL},     {"since", &since_text, NULL, NULL, NULL},
        {"limit", &limit_text, NULL, NULL, NULL}, {"endpoint", &endpoint, NULL, NULL, NULL},
        {"follow", NULL, &follow, NULL, NULL},    {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, feed_usage, &pos, &npos, &help);
    if (rc == CLI_OK && !help && npos > 0) {
        fprintf(stderr, "partrack: unexpected argument %s\n\n%s", pos[0], feed_usage);
        rc = CLI_USAGE;
    }
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    if (!key_path) {
        fprintf(stderr, "partrack: give --key KEYFILE (made by `partrack person key`)\n\n%s",
                feed_usage);
        return CLI_USAGE;
    }
    reader_t r = {0};
    r.follow = follow;
    r.json = json;
    char *end;
    if (since_text) {
        errno = 0;
        unsigned long long v = strtoull(since_text, &end, 10);
        if (errno || *end || !*since_text || since_text[0] == '-' || v > INT64_MAX) {
            fprintf(stderr, "partrack: --since takes an entry number (0 or more)\n");
            return CLI_USAGE;
        }
        r.last = v;
    }
    if (limit_text) {
        errno = 0;
        unsigned long long v = strtoull(limit_text, &end, 10);
        if (errno || *end || !*limit_text || limit_text[0] == '-' || v < 1) {
            fprintf(stderr, "partrack: --limit takes a number of entries (1 or more)\n");
            return CLI_USAGE;
        }
        r.limit = v;
    }
    rc = conn_open(&r.conn, cli, key_path, endpoint);
    if (rc != CLI_OK) {
        conn_close(&r.conn);
        return rc;
    }
    signals_catch();
    int64_t start = now_ms();
    if (request(&r) < 0) {
        conn_close(&r.conn);
        return CLI_UNAVAILABLE;
    }
    while (!(r.limit && r.got >= r.limit)) {
        int64_t until;
        if (!r.conn.up) {
            until = start + cli->timeout_ms;
        } else if (!follow) {
            int64_t from = r.quiet_from > r.conn.up_ms ? r.quiet_from : r.conn.up_ms;
            until = from + (r.got ? QUIET_AFTER_MS : QUIET_NONE_MS);
        } else {
            until = now_ms() + 60000;
        }
        if (r.retry_ms && r.retry_ms < until)
            until = r.retry_ms;
        msg_envelope_t *env;
        wait_t w = conn_wait(&r.conn, until, &env);
        if (w == WAIT_TIMEOUT && r.retry_ms && now_ms() >= r.retry_ms) {
            if (request(&r) < 0)
                rc = CLI_UNAVAILABLE;
        } else if (w == WAIT_TIMEOUT) {
            if (!r.conn.up) {
                print_no_answer(&r.conn, cli->timeout_ms);
                rc = CLI_UNAVAILABLE;
            } else if (!follow) {
                break; /* the feed has nothing more to say */
            }
        } else if (w == WAIT_RESEND) {
            if (request(&r) < 0)
                rc = CLI_UNAVAILABLE;
        } else if (w == WAIT_REFUSED) {
            fputs(refused_message, stderr);
            rc = CLI_UNAVAILABLE;
        } else if (w == WAIT_STOPPED) {
            break;
        } else if (w == WAIT_FAILED) {
            fprintf(stderr, "partrack: %s\n", r.conn.detail);
            rc = CLI_UNAVAILABLE;
        } else if (env->type == PARTRACK__MESSAGE_TYPE__MSG_FEED_ENTRY) {
            if (on_entry(&r, env) < 0)
                rc = CLI_UNAVAILABLE;
        } else if (env->type == PARTRACK__MESSAGE_TYPE__MSG_ERROR && answers(env, r.correlation)) {
            bool retryable;
            int code = print_error(env, &retryable);
            if (follow && retryable)
                r.retry_ms = now_ms() + RETRY_MS; /* the database down...: ask again soon */
            else
                rc = code;
        }
        msg_close(&env);
        if (rc != CLI_OK)
            break;
    }
    conn_close(&r.conn);
    if (rc != CLI_OK && !r.got)
        return rc; /* nothing came: the error said it all */
    if (r.got)
        fprintf(stderr,
                "%" PRIu64 " entr%s, the last #%" PRIu64 "; next time: --since %" PRIu64 "\n",
                r.got, r.got == 1 ? "y" : "ies", r.last, r.last);
    else
        fprintf(stderr, "no entries after #%" PRIu64 "; next time: --since %" PRIu64 "\n", r.last,
                r.last);
    return rc;
}

/* ---- acknowledging ---- */

static int verb_ack(cli_t *cli, int argc, char **argv)
{
    const char *key_path = NULL, *endpoint = NULL;
    bool json = false, help;
    const cli_option_t options[] = {
        {"key", &key_path, NULL, NULL, NULL},
        {"endpoint", &endpoint, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, ack_usage, &pos, &npos, &help);
    const char *seq_text = rc == CLI_OK && !help && npos == 1 ? pos[0] : NULL;
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    if (!key_path || !seq_text) {
        fprintf(stderr, "partrack: give --key KEYFILE and one entry number SEQ\n\n%s", ack_usage);
        return CLI_USAGE;
    }
    char *end;
    errno = 0;
    unsigned long long seq = strtoull(seq_text, &end, 10);
    if (errno || *end || !*seq_text || seq_text[0] == '-' || seq < 1 || seq > INT64_MAX) {
        fprintf(stderr, "partrack: SEQ is an entry number (1 or more), not %s\n", seq_text);
        return CLI_USAGE;
    }
    feed_conn_t c;
    rc = conn_open(&c, cli, key_path, endpoint);
    if (rc != CLI_OK) {
        conn_close(&c);
        return rc;
    }
    Partrack__FeedAck req = PARTRACK__FEED_ACK__INIT;
    req.seq = seq;
    char correlation[33];
    msg_new_id(correlation);
    int64_t until = now_ms() + cli->timeout_ms;
    rc = conn_send(&c, PARTRACK__MESSAGE_TYPE__MSG_FEED_ACK, correlation, &req.base) == 0
             ? -1
             : CLI_UNAVAILABLE;
    Partrack__FeedAckReply *reply = NULL;
    int64_t retry_ms = 0;
    while (rc < 0) {
        msg_envelope_t *env;
        wait_t w = conn_wait(&c, retry_ms ? retry_ms : until, &env);
        if (w == WAIT_TIMEOUT && retry_ms) {
            retry_ms = 0;
            conn_send(&c, PARTRACK__MESSAGE_TYPE__MSG_FEED_ACK, correlation, &req.base);
        } else if (w == WAIT_TIMEOUT) {
            print_no_answer(&c, cli->timeout_ms);
            rc = CLI_UNAVAILABLE;
        } else if (w == WAIT_RESEND) {
            conn_send(&c, PARTRACK__MESSAGE_TYPE__MSG_FEED_ACK, correlation, &req.base);
        } else if (w == WAIT_REFUSED) {
            fputs(refused_message, stderr);
            rc = CLI_UNAVAILABLE;
        } else if (w == WAIT_STOPPED) {
            rc = CLI_UNAVAILABLE;
        } else if (w == WAIT_FAILED) {
            fprintf(stderr, "partrack: %s\n", c.detail);
            rc = CLI_UNAVAILABLE;
        } else if (!answers(env, correlation)) {
            /* not the answer to this */
        } else if (env->type == PARTRACK__MESSAGE_TYPE__MSG_ERROR) {
            bool retryable;
            int code = print_error(env, &retryable);
            if (retryable && now_ms() + RETRY_MS < until) {
                /* the database or the deadline service did not answer: the
                 * same acknowledgement again, a little later */
                fprintf(stderr, "partrack: trying again\n");
                retry_ms = now_ms() + RETRY_MS;
            } else {
                rc = code;
            }
        } else if (env->type == PARTRACK__MESSAGE_TYPE__MSG_FEED_ACK_REPLY) {
            char reason[256];
            reply = (Partrack__FeedAckReply *)msg_decode(env, &partrack__feed_ack_reply__descriptor,
                                                         reason, sizeof reason);
            if (!reply)
                fprintf(stderr, "partrack: unreadable reply: %s\n", reason);
            rc = reply ? CLI_OK : CLI_UNAVAILABLE;
        } else {
            fprintf(stderr, "partrack: unexpected reply type %d\n", (int)env->type);
            rc = CLI_UNAVAILABLE;
        }
        msg_close(&env);
    }
    conn_close(&c);
    if (!reply)
        return rc;
    if (json) {
        cli_print_json(json_pack("{s:I, s:i, s:i}", "seq", (json_int_t)reply->seq, "acknowledged",
                                 (int)reply->acknowledged, "escalations_stopped",
                                 (int)reply->escalations_stopped));
    } else {
        printf("entries up to #%" PRIu64 " acknowledged: %u newly", reply->seq,
               reply->acknowledged);
        if (reply->escalations_stopped)
            printf("; %u escalation%s stopped", reply->escalations_stopped,
                   reply->escalations_stopped == 1 ? "" : "s");
        else
            printf("; no escalation to stop");
        printf("\n");
    }
    partrack__feed_ack_reply__free_unpacked(reply, NULL);
    return CLI_OK;
}

int cli_feed(cli_t *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "ack") == 0)
        return verb_ack(cli, argc - 1, argv + 1);
    return verb_read(cli, argc, argv);
}
