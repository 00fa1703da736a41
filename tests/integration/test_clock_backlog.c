/* test_clock_backlog.c - `clock set` answers while the registry publishes
 * faster than the deadline service keeps up
 *
 * Setting the manual clock first applies the registry's events, so that a
 * task imported just before is known when the sweep runs. The chaos run
 * found it applied every event there was, until none was left: with a
 * publisher going faster than the service (here: one event a transaction,
 * PARTRACK_DEADLINE_BATCH=1, against updates published through the real
 * publish client as fast as it can), that never happened, the request was
 * never answered, and every request behind it (pings included) waited too.
 * It must apply what was committed when the clock was set, then answer.
 */
#include "harness.h"
#include "ingest.pb-c.h"
#include "keyfile.h"
#include "publish_client.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define TASKS 50

static harness_service_t registry, deadline;
static char db[64];

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ok(const char *what, harness_run_t *r, int rc)
{
    cr_assert_eq(rc, 0, "%s: exit %d: %s", what, rc, r->err);
    harness_run_free(r);
}

static void start(void)
{
    snprintf(db, sizeof db, "clock_backlog_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
    cr_assert_eq(harness_deadline_start(&deadline, db, "PARTRACK_DEADLINE_CLOCK=manual",
                                        "PARTRACK_DEADLINE_POLL_MS=50", "PARTRACK_DEADLINE_BATCH=1",
                                        NULL),
                 0, "deadline service did not start (log %s)", deadline.log);
}

static void stop(void)
{
    harness_service_stop(&deadline, SIGTERM);
    harness_service_stop(&registry, SIGTERM);
}

TestSuite(clock_backlog, .init = start, .fini = stop, .timeout = 120);

typedef struct {
    publish_client_t *client;
    int64_t task_ids[TASKS];
    atomic_bool stop;
    atomic_long acked;
} publisher_t;

/* Progress updates as fast as the window allows, until told to stop. */
static void *publish(void *arg)
{
    publisher_t *p = arg;
    publish_result_t r;
    for (long i = 0; i < 2000000 && !atomic_load(&p->stop); i++) {
        Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
        char key[32];
        snprintf(key, sizeof key, "backlog-%ld", i);
        u.has_task_id = 1;
        u.task_id = p->task_ids[i % TASKS];
        u.has_progress = 1;
        u.progress = (int32_t)(i % 100);
        if (publish_client_send(p->client, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base,
                                key, (uint64_t)i) < 0)
            break;
        while (publish_client_result(p->client, &r, 0) == 1)
            atomic_fetch_add(&p->acked, r.code == PARTRACK__ERROR_CODE__ERR_NONE);
    }
    while (publish_client_in_flight(p->client) > 0 || publish_client_pending_results(p->client) > 0)
        if (publish_client_result(p->client, &r, 1000) == 1)
            atomic_fetch_add(&p->acked, r.code == PARTRACK__ERROR_CODE__ERR_NONE);
    return NULL;
}

static long behind(void)
{
    return sql("SELECT (SELECT last_seq FROM registry.event_counter) - coalesce((SELECT last_seq "
               "FROM deadline.event_cursor WHERE producer = 'registry'), 0)");
}

Test(clock_backlog, clock_set_answers_while_events_keep_coming)
{
    harness_run_t r;
    ok("unit import", &r,
       harness_cli(&r, registry.endpoint, "unit", "import",
                   harness_source("deploy/sample/units.csv"),
                   harness_source("deploy/sample/people.csv"), NULL));
    ok("clock set", &r,
       harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "clock", "set",
                   "2024-01-02", NULL));
    char tsv[TASKS * 96 + 96];
    size_t len =
        (size_t)snprintf(tsv, sizeof tsv, "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n");
    for (int t = 1; t <= TASKS; t++)
        len += (size_t)snprintf(tsv + len, sizeof tsv - len,
                                "%d\tNhiệm vụ số %d\tBộ phận Một cửa\tQuý IV/2024\n", t, t);
    ok("plan import", &r,
       harness_cli(&r, registry.endpoint, "plan", "import",
                   harness_write_temp("backlog.tsv", tsv, len), "--unit", "HN.HADONG.PHULAM",
                   "--year", "2024", "--number", "1/KH-UBND", "--title", "Kế hoạch", NULL));
    const char *key_path = harness_write_temp("backlog.key", "", 0);
    unlink(key_path);
    ok("publisher add", &r,
       harness_cli(&r, registry.endpoint, "publisher", "add", "backlog", "--scope",
                   "HN.HADONG.PHULAM", "--key-file", key_path, NULL));
    keyfile_t key;
    char err[256];
    cr_assert_eq(keyfile_read(key_path, &key, err, sizeof err), 0, "%s", err);
    unlink(key_path);

    static publisher_t p;
    PGconn *conn = harness_pg(db);
    PGresult *res = PQexec(conn, "SELECT id FROM registry.task ORDER BY id");
    cr_assert_eq(PQntuples(res), TASKS);
    for (int t = 0; t < TASKS; t++)
        p.task_ids[t] = strtoll(PQgetvalue(res, t, 0), NULL, 10);
    PQclear(res);
    PQfinish(conn);
    void *ctx = zmq_ctx_new();
    publish_options_t opt = {.window = 2000, .deadline_ms = 60000};
    p.client = publish_client_new(ctx, &key, NULL, &opt, err, sizeof err);
    cr_assert_not_null(p.client, "%s", err);
    pthread_t thread;
    cr_assert_eq(pthread_create(&thread, NULL, publish, &p), 0);

    /* The service falls behind: the registry publishes faster. */
    int64_t until = now_ms() + 20000;
    while (behind() < 2000 && now_ms() < until)
        usleep(50 * 1000);
    long gap = behind();
    if (gap < 2000) {
        atomic_store(&p.stop, true);
        pthread_join(thread, NULL);
        cr_skip_test("the deadline service kept up (%ld events behind): nothing to show", gap);
    }
    long committed = sql("SELECT last_seq FROM registry.event_counter");
    int64_t t = now_ms();
    int rc = harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "--timeout", "20",
                         "clock", "set", "2024-01-03", NULL);
    int64_t took = now_ms() - t;
    bool publishing = !atomic_load(&p.stop);
    long cursor = sql("SELECT last_seq FROM deadline.event_cursor WHERE producer = 'registry'");
    long still = behind();
    atomic_store(&p.stop, true);
    pthread_join(thread, NULL);
    publish_client_destroy(&p.client);
    zmq_ctx_term(ctx);
    fprintf(stderr,
            "clock set with %ld events behind: answered in %lld ms (exit %d), %ld behind after; "
            "%ld updates acknowledged in all\n",
            gap, (long long)took, rc, still, atomic_load(&p.acked));
    cr_assert_eq(rc, 0, "clock set was not answered while events kept coming: %s", r.err);
    harness_run_free(&r);
    cr_assert(publishing);
    cr_assert_geq(cursor, committed, "every event committed before the clock was set is applied");
    cr_assert_eq(sql("SELECT count(*) FROM deadline.clock WHERE now = '2024-01-03 00:00+07'"), 1);
}
