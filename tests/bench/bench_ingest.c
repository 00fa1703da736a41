/* bench_ingest.c - durable acknowledged updates per second through the
 * ingest endpoint, their latency, and the database's raw limit beside them
 *
 * usage: bench_ingest KEYFILE CONNINFO [N] [WINDOW] [PACED_SECONDS]
 *
 * Against a running registry (the key file names its ingest endpoint) whose
 * database CONNINFO holds a plan the publisher may update:
 *   1. N task updates (default 100,000) sent with WINDOW in flight (default
 *      1,000) as fast as they are acknowledged: acknowledged per second and
 *      latency percentiles (queued -> acknowledged, after COMMIT);
 *   2. updates paced at 5,000 a second for PACED_SECONDS (default 3): the
 *      p99 acknowledgement latency at that rate;
 *   3. the raw limit, same run, same database: the rows the endpoint wrote
 *      for N updates (task_update with its key, event_log) written by COPY
 *      into tables of the same shape and indexes, in one transaction.
 * The last line is JSON: acked_per_s, raw_copy_per_s, ratio, ack_p50_ms,
 * ack_p99_ms, ack_p99_ms_at_5000.
 */
#include "bench_stats.h"
#include "ingest.pb-c.h"
#include "keyfile.h"
#include "msg.h"
#include "publish_client.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static void die(const char *what, const char *why)
{
    fprintf(stderr, "bench_ingest: %s: %s\n", what, why);
    exit(1);
}

typedef struct {
    publish_client_t *client;
    long *task_ids;
    size_t ntasks;
    double *queued, *latency;
    size_t nlat, failed;
    const char *run;
} bench_t;

static void take_results(bench_t *b, int timeout_ms)
{
    publish_result_t r;
    while (publish_client_result(b->client, &r, timeout_ms) == 1) {
        if (r.code == PARTRACK__ERROR_CODE__ERR_NONE)
            b->latency[b->nlat++] = (bench_now_s() - b->queued[r.tag]) * 1000.0;
        else if (b->failed++ < 3)
            fprintf(stderr, "bench_ingest: message %llu: %s\n", (unsigned long long)r.tag,
                    r.message);
        timeout_ms = 0;
    }
}

static void send_one(bench_t *b, size_t i, const char *phase)
{
    Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
    u.has_task_id = 1;
    u.task_id = b->task_ids[i % b->ntasks];
    u.has_progress = 1;
    u.progress = (int32_t)(i % 101);
    u.note = "bench";
    char key[64];
    snprintf(key, sizeof key, "%s-%s-%zu", b->run, phase, i);
    b->queued[i] = bench_now_s();
    if (publish_client_send(b->client, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base, key,
                            i) < 0)
        die("send", "the client refused a message");
    take_results(b, 0);
}

static void finish(bench_t *b)
{
    while (publish_client_in_flight(b->client) > 0 || publish_client_pending_results(b->client))
        take_results(b, 1000);
}

static PGresult *exec_ok(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_COPY_IN)
        die(sql, PQerrorMessage(pg));
    return res;
}

/* COPY n rows (made by row(i, buf)) into table; returns seconds. */
static void copy_rows(PGconn *pg, const char *copy_sql, size_t n,
                      int (*row)(size_t i, const bench_t *b, char *buf, size_t len),
                      const bench_t *b)
{
    PQclear(exec_ok(pg, copy_sql));
    char buf[512];
    for (size_t i = 0; i < n; i++) {
        int len = row(i, b, buf, sizeof buf);
        if (PQputCopyData(pg, buf, len) != 1)
            die("COPY", PQerrorMessage(pg));
    }
    if (PQputCopyEnd(pg, NULL) != 1)
        die("COPY end", PQerrorMessage(pg));
    PGresult *res;
    while ((res = PQgetResult(pg))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            die("COPY", PQerrorMessage(pg));
        PQclear(res);
    }
}

static int update_row(size_t i, const bench_t *b, char *buf, size_t len)
{
    return snprintf(buf, len, "%zu\t%ld\tbench\t%zu\tbench\t2024-06-01 00:00:00+07\t%s-raw-%zu\n",
                    900000000 + i, b->task_ids[i % b->ntasks], i % 101, b->run, i);
}

static int event_row(size_t i, const bench_t *b, char *buf, size_t len)
{
    (void)b;
    return snprintf(buf, len,
                    "%zu\tTaskUpdated\tB.W0\t\\\\x08011002"
                    "1a0562656e6368220c323032342d30362d3031\n",
                    900000000 + i);
}

/* The raw limit: the endpoint's rows for n updates, by COPY, one
 * transaction, into tables shaped like the real ones. Rows per second. */
static double raw_copy(PGconn *pg, const bench_t *b, size_t n)
{
    PQclear(exec_ok(pg, "DROP TABLE IF EXISTS bench_task_update, bench_event_log"));
    PQclear(exec_ok(pg, "CREATE TABLE bench_task_update (LIKE registry.task_update INCLUDING "
                        "DEFAULTS INCLUDING INDEXES); CREATE TABLE bench_event_log (LIKE "
                        "registry.event_log INCLUDING DEFAULTS INCLUDING INDEXES)"));
    double t0 = bench_now_s();
    PQclear(exec_ok(pg, "BEGIN"));
    copy_rows(pg,
              "COPY bench_task_update (id, task_id, actor, progress, note, source_at, "
              "idempotency_key) FROM STDIN",
              n, update_row, b);
    copy_rows(pg, "COPY bench_event_log (seq, type, unit_code, payload) FROM STDIN", n, event_row,
              b);
    PQclear(exec_ok(pg, "COMMIT"));
    double secs = bench_now_s() - t0;
    PQclear(exec_ok(pg, "DROP TABLE bench_task_update, bench_event_log"));
    return (double)n / secs;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_ingest KEYFILE CONNINFO [N] [WINDOW] [PACED_SECONDS]\n");
        return 2;
    }
    size_t n = argc > 3 ? (size_t)atol(argv[3]) : 100000;
    int window = argc > 4 ? atoi(argv[4]) : 1000;
    int paced = argc > 5 ? atoi(argv[5]) : 3;
    char err[512];
    keyfile_t key;
    if (keyfile_read(argv[1], &key, err, sizeof err) < 0)
        die("key file", err);
    PGconn *pg = PQconnectdb(argv[2]);
    if (PQstatus(pg) != CONNECTION_OK)
        die("database", PQerrorMessage(pg));
    PQclear(exec_ok(pg, "SET client_min_messages = warning"));
    PGresult *res = exec_ok(pg, "SELECT id FROM registry.task ORDER BY id LIMIT 1000");
    bench_t b = {.ntasks = (size_t)PQntuples(res)};
    if (b.ntasks == 0)
        die("database", "no task to update");
    b.task_ids = calloc(b.ntasks, sizeof *b.task_ids);
    for (size_t i = 0; i < b.ntasks; i++)
        b.task_ids[i] = atol(PQgetvalue(res, (int)i, 0));
    PQclear(res);
    size_t npaced = (size_t)paced * 5000;
    size_t most = n > npaced ? n : npaced;
    b.queued = calloc(most, sizeof *b.queued);
    b.latency = calloc(most, sizeof *b.latency);
    char run[32];
    snprintf(run, sizeof run, "%lld", (long long)msg_now_ms());
    b.run = run;
    void *ctx = zmq_ctx_new();
    publish_options_t opt = {.window = window, .deadline_ms = 120000};
    if (!(b.client = publish_client_new(ctx, &key, NULL, &opt, err, sizeof err)))
        die("client", err);

    /* 1. As fast as acknowledged. */
    double t0 = bench_now_s();
    for (size_t i = 0; i < n; i++)
        send_one(&b, i, "fast");
    finish(&b);
    double secs = bench_now_s() - t0;
    size_t acked = b.nlat;
    double acked_per_s = (double)acked / secs;
    bench_sort(b.latency, b.nlat);
    bench_percentiles_write("ingest_full_speed", b.latency, b.nlat);
    double p50 = bench_percentile(b.latency, b.nlat, 0.50),
           p99 = bench_percentile(b.latency, b.nlat, 0.99);
    printf("acknowledged: %zu of %zu updates in %.2f s: %.0f/s (window %d); latency p50 %.1f ms, "
           "p99 %.1f ms\n",
           acked, n, secs, acked_per_s, window, p50, p99);

    /* 2. Paced at 5,000 a second. */
    b.nlat = 0;
    double start = bench_now_s();
    for (size_t i = 0; i < npaced; i++) {
        /* A millisecond's five updates at each millisecond, waiting for
         * results in between rather than spinning on a core the registry
         * and the database need. */
        double at = start + (double)(i / 5) / 1000.0;
        for (double now = bench_now_s(); now < at; now = bench_now_s()) {
            int ms = (int)((at - now) * 1000.0) + 1;
            if (publish_client_in_flight(b.client) > 0)
                take_results(&b, ms);
            else
                nanosleep(&(struct timespec){0, (long)((at - now) * 1e9)}, NULL);
        }
        send_one(&b, i, "paced");
    }
    finish(&b);
    bench_sort(b.latency, b.nlat);
    bench_percentiles_write("ingest_at_5000", b.latency, b.nlat);
    double p99_paced = bench_percentile(b.latency, b.nlat, 0.99);
    printf("at 5,000 updates/s for %d s: %zu acknowledged, p50 %.1f ms, p99 %.1f ms\n", paced,
           b.nlat, bench_percentile(b.latency, b.nlat, 0.50), p99_paced);

    /* 3. The raw limit, same database, same run. */
    double raw = raw_copy(pg, &b, n);
    double ratio = raw > 0 ? acked_per_s / raw : 0;
    printf("raw limit: the same rows (task_update with its key, event_log) by COPY: %.0f "
           "updates/s; ratio %.2f\n",
           raw, ratio);
    if (b.failed)
        printf("failed: %zu messages were not acknowledged\n", b.failed);
    printf("{\"acked_per_s\": %.0f, \"raw_copy_per_s\": %.0f, \"ratio\": %.3f, \"ack_p50_ms\": "
           "%.2f, \"ack_p99_ms\": %.2f, \"ack_p99_ms_at_5000\": %.2f}\n",
           acked_per_s, raw, ratio, p50, p99, p99_paced);
    publish_client_destroy(&b.client);
    zmq_ctx_term(ctx);
    PQfinish(pg);
    free(b.task_ids);
    free(b.queued);
    free(b.latency);
    return b.failed ? 1 : 0;
}
