/* bench_e2e.c - publish -> feed-entry latency: a task update sent to the
 * registry's ingest endpoint, until the entry it makes reaches a unit
 * head's feed
 *
 * usage: bench_e2e PUBLISHER_KEY FEED_KEY PERSON CONNINFO [RATE] [SECONDS] [TIMEOUT]
 *
 * Against a running registry, deadline and notify service sharing the
 * database CONNINFO, which holds one plan whose tasks (all open) are led by
 * a unit whose head is PERSON. PUBLISHER_KEY is a publisher's key file (its
 * ingest endpoint), FEED_KEY the person's feed key file (its feed endpoint).
 *
 * A TaskUpdated whose status differs from the previous one makes one entry
 * (task_done, task_reopened...) in the heads' feeds; progress alone makes
 * none. So the bench sends RATE updates a second (default 1,000) for SECONDS
 * (default 10) cycling through the plan's tasks: the first pass marks each
 * task done, the second reopens it, and so on, so every update makes
 * exactly one entry for PERSON. Each update is timestamped when it is sent.
 * A feed reader (a DEALER over CURVE with the person's key, credit 10,000
 * renewed as it is used, acknowledging what it read every 100 ms) timestamps
 * each entry as it arrives. An entry carries its task, not the update, so
 * the k-th entry of task t reports the k-th update sent for t, which is
 * update k * ntasks + t: at 1,000 tasks and 1,000 updates a second, a task
 * is updated once a second, far apart from its entries' latency.
 *
 * Before sending, the bench waits until the deadline and notify services
 * have consumed every event (the plan's import makes assigned entries), and
 * reads the feed only after the person's last entry then. One progress-only
 * update (no entry) first opens the publisher's connection, so no handshake
 * is in the figures.
 *
 * Prints progress to stderr and the figures to stdout: the rate achieved,
 * acknowledgements, entries received against expected, how long after the
 * last update the last entry came (entries per second: below the rate, the
 * feed falls behind and latency grows with the run), latency p50, p90, p99
 * and max; the last line is JSON: rate, p50_ms, p99_ms. Exits 1 when an
 * update was not acknowledged or an entry did not arrive within TIMEOUT
 * seconds (default 30) after the last update was sent.
 */
#include "bench_stats.h"
#include "curve_dealer.h"
#include "ingest.pb-c.h"
#include "keyfile.h"
#include "msg.h"
#include "notify.pb-c.h"
#include "publish_client.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define FEED_CREDIT    10000 /* the most a FeedRequest may ask for */
#define FEED_MAX_BYTES (4 << 20)
#define HANDSHAKE_MS   5000
#define ACK_EVERY_S    0.1
#define SETTLE_WAIT_S  60.0
#define PROGRESS_EVERY 1.0

static void die(const char *what, const char *why)
{
    fprintf(stderr, "bench_e2e: %s: %s\n", what, why);
    exit(1);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* ---- the run's state ---- */

typedef struct {
    curve_dealer_t cd;
    uint64_t last;        /* the last entry taken */
    uint64_t asked_since; /* `since` of the current request */
    uint32_t used;        /* entries of the current request */
    uint64_t acked;       /* acknowledged up to */
    double acked_at;      /* when the last FeedAck went */
    unsigned ups;         /* handshakes completed */
} feed_t;

typedef struct {
    publish_client_t *client;
    feed_t feed;
    const char *run; /* makes idempotency keys unique per run */
    long *task_ids;  /* sorted */
    size_t ntasks;
    size_t n, sent;          /* updates planned, sent */
    double *sent_at;         /* per update, monotonic seconds */
    double *ack_ms;          /* per update: send -> acknowledgement, or -1 */
    double *entry_ms;        /* per update: send -> entry arrival, or -1 */
    size_t *entries_of_task; /* entries taken so far, per task */
    size_t acked, failed, matched, extra, other, wrong_kind;
    double start;         /* the first update's sending, for progress lines */
    double last_entry_at; /* when the last matched entry arrived */
} bench_t;

/* ---- publishing ---- */

/* Update i: its task and the status it sets (even passes done, odd open). */
static long update_task(const bench_t *b, size_t i)
{
    return b->task_ids[i % b->ntasks];
}

static bool update_is_done(const bench_t *b, size_t i)
{
    return (i / b->ntasks) % 2 == 0;
}

static void take_acks(bench_t *b, int timeout_ms)
{
    publish_result_t r;
    while (publish_client_result(b->client, &r, timeout_ms) == 1) {
        timeout_ms = 0;
        if (r.tag >= b->n)
            continue; /* the warm-up */
        if (r.code == PARTRACK__ERROR_CODE__ERR_NONE) {
            b->ack_ms[r.tag] = (bench_now_s() - b->sent_at[r.tag]) * 1000.0;
            b->acked++;
        } else if (b->failed++ < 3) {
            fprintf(stderr, "bench_e2e: update %llu not stored: %s\n", (unsigned long long)r.tag,
                    r.message);
        }
    }
}

static void send_update(bench_t *b, size_t i)
{
    Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
    u.has_task_id = 1;
    u.task_id = update_task(b, i);
    u.status = update_is_done(b, i) ? "done" : "open";
    u.note = "bench e2e";
    char key[64];
    snprintf(key, sizeof key, "%s-e2e-%zu", b->run, i);
    b->sent_at[i] = bench_now_s();
    if (publish_client_send(b->client, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base, key,
                            i) < 0)
        die("send", "the publish client refused an update");
    b->sent = i + 1;
}

/* A progress-only update (no feed entry), waited for: the connection is up
 * and the registry has answered once. */
static void warm_up(bench_t *b)
{
    Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
    u.has_task_id = 1;
    u.task_id = b->task_ids[0];
    u.has_progress = 1;
    u.progress = 0;
    char key[64];
    snprintf(key, sizeof key, "%s-e2e-warm-up", b->run);
    if (publish_client_send(b->client, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base, key,
                            b->n) < 0)
        die("warm-up", "the publish client refused an update");
    publish_result_t r;
    if (publish_client_result(b->client, &r, 60000) != 1)
        die("warm-up", "the registry did not answer within 60 s");
    if (r.code != PARTRACK__ERROR_CODE__ERR_NONE)
        die("warm-up", r.message);
}

/* ---- the feed ---- */

static void feed_send(feed_t *f, Partrack__MessageType type, const ProtobufCMessage *payload)
{
    char correlation[33];
    msg_new_id(correlation);
    size_t len;
    uint8_t *frame = msg_pack(type, correlation, NULL, payload, &len);
    if (!frame)
        die("feed", "out of memory");
    if (zmq_send(f->cd.socket, frame, len, ZMQ_DONTWAIT) < 0)
        fprintf(stderr, "bench_e2e: feed: a message could not be queued: %s\n",
                zmq_strerror(zmq_errno()));
    free(frame);
}

/* Asks for the entries after f->last with a fresh credit. */
static void feed_request(feed_t *f)
{
    Partrack__FeedRequest req = PARTRACK__FEED_REQUEST__INIT;
    req.has_since = 1;
    req.since = f->last;
    req.credit = FEED_CREDIT;
    f->asked_since = f->last;
    f->used = 0;
    feed_send(f, PARTRACK__MESSAGE_TYPE__MSG_FEED_REQUEST, &req.base);
}

static void feed_ack(feed_t *f)
{
    Partrack__FeedAck ack = PARTRACK__FEED_ACK__INIT;
    ack.seq = f->last;
    f->acked = f->last;
    f->acked_at = bench_now_s();
    feed_send(f, PARTRACK__MESSAGE_TYPE__MSG_FEED_ACK, &ack.base);
}

/* Handshake outcomes: a refused or failed one ends the bench; a new
 * connection is a new stream for the service, so the request goes again. */
static void feed_events(feed_t *f)
{
    uint32_t value;
    for (curve_dealer_event_t e; (e = curve_dealer_event(&f->cd, &value)) != CURVE_DEALER_NONE;) {
        if (e == CURVE_DEALER_UP) {
            if (++f->ups > 1)
                feed_request(f);
        } else if (e == CURVE_DEALER_REFUSED) {
            die("feed", "the notify service refused the person's key");
        } else if (e == CURVE_DEALER_AUTH_FAILED || e == CURVE_DEALER_PROTOCOL) {
            char why[64];
            snprintf(why, sizeof why, "the CURVE handshake failed (%u)", value);
            die("feed", why);
        }
    }
}

/* An entry that arrived at `at`: the update it reports, by task and order. */
static void take_entry(bench_t *b, const Partrack__FeedEntry *e, double at)
{
    bool done = strcmp(e->kind, "task_done") == 0;
    if (!e->has_task_id || (!done && strcmp(e->kind, "task_reopened") != 0)) {
        b->other++;
        return;
    }
    long *hit = bsearch(&e->task_id, b->task_ids, b->ntasks, sizeof *b->task_ids, cmp_long);
    if (!hit) {
        b->other++;
        return;
    }
    size_t t = (size_t)(hit - b->task_ids);
    size_t i = b->entries_of_task[t]++ * b->ntasks + t;
    if (i >= b->sent) {
        b->extra++;
        return;
    }
    if (done != update_is_done(b, i))
        b->wrong_kind++;
    b->entry_ms[i] = (at - b->sent_at[i]) * 1000.0;
    b->last_entry_at = at;
    b->matched++;
}

/* One received frame. */
static void feed_message(bench_t *b, const uint8_t *data, size_t len, double at)
{
    feed_t *f = &b->feed;
    Partrack__ErrorCode code;
    char reason[256];
    msg_envelope_t *env = msg_open(data, len, FEED_MAX_BYTES, &code, reason, sizeof reason);
    if (!env) {
        fprintf(stderr, "bench_e2e: feed: unreadable message: %s\n", reason);
        return;
    }
    if (env->type == PARTRACK__MESSAGE_TYPE__MSG_FEED_ENTRY) {
        Partrack__FeedEntry *e = (Partrack__FeedEntry *)msg_decode(
            env, &partrack__feed_entry__descriptor, reason, sizeof reason);
        if (!e)
            die("feed entry", reason);
        if (e->seq == f->last + 1) {
            f->last = e->seq;
            take_entry(b, e, at);
            if (++f->used >= FEED_CREDIT * 3 / 4)
                feed_request(f); /* keep live entries flowing */
        } else if (e->seq > f->last + 1 && f->asked_since != f->last) {
            feed_request(f); /* a hole: a lost message; ask from the last one */
        }
        /* seq <= last: a repeat (a request crossed entries on the wire) */
        partrack__feed_entry__free_unpacked(e, NULL);
    } else if (env->type == PARTRACK__MESSAGE_TYPE__MSG_ERROR) {
        Partrack__ErrorReply *e = (Partrack__ErrorReply *)msg_decode(
            env, &partrack__error_reply__descriptor, reason, sizeof reason);
        die("feed", e ? e->message : reason);
    }
    msg_close(&env);
}

/* Waits up to wait_ms for the feed, takes what came, and acknowledges
 * every ACK_EVERY_S. */
static void feed_poll(bench_t *b, int wait_ms)
{
    feed_t *f = &b->feed;
    zmq_pollitem_t items[2] = {{f->cd.socket, 0, ZMQ_POLLIN, 0}};
    int n = 1;
    if (f->cd.monitor)
        items[n++] = (zmq_pollitem_t){f->cd.monitor, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(items, n, wait_ms) < 0)
        die("feed", zmq_strerror(zmq_errno()));
    feed_events(f);
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, f->cd.socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            break;
        }
        double at = bench_now_s();
        if (!zmq_msg_more(&m))
            feed_message(b, zmq_msg_data(&m), zmq_msg_size(&m), at);
        bool more = zmq_msg_more(&m);
        zmq_msg_close(&m);
        while (more) { /* a message is one frame: drop anything else */
            zmq_msg_init(&m);
            more = zmq_msg_recv(&m, f->cd.socket, 0) >= 0 && zmq_msg_more(&m);
            zmq_msg_close(&m);
        }
    }
    if (f->last > f->acked && bench_now_s() - f->acked_at >= ACK_EVERY_S)
        feed_ack(f);
}

/* Connects with the person's key and asks for the entries after `since`;
 * returns once the handshake is done (or at once without a monitor). */
static void feed_open(bench_t *b, void *ctx, const keyfile_t *key, uint64_t since)
{
    feed_t *f = &b->feed;
    char err[256];
    if (curve_dealer_open(&f->cd, ctx, key, key->endpoint, HANDSHAKE_MS, FEED_MAX_BYTES, err,
                          sizeof err) < 0)
        die("feed", err);
    f->last = f->acked = since;
    feed_request(f);
    double until = bench_now_s() + 30;
    while (f->cd.monitor && f->ups == 0) {
        if (bench_now_s() > until)
            die("feed", "no CURVE handshake with the feed endpoint within 30 s");
        feed_poll(b, 100);
    }
}

/* ---- the database ---- */

static PGresult *query(PGconn *pg, const char *sql, int nparams, const char *const *params)
{
    PGresult *res = PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        die(sql, PQerrorMessage(pg));
    return res;
}

/* The plan's tasks, sorted; each must be open, as the first pass marks
 * them done. */
static void load_tasks(bench_t *b, PGconn *pg)
{
    PGresult *res = query(pg, "SELECT id, status FROM registry.task ORDER BY id", 0, NULL);
    b->ntasks = (size_t)PQntuples(res);
    if (b->ntasks == 0)
        die("database", "no task to update");
    if (!(b->task_ids = calloc(b->ntasks, sizeof *b->task_ids)))
        die("tasks", "out of memory");
    for (size_t i = 0; i < b->ntasks; i++) {
        b->task_ids[i] = atol(PQgetvalue(res, (int)i, 0));
        if (strcmp(PQgetvalue(res, (int)i, 1), "open") != 0)
            die("database", "a task is not open: the bench needs a fresh plan");
    }
    PQclear(res);
}

/* Whether the deadline and notify services have consumed every event
 * written so far. */
static bool settled(PGconn *pg)
{
    PGresult *res = query(
        pg,
        "SELECT (SELECT last_seq FROM registry.event_counter) = coalesce((SELECT last_seq "
        "FROM deadline.event_cursor WHERE producer = 'registry'), 0) AND (SELECT last_seq FROM "
        "registry.event_counter) = coalesce((SELECT last_seq FROM notify.event_cursor WHERE "
        "producer = 'registry'), 0) AND (SELECT last_seq FROM deadline.event_counter) = "
        "coalesce((SELECT last_seq FROM notify.event_cursor WHERE producer = 'deadline'), 0)",
        0, NULL);
    bool yes = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return yes;
}

/* Waits until the services are idle (twice in a row, 200 ms apart), then
 * returns the person's last entry. */
static uint64_t wait_settled(PGconn *pg, const char *person)
{
    double until = bench_now_s() + SETTLE_WAIT_S;
    int in_a_row = 0;
    while (in_a_row < 2) {
        if (bench_now_s() > until)
            die("database", "the deadline and notify services did not catch up within 60 s");
        in_a_row = settled(pg) ? in_a_row + 1 : 0;
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
    }
    const char *p[] = {person};
    PGresult *res = query(pg,
                          "SELECT coalesce((SELECT last_seq FROM notify.feed_head WHERE "
                          "person_id = $1), 0)",
                          1, p);
    uint64_t last = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return last;
}

/* ---- the run ---- */

static void progress(const bench_t *b)
{
    fprintf(stderr, "bench_e2e: %4.1f s: sent %zu, acknowledged %zu, entries %zu\n",
            bench_now_s() - b->start, b->sent, b->acked, b->matched);
}

/* Sends the n updates at `rate` a second, reading the feed in between.
 * Returns the seconds from the first send to the last. */
static double send_paced(bench_t *b, double rate)
{
    double start = b->start = bench_now_s(), next_progress = start + PROGRESS_EVERY;
    size_t i = 0;
    while (i < b->n) {
        double now = bench_now_s();
        while (i < b->n && start + (double)i / rate <= now)
            send_update(b, i++);
        take_acks(b, 0);
        if (now >= next_progress) {
            progress(b);
            next_progress += PROGRESS_EVERY;
        }
        double wait = i < b->n ? start + (double)i / rate - bench_now_s() : 0;
        feed_poll(b, wait > 0 ? (int)ceil(wait * 1000.0) : 0);
    }
    return b->n > 1 ? b->sent_at[b->n - 1] - b->sent_at[0] : 0;
}

/* Reads on until every acknowledged update has its entry, or timeout_s. */
static void wait_entries(bench_t *b, double timeout_s)
{
    double start = bench_now_s(), until = start + timeout_s, next_progress = start + PROGRESS_EVERY;
    while (bench_now_s() < until) {
        take_acks(b, 0);
        bool acks_done = publish_client_in_flight(b->client) == 0 &&
                         publish_client_pending_results(b->client) == 0;
        if (acks_done && b->matched >= b->acked)
            break;
        feed_poll(b, 10);
        if (bench_now_s() >= next_progress) {
            progress(b);
            next_progress += PROGRESS_EVERY;
        }
    }
    feed_poll(b, 0);
    if (b->feed.last > b->feed.acked)
        feed_ack(&b->feed);
}

/* The values of v[0..n) that are >= 0, sorted, into a new array. */
static double *measured(const double *v, size_t n, size_t *count)
{
    double *out = calloc(n ? n : 1, sizeof *out);
    if (!out)
        die("figures", "out of memory");
    *count = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] >= 0)
            out[(*count)++] = v[i];
    qsort(out, *count, sizeof *out, bench_cmp_double);
    return out;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_e2e PUBLISHER_KEY FEED_KEY PERSON CONNINFO [RATE] [SECONDS] "
                        "[TIMEOUT]\n");
        return 2;
    }
    double rate = argc > 5 ? atof(argv[5]) : 1000;
    double seconds = argc > 6 ? atof(argv[6]) : 10;
    double timeout = argc > 7 ? atof(argv[7]) : 30;
    if (!(rate > 0) || !(seconds > 0) || !(timeout > 0))
        die("usage", "RATE, SECONDS and TIMEOUT are positive numbers");
    char err[512];
    keyfile_t publisher, person;
    if (keyfile_read(argv[1], &publisher, err, sizeof err) < 0 ||
        keyfile_read(argv[2], &person, err, sizeof err) < 0)
        die("key file", err);
    PGconn *pg = PQconnectdb(argv[4]);
    if (PQstatus(pg) != CONNECTION_OK)
        die("database", PQerrorMessage(pg));

    bench_t b = {.n = (size_t)(rate * seconds)};
    if (b.n == 0)
        die("usage", "RATE x SECONDS makes no update");
    load_tasks(&b, pg);
    b.sent_at = calloc(b.n, sizeof *b.sent_at);
    b.ack_ms = malloc(b.n * sizeof *b.ack_ms);
    b.entry_ms = malloc(b.n * sizeof *b.entry_ms);
    b.entries_of_task = calloc(b.ntasks, sizeof *b.entries_of_task);
    if (!b.sent_at || !b.ack_ms || !b.entry_ms || !b.entries_of_task)
        die("updates", "out of memory");
    for (size_t i = 0; i < b.n; i++)
        b.ack_ms[i] = b.entry_ms[i] = -1;
    char run[32];
    snprintf(run, sizeof run, "%lld", (long long)msg_now_ms());
    b.run = run;

    fprintf(stderr, "bench_e2e: %zu tasks; waiting for the services to catch up\n", b.ntasks);
    uint64_t since = wait_settled(pg, argv[3]);
    void *ctx = zmq_ctx_new();
    publish_options_t opt = {.window = 1000, .deadline_ms = 60000};
    if (!(b.client = publish_client_new(ctx, &publisher, NULL, &opt, err, sizeof err)))
        die("publish client", err);
    warm_up(&b);
    feed_open(&b, ctx, &person, since);
    fprintf(stderr, "bench_e2e: feed of %s after #%llu; sending %zu updates at %.0f/s\n", argv[3],
            (unsigned long long)since, b.n, rate);

    double send_secs = send_paced(&b, rate);
    wait_entries(&b, timeout);

    double achieved = send_secs > 0 ? (double)(b.n - 1) / send_secs : 0;
    size_t nack, nlat;
    double *ack = measured(b.ack_ms, b.n, &nack);
    double *lat = measured(b.entry_ms, b.n, &nlat);
    double p50 = bench_percentile(lat, nlat, 0.50), p90 = bench_percentile(lat, nlat, 0.90),
           p99 = bench_percentile(lat, nlat, 0.99), max = nlat ? lat[nlat - 1] : 0;
    bench_percentiles_write("e2e_publish_to_feed", lat, nlat);
    printf("sent %zu updates (done/open in turn over %zu tasks) in %.2f s: %.0f/s (asked "
           "%.0f/s)\n",
           b.n, b.ntasks, send_secs, achieved, rate);
    printf("acknowledged after COMMIT: %zu, failed %zu; ack latency p50 %.1f ms, p99 %.1f ms\n",
           b.acked, b.failed, bench_percentile(ack, nack, 0.50), bench_percentile(ack, nack, 0.99));
    printf("feed entries: %zu of %zu expected (other entries %zu, unmatched %zu, wrong kind "
           "%zu)\n",
           b.matched, b.acked, b.other, b.extra, b.wrong_kind);
    if (nlat) {
        printf("the last entry came %.2f s after the last update: %.0f entries/s from the first "
               "update on\n",
               b.last_entry_at - b.sent_at[b.n - 1],
               (double)b.matched / (b.last_entry_at - b.sent_at[0]));
        printf("publish -> feed entry latency: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f "
               "ms\n",
               p50, p90, p99, max);
    } else {
        printf("publish -> feed entry latency: none measured\n");
    }
    int rc = 0;
    if (b.failed || b.acked < b.n) {
        printf("not acknowledged: %zu updates\n", b.n - b.acked);
        rc = 1;
    }
    if (b.matched < b.acked) {
        printf("missing: %zu entries did not arrive within %.0f s after the last update\n",
               b.acked - b.matched, timeout);
        rc = 1;
    }
    if (nlat)
        printf("{\"rate\": %.0f, \"p50_ms\": %.2f, \"p99_ms\": %.2f}\n", achieved, p50, p99);
    else /* nothing measured: no figure rather than a zero */
        printf("{\"rate\": %.0f, \"p50_ms\": null, \"p99_ms\": null}\n", achieved);

    free(ack);
    free(lat);
    curve_dealer_close(&b.feed.cd);
    publish_client_destroy(&b.client);
    zmq_ctx_term(ctx);
    PQfinish(pg);
    free(b.task_ids);
    free(b.sent_at);
    free(b.ack_ms);
    free(b.entry_ms);
    free(b.entries_of_task);
    return rc;
}
