/* test_catch_up.c - a consumer far behind the registry still answers
 *
 * The deadline and notify services read the registry's events a batch per
 * transaction. Far behind (after a crash, or under a stream of published
 * updates) each must still serve requests between batches rather than
 * only once it has caught up: a restarted service that does not answer
 * looks hung. The test stops both, writes 20,000 events they ignore
 * straight into the registry's log, starts them again with a batch of one
 * event, and pings each while its cursor is still far behind.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define BACKLOG 20000

static harness_service_t registry, deadline, notify;
static char db[64];

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

static void start(void)
{
    snprintf(db, sizeof db, "catch_up_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
    cr_assert_eq(harness_deadline_start(&deadline, db, "PARTRACK_DEADLINE_CLOCK=manual",
                                        "PARTRACK_DEADLINE_BATCH=1", NULL),
                 0, "deadline service did not start (log %s)", deadline.log);
    char reg[128], dl[128], dle[128];
    snprintf(reg, sizeof reg, "PARTRACK_REGISTRY_EVENTS=%s", registry.events);
    snprintf(dl, sizeof dl, "PARTRACK_DEADLINE_EVENTS=%s", deadline.events);
    snprintf(dle, sizeof dle, "PARTRACK_DEADLINE_ENDPOINT=%s", deadline.endpoint);
    cr_assert_eq(harness_notify_start(&notify, db, reg, dl, dle, "PARTRACK_NOTIFY_BATCH=1", NULL),
                 0, "notify did not start (log %s)", notify.log);
}

static void stop(void)
{
    harness_service_stop(&notify, SIGTERM);
    harness_service_stop(&deadline, SIGTERM);
    harness_service_stop(&registry, SIGTERM);
}

TestSuite(catch_up, .init = start, .fini = stop, .timeout = 120);

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Events of a type no one acts on, as if the registry had written them. */
static void write_backlog(void)
{
    char query[512];
    snprintf(query, sizeof query,
             "WITH c AS (UPDATE registry.event_counter SET last_seq = last_seq + %d RETURNING "
             "last_seq), i AS (INSERT INTO registry.event_log (seq, type) SELECT c.last_seq - %d "
             "+ g, 'TestNoise' FROM c, generate_series(1, %d) g RETURNING 1) SELECT count(*) FROM "
             "i",
             BACKLOG, BACKLOG, BACKLOG);
    cr_assert_eq(sql(query), BACKLOG);
}

/* How many of the registry's events `consumer` has still to read. */
static long behind(const char *consumer)
{
    char query[256];
    snprintf(query, sizeof query,
             "SELECT (SELECT last_seq FROM registry.event_counter) - coalesce((SELECT last_seq "
             "FROM %s.event_cursor WHERE producer = 'registry'), 0)",
             consumer);
    return sql(query);
}

/* The service answers a ping within 1.5 s (scaled) while still far behind. */
static void answers_while_behind(harness_service_t *s)
{
    cr_assert_eq(harness_service_restart(s), 0, "%s did not answer after its start (log %s)",
                 s->name, s->log);
    long t0 = now_ms();
    harness_run_t r;
    int rc = harness_cli(&r, s->endpoint, "--timeout", harness_seconds(3), "ping", NULL);
    long took = now_ms() - t0;
    cr_assert_eq(rc, 0, "%s: ping: %s", s->name, r.err);
    harness_run_free(&r);
    cr_assert_lt(took, harness_scale(1500), "%s took %ld ms to answer", s->name, took);
    long left = behind(s->name);
    cr_assert_gt(left, BACKLOG / 2, "%s was not far behind any more (%ld events left)", s->name,
                 left);
}

Test(catch_up, a_service_far_behind_answers_between_batches)
{
    harness_service_stop(&notify, SIGTERM);
    harness_service_stop(&deadline, SIGTERM);
    write_backlog();
    answers_while_behind(&deadline);
    answers_while_behind(&notify);
    /* And both go on reading. */
    long deadline_left = behind("deadline"), notify_left = behind("notify");
    harness_pause(500);
    cr_assert_lt(behind("deadline"), deadline_left);
    cr_assert_lt(behind("notify"), notify_left);
}
