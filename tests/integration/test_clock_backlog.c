/* test_clock_backlog.c - `clock set` answers while events keep coming
 *
 * Setting the manual clock first applies the registry's events, so that a
 * task imported just before is known when the sweep runs. The chaos run
 * found it applied events until none was left: with the registry
 * publishing faster than the deadline service applies them, that never
 * happened, the request was never answered, and every request behind it
 * (pings included) waited too. It must apply what was committed when the
 * clock was set, then answer.
 *
 * A registry that never stops publishing, made exact: the service applies
 * one event a transaction (PARTRACK_DEADLINE_BATCH=1), and a trigger on
 * its cursor appends a new registry event (of a type the service ignores)
 * in each transaction that applies one. The stream never ends; the service
 * keeps answering between batches, and `clock set` must answer too.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static harness_service_t registry, deadline;
static char db[64];

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

static void ok(const char *what, harness_run_t *r, int rc)
{
    cr_assert_eq(rc, 0, "%s: exit %d: %s", what, rc, r->err);
    harness_run_free(r);
}

static void exec(const char *query)
{
    PGconn *conn = harness_pg(db);
    PGresult *res = PQexec(conn, query);
    cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK,
              "%s: %s", query, PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
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

TestSuite(clock_backlog, .init = start, .fini = stop, .timeout = 60);

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long cursor(void)
{
    return sql("SELECT last_seq FROM deadline.event_cursor WHERE producer = 'registry'");
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
    static const char plan[] = "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
                               "1\tBáo cáo quý\tBộ phận Một cửa\ttrước ngày 10/01/2024\n";
    ok("plan import", &r,
       harness_cli(&r, registry.endpoint, "plan", "import",
                   harness_write_temp("backlog.tsv", plan, strlen(plan)), "--unit",
                   "HN.HADONG.PHULAM", "--year", "2024", "--number", "1/KH-UBND", "--title",
                   "Kế hoạch", NULL));
    for (int i = 0; i < harness_scale(250) && sql("SELECT count(*) FROM deadline.task") < 1; i++)
        usleep(20000);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.task"), 1);

    /* Each event applied brings another: the stream never ends. */
    exec("CREATE FUNCTION deadline.chaos_tick() RETURNS trigger LANGUAGE plpgsql AS $$ "
         "BEGIN "
         "WITH c AS (UPDATE registry.event_counter SET last_seq = last_seq + 1 RETURNING last_seq) "
         "INSERT INTO registry.event_log (seq, type) SELECT last_seq, 'Tick' FROM c; "
         "RETURN NULL; END $$");
    exec("CREATE TRIGGER chaos_tick AFTER UPDATE ON deadline.event_cursor FOR EACH ROW WHEN "
         "(NEW.producer = 'registry') EXECUTE FUNCTION deadline.chaos_tick()");
    exec("WITH c AS (UPDATE registry.event_counter SET last_seq = last_seq + 1 RETURNING last_seq) "
         "INSERT INTO registry.event_log (seq, type) SELECT last_seq, 'Tick' FROM c");
    long from = cursor();
    harness_pause(300);
    cr_assert_gt(cursor(), from + 2, "the stream flows (cursor %ld, was %ld)", cursor(), from);

    /* The service answers between batches; a clock set must answer too,
     * having applied what was there when it came, and swept: the task, due
     * soon since its import, went due on 9/1 and overdue on 10/1. */
    long committed = sql("SELECT last_seq FROM registry.event_counter");
    int64_t t = now_ms();
    int rc = harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "--timeout",
                         harness_seconds(10), "clock", "set", "2024-01-10T12:00", NULL);
    int64_t took = now_ms() - t;
    fprintf(stderr, "clock set in an endless stream: exit %d after %lld ms\n", rc, (long long)took);
    cr_assert_eq(rc, 0, "clock set was not answered while events kept coming: %s", r.err);
    harness_run_free(&r);
    cr_assert_geq(cursor(), committed, "every event committed before the clock was set is applied");
    cr_assert_eq(sql("SELECT count(*) FROM deadline.transition"), 3);
    rc = harness_cli(&r, deadline.endpoint, "--timeout", harness_seconds(10), "ping", NULL);
    cr_assert_eq(rc, 0, "ping: %s", r.err);
    harness_run_free(&r);
    exec("DROP TRIGGER chaos_tick ON deadline.event_cursor");
}
