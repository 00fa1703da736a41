/* bench_baseline.c - the machine's raw limits, measured in the same run as
 * partrack's own figures (scripts/bench all puts each figure beside them)
 *
 * usage: bench_baseline CONNINFO [ROWS] [MESSAGES]
 *
 * PostgreSQL, on CONNINFO (an empty database of the bench's own), rows
 * shaped like registry.task_update (same columns, primary key and task
 * index) written three ways, each into a fresh table:
 *   - single-row commits: 2,000 INSERTs, each its own transaction, durable
 *     as the server is configured (synchronous_commit): rows/s and the
 *     commit latency p50/p99;
 *   - batched INSERT: ROWS rows (default 100,000), 500 to a statement
 *     (binary arrays through unnest, as the ingest endpoint writes), each
 *     statement its own transaction: rows/s;
 *   - COPY: the same ROWS rows, one COPY in one transaction: rows/s.
 * ZeroMQ on loopback tcp, a DEALER in this thread and a ROUTER in another,
 * MESSAGES messages (default 200,000) of 120 bytes (a published TaskUpdate's
 * size), plain and over CURVE:
 *   - one way: messages/s;
 *   - request/reply with 1,000 in flight, each answered with 40 bytes (the
 *     ingest protocol's shape with no database behind it): messages/s.
 * Prints figures, then one JSON object on the last line.
 */
#include "bench_stats.h"
#include "db.h"
#include "db_binarray.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define SINGLE_ROWS  2000
#define BATCH_ROWS   500
#define MESSAGE_SIZE 120
#define REPLY_SIZE   40
#define WINDOW       1000
#define ENDPOINT     "tcp://127.0.0.1:*"

static void die(const char *what, const char *why)
{
    fprintf(stderr, "bench_baseline: %s: %s\n", what, why);
    exit(1);
}

/* ---- PostgreSQL ---- */

static void run(db_t *db, const char *sql)
{
    db_status_t st;
    PGresult *res = db_exec(db, sql, 0, NULL, &st);
    if (!res)
        die(sql, db_error(db));
    PQclear(res);
}

static void fresh_table(db_t *db)
{
    run(db, "DROP TABLE IF EXISTS baseline_update");
    run(db, "CREATE TABLE baseline_update (id bigint PRIMARY KEY, task_id bigint NOT NULL, "
            "recorded_at timestamptz NOT NULL DEFAULT now(), actor text NOT NULL, progress "
            "integer, status text, completed_at timestamptz, note text, evidence text[] NOT NULL "
            "DEFAULT '{}', source_at timestamptz)");
    run(db, "CREATE INDEX ON baseline_update (task_id, id)");
}

static double single_row_commits(db_t *db, double *p50_ms, double *p99_ms)
{
    fresh_table(db);
    double *lat = calloc(SINGLE_ROWS, sizeof *lat);
    if (!lat)
        die("memory", "out of memory");
    double start = bench_now_s();
    for (int i = 0; i < SINGLE_ROWS; i++) {
        char id[24], task[24], progress[8];
        snprintf(id, sizeof id, "%d", i + 1);
        snprintf(task, sizeof task, "%d", i % 1000 + 1);
        snprintf(progress, sizeof progress, "%d", i % 101);
        const char *p[] = {id, task, progress};
        double t0 = bench_now_s();
        db_status_t st;
        PGresult *res = db_exec(db,
                                "INSERT INTO baseline_update (id, task_id, actor, progress, note, "
                                "source_at) VALUES ($1, $2, 'bench', $3, 'bench', now())",
                                3, p, &st);
        if (!res)
            die("single-row insert", db_error(db));
        PQclear(res);
        lat[i] = (bench_now_s() - t0) * 1000.0;
    }
    double secs = bench_now_s() - start;
    bench_sort(lat, SINGLE_ROWS);
    bench_percentiles_write("pg_single_row_commit", lat, SINGLE_ROWS);
    *p50_ms = bench_percentile(lat, SINGLE_ROWS, 0.50);
    *p99_ms = bench_percentile(lat, SINGLE_ROWS, 0.99);
    free(lat);
    return SINGLE_ROWS / secs;
}

static double batched_insert(db_t *db, size_t rows)
{
    fresh_table(db);
    double start = bench_now_s();
    for (size_t done = 0; done < rows; done += BATCH_ROWS) {
        db_binarray_t cols[5];
        static const uint32_t types[5] = {DB_OID_INT8, DB_OID_INT8, DB_OID_TEXT, DB_OID_INT4,
                                          DB_OID_TEXT};
        for (int c = 0; c < 5; c++)
            db_binarray_init(&cols[c], types[c]);
        for (size_t i = done; i < done + BATCH_ROWS && i < rows; i++) {
            db_binarray_int8(&cols[0], (int64_t)i + 1);
            db_binarray_int8(&cols[1], (int64_t)(i % 1000) + 1);
            db_binarray_text(&cols[2], "bench");
            db_binarray_int4(&cols[3], (int32_t)(i % 101));
            db_binarray_text(&cols[4], "bench");
        }
        db_status_t st;
        PGresult *res = db_exec_binarrays(
            db,
            "INSERT INTO baseline_update (id, task_id, actor, progress, note, source_at) SELECT "
            "i, t, a, p, n, now() FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], "
            "$5::text[]) AS x(i, t, a, p, n)",
            cols, 5, &st);
        for (int c = 0; c < 5; c++)
            db_binarray_free(&cols[c]);
        if (!res)
            die("batched insert", db_error(db));
        PQclear(res);
    }
    return (double)rows / (bench_now_s() - start);
}

static double copy_rows(db_t *db, size_t rows)
{
    fresh_table(db);
    PGconn *pg = db_conn(db);
    double start = bench_now_s();
    run(db, "BEGIN");
    PGresult *res = PQexec(pg, "COPY baseline_update (id, task_id, actor, progress, note, "
                               "source_at) FROM STDIN");
    if (PQresultStatus(res) != PGRES_COPY_IN)
        die("COPY", PQerrorMessage(pg));
    PQclear(res);
    char line[128];
    for (size_t i = 0; i < rows; i++) {
        int len =
            snprintf(line, sizeof line, "%zu\t%zu\tbench\t%zu\tbench\t2024-06-01 00:00:00+07\n",
                     i + 1, i % 1000 + 1, i % 101);
        if (PQputCopyData(pg, line, len) != 1)
            die("COPY", PQerrorMessage(pg));
    }
    if (PQputCopyEnd(pg, NULL) != 1)
        die("COPY end", PQerrorMessage(pg));
    while ((res = PQgetResult(pg))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            die("COPY", PQerrorMessage(pg));
        PQclear(res);
    }
    run(db, "COMMIT");
    double rate = (double)rows / (bench_now_s() - start);
    run(db, "DROP TABLE baseline_update");
    return rate;
}

/* ---- ZeroMQ ---- */

typedef struct {
    void *router;
    size_t messages;
    bool reply;
} router_job_t;

static void *router_thread(void *arg)
{
    router_job_t *job = arg;
    char id[256], body[MESSAGE_SIZE * 2], reply[REPLY_SIZE];
    memset(reply, 'r', sizeof reply);
    for (size_t i = 0; i < job->messages; i++) {
        int idn = zmq_recv(job->router, id, sizeof id, 0);
        if (idn < 0 || zmq_recv(job->router, body, sizeof body, 0) < 0)
            return NULL;
        if (job->reply) {
            zmq_send(job->router, id, (size_t)idn, ZMQ_SNDMORE);
            zmq_send(job->router, reply, sizeof reply, 0);
        }
    }
    return NULL;
}

static void set_int(void *s, int option, int value)
{
    if (zmq_setsockopt(s, option, &value, sizeof value) != 0)
        die("zmq_setsockopt", zmq_strerror(zmq_errno()));
}

/* Messages a second from a DEALER to a ROUTER (answered when `reply`, with
 * WINDOW in flight), over CURVE when `curve`. */
static double zmq_rate(void *ctx, size_t messages, bool curve, bool reply)
{
    void *router = zmq_socket(ctx, ZMQ_ROUTER), *dealer = zmq_socket(ctx, ZMQ_DEALER);
    set_int(router, ZMQ_LINGER, 0);
    set_int(dealer, ZMQ_LINGER, 0);
    /* No high-water marks: a ROUTER drops what it cannot queue, and the
     * window bounds what is in flight anyway. */
    set_int(router, ZMQ_RCVHWM, 0);
    set_int(router, ZMQ_SNDHWM, 0);
    set_int(dealer, ZMQ_SNDHWM, 0);
    set_int(dealer, ZMQ_RCVHWM, 0);
    if (curve) {
        char server_public[41], server_secret[41], client_public[41], client_secret[41];
        if (zmq_curve_keypair(server_public, server_secret) != 0 ||
            zmq_curve_keypair(client_public, client_secret) != 0)
            die("zmq_curve_keypair", zmq_strerror(zmq_errno()));
        set_int(router, ZMQ_CURVE_SERVER, 1);
        zmq_setsockopt(router, ZMQ_CURVE_SECRETKEY, server_secret, 40);
        zmq_setsockopt(dealer, ZMQ_CURVE_SERVERKEY, server_public, 40);
        zmq_setsockopt(dealer, ZMQ_CURVE_PUBLICKEY, client_public, 40);
        zmq_setsockopt(dealer, ZMQ_CURVE_SECRETKEY, client_secret, 40);
    }
    char endpoint[64];
    size_t len = sizeof endpoint;
    if (zmq_bind(router, ENDPOINT) != 0 ||
        zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint, &len) != 0 ||
        zmq_connect(dealer, endpoint) != 0)
        die("zmq bind/connect", zmq_strerror(zmq_errno()));
    /* One message through first: the connection (and handshake) made. */
    router_job_t warm = {router, 1, true};
    pthread_t t;
    char body[MESSAGE_SIZE], answer[REPLY_SIZE * 2];
    memset(body, 'm', sizeof body);
    pthread_create(&t, NULL, router_thread, &warm);
    zmq_send(dealer, body, sizeof body, 0);
    zmq_recv(dealer, answer, sizeof answer, 0);
    pthread_join(t, NULL);

    router_job_t job = {router, messages, reply};
    double start = bench_now_s();
    pthread_create(&t, NULL, router_thread, &job);
    size_t sent = 0, answered = 0;
    while (sent < messages) {
        if (reply && sent - answered >= WINDOW) {
            zmq_recv(dealer, answer, sizeof answer, 0);
            answered++;
            continue;
        }
        zmq_send(dealer, body, sizeof body, 0);
        sent++;
        while (reply && zmq_recv(dealer, answer, sizeof answer, ZMQ_DONTWAIT) >= 0)
            answered++;
    }
    while (reply && answered < messages && zmq_recv(dealer, answer, sizeof answer, 0) >= 0)
        answered++;
    pthread_join(t, NULL);
    double rate = (double)messages / (bench_now_s() - start);
    zmq_close(dealer);
    zmq_close(router);
    return rate;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_baseline CONNINFO [ROWS] [MESSAGES]\n");
        return 2;
    }
    size_t rows = argc > 2 ? (size_t)atol(argv[2]) : 100000;
    size_t messages = argc > 3 ? (size_t)atol(argv[3]) : 200000;
    db_t *db = db_new(argv[1], "bench_baseline");
    if (!db || db_ensure(db, 10000) != DB_OK)
        die("database", db ? db_error(db) : "out of memory");
    run(db, "SET client_min_messages = warning");
    db_status_t st;
    PGresult *res = db_exec(db,
                            "SELECT current_setting('server_version'), "
                            "current_setting('synchronous_commit'), current_setting('fsync')",
                            0, NULL, &st);
    if (!res)
        die("version", db_error(db));
    char pg_version[64];
    snprintf(pg_version, sizeof pg_version, "%s", PQgetvalue(res, 0, 0));
    printf("PostgreSQL %s (synchronous_commit %s, fsync %s)\n", pg_version, PQgetvalue(res, 0, 1),
           PQgetvalue(res, 0, 2));
    PQclear(res);

    double p50, p99;
    double single = single_row_commits(db, &p50, &p99);
    printf("single-row commits: %d rows, %.0f rows/s; commit latency p50 %.2f ms, p99 %.2f ms\n",
           SINGLE_ROWS, single, p50, p99);
    double batched = batched_insert(db, rows);
    printf("batched INSERT, %d rows a statement and transaction: %zu rows, %.0f rows/s\n",
           BATCH_ROWS, rows, batched);
    double copy = copy_rows(db, rows);
    printf("COPY, one transaction: %zu rows, %.0f rows/s\n", rows, copy);
    db_destroy(&db);

    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    void *ctx = zmq_ctx_new();
    double plain = zmq_rate(ctx, messages, false, false);
    double curve = zmq_rate(ctx, messages, true, false);
    double plain_rr = zmq_rate(ctx, messages, false, true);
    double curve_rr = zmq_rate(ctx, messages, true, true);
    zmq_ctx_term(ctx);
    printf("libzmq %d.%d.%d, DEALER -> ROUTER over loopback tcp, %d-byte messages:\n", major, minor,
           patch, MESSAGE_SIZE);
    printf("  one way: %.0f msg/s plain, %.0f msg/s CURVE (%.2f of plain)\n", plain, curve,
           curve / plain);
    printf("  answered, %d in flight: %.0f msg/s plain, %.0f msg/s CURVE (%.2f of plain)\n", WINDOW,
           plain_rr, curve_rr, curve_rr / plain_rr);
    printf("{\"pg_version\": \"%s\", \"pg_single_commit_per_s\": %.0f, \"pg_commit_p50_ms\": "
           "%.3f, \"pg_commit_p99_ms\": %.3f, \"pg_batched_insert_per_s\": %.0f, "
           "\"pg_copy_per_s\": %.0f, \"zmq_version\": \"%d.%d.%d\", \"zmq_tcp_per_s\": %.0f, "
           "\"zmq_curve_per_s\": %.0f, \"zmq_tcp_reply_per_s\": %.0f, \"zmq_curve_reply_per_s\": "
           "%.0f}\n",
           pg_version, single, p50, p99, batched, copy, major, minor, patch, plain, curve, plain_rr,
           curve_rr);
    return 0;
}
