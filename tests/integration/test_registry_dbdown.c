/* test_registry_dbdown.c - the registry rides out a PostgreSQL outage
 *
 * A real registry serves the sample city; the test stops the throwaway
 * PostgreSQL of scripts/test ($PARTRACK_TEST_PGCTL stop), checks that reads
 * fail fast with "unavailable" (exit 3) while the registry stays up, starts
 * an import that keeps retrying with its idempotency key, brings PostgreSQL
 * back, and checks the import lands exactly once. A second case restarts
 * PostgreSQL while the registry is idle, so its connection goes stale
 * unnoticed, and checks the next read and import still succeed.
 * PostgreSQL is started again in the test's clean-up whatever happened, and
 * from report hooks in the runner if the test process died before its
 * clean-up: the tests that run after this one need it.
 */
#include "harness.h"
#include "msg.h"
#include "registry.pb-c.h"
#include "rpc.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define DB "dbdown"

static const char new_units[] = "code,name,kind,parent\n"
                                "HN.DOWN,Phòng Thử Mất Kết Nối,section,HN\n"
                                "HN.DOWN.A,Bộ phận Một Cửa Thử,section,HN.DOWN\n";

static harness_service_t reg;
static bool pg_stopped;

static void setup(void)
{
    cr_assert(getenv("PARTRACK_TEST_PGCTL") && *getenv("PARTRACK_TEST_PGCTL"),
              "PARTRACK_TEST_PGCTL is not set: run this test through scripts/test");
    harness_db_create(DB);
    cr_assert_eq(harness_registry_start(&reg, DB, NULL), 0, "registry did not start (log in %s)",
                 reg.log);
    char units[512], people[512];
    snprintf(units, sizeof units, "%s", harness_source("deploy/sample/units.csv"));
    snprintf(people, sizeof people, "%s", harness_source("deploy/sample/people.csv"));
    harness_run_t r;
    int rc = harness_cli(&r, reg.endpoint, "--timeout", harness_seconds(60), "unit", "import",
                         units, people, NULL);
    cr_assert_eq(rc, 0, "sample import failed: %s", r.err);
    harness_run_free(&r);
}

static void teardown(void)
{
    if (pg_stopped) {
        cr_expect(harness_pg_restore(), "PostgreSQL did not start again");
        pg_stopped = false;
    }
    harness_service_stop(&reg, SIGTERM);
}

/* Report hooks run in the runner process: they restore PostgreSQL when a
 * test process crashed (TEST_CRASH) or timed out (POST_FINI) before its
 * clean-up, so the next test of this file finds it running too. */
static void restore_from_runner(void)
{
    if (getenv("PARTRACK_TEST_PGCTL") && !harness_pg_restore())
        fprintf(stderr, "test_registry_dbdown: PostgreSQL could not be started again\n");
}

ReportHook(TEST_CRASH)(struct criterion_test_stats *stats)
{
    (void)stats;
    restore_from_runner();
}

ReportHook(POST_FINI)(struct criterion_test_stats *stats)
{
    (void)stats;
    restore_from_runner();
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    restore_from_runner();
}

static bool registry_alive(void)
{
    int status;
    return kill(reg.pid, 0) == 0 && waitpid(reg.pid, &status, WNOHANG) == 0;
}

/* Waits up to ms for pid to exit; returns its exit code, or -1. */
static int wait_exit(pid_t pid, int ms)
{
    for (int waited = 0; waited <= ms; waited += 50) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        usleep(50 * 1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static char *read_text(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    buf[0] = '\0';
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

Test(dbdown, outage_and_recovery, .init = setup, .fini = teardown, .timeout = 120)
{
    long units_before = harness_sql_long(DB, "SELECT count(*) FROM registry.unit");
    long requests_before = harness_sql_long(DB, "SELECT count(*) FROM registry.request_log");
    cr_assert_geq(units_before, 200, "the sample city was not imported (%ld units)", units_before);

    pg_stopped = true;
    cr_assert_eq(harness_pg_ctl("stop"), 0, "cannot stop PostgreSQL");
    cr_assert_not(harness_pg_reachable(), "PostgreSQL still answers after stop");

    /* Reads fail fast, saying why; the registry stays up. */
    harness_run_t r;
    time_t t0 = time(NULL);
    int rc = harness_cli(&r, reg.endpoint, "--timeout", harness_seconds(2), "unit", "list", NULL);
    cr_expect_eq(rc, 3, "unit list while the database is down: exit %d, want 3", rc);
    cr_expect(strstr(r.err, "database is unavailable"), "stderr: %s", r.err);
    cr_expect_leq(time(NULL) - t0, harness_scale(6), "unit list took %ld s",
                  (long)(time(NULL) - t0));
    harness_run_free(&r);
    cr_assert(registry_alive(), "the registry died when the database went away");

    /* The answer itself: ERR_UNAVAILABLE, retryable. */
    void *ctx = zmq_ctx_new();
    Partrack__UnitListRequest list = PARTRACK__UNIT_LIST_REQUEST__INIT;
    char errbuf[256];
    msg_envelope_t *env = rpc_call(ctx, reg.endpoint, PARTRACK__MESSAGE_TYPE__MSG_UNIT_LIST,
                                   &list.base, NULL, harness_scale(1000), errbuf, sizeof errbuf);
    cr_assert_not_null(env, "no answer while the database is down: %s", errbuf);
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_ERROR, "reply type %d", (int)env->type);
    Partrack__ErrorReply *err =
        partrack__error_reply__unpack(NULL, env->payload.len, env->payload.data);
    cr_assert_not_null(err);
    cr_expect_eq(err->code, PARTRACK__ERROR_CODE__ERR_UNAVAILABLE, "code %s",
                 msg_code_name(err->code));
    cr_expect(err->has_retryable && err->retryable, "ERR_UNAVAILABLE not marked retryable");
    partrack__error_reply__free_unpacked(err, NULL);
    msg_close(&env);
    zmq_ctx_term(ctx);

    /* An import sent during the outage keeps retrying... */
    char path[512], out_path[256], err_path[256];
    snprintf(path, sizeof path, "%s", harness_write_temp("down.csv", new_units, strlen(new_units)));
    snprintf(out_path, sizeof out_path, "/tmp/partrack-dbdown-%d.out", (int)getpid());
    snprintf(err_path, sizeof err_path, "/tmp/partrack-dbdown-%d.err", (int)getpid());
    pid_t import = harness_cli_spawn(reg.endpoint, out_path, err_path, "--timeout",
                                     harness_seconds(60), "unit", "import", path, NULL);
    cr_assert_gt(import, 0);
    harness_pause(2000);
    int status;
    if (waitpid(import, &status, WNOHANG) == import)
        cr_assert_fail("the import gave up while the database was down (exit %d): %s",
                       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                       read_text(err_path));
    cr_assert(registry_alive(), "the registry died during the outage");

    /* ... and lands exactly once when the database is back. */
    cr_assert_eq(harness_pg_ctl("start"), 0, "cannot start PostgreSQL");
    pg_stopped = false;
    rc = wait_exit(import, harness_scale(60000));
    cr_assert_eq(rc, 0, "background import: exit %d, stderr: %s", rc, read_text(err_path));
    cr_expect(strstr(read_text(out_path), "units: 2 created"), "import output: %s",
              read_text(out_path));
    unlink(out_path);
    unlink(err_path);
    cr_assert(registry_alive(), "the registry died");

    cr_expect_eq(harness_sql_long(DB, "SELECT count(*) FROM registry.unit"), units_before + 2);
    cr_expect_eq(harness_sql_long(DB, "SELECT count(*) FROM registry.unit "
                                      "WHERE code IN ('HN.DOWN', 'HN.DOWN.A')"),
                 2);
    cr_expect_eq(harness_sql_long(DB, "SELECT count(*) FROM registry.unit_history "
                                      "WHERE unit_code IN ('HN.DOWN', 'HN.DOWN.A')"),
                 2, "history shows the import applied more than once");
    cr_expect_eq(harness_sql_long(DB, "SELECT count(*) FROM registry.request_log"),
                 requests_before + 1, "the import was logged more than once");
    cr_expect_eq(harness_sql_long(DB, "SELECT count(*) FROM registry.event_log "
                                      "WHERE unit_code IN ('HN.DOWN', 'HN.DOWN.A')"),
                 2, "events for the new units");

    /* Reads work again on the same registry process. */
    rc = harness_cli(&r, reg.endpoint, "--timeout", harness_seconds(10), "unit", "show",
                     "HN.DOWN.A", NULL);
    cr_expect_eq(rc, 0, "unit show after recovery: exit %d, %s", rc, r.err);
    cr_expect(strstr(r.out, "Bộ phận Một Cửa Thử"), "unit show output: %s", r.out);
    harness_run_free(&r);
}

Test(dbdown, restart_while_idle, .init = setup, .fini = teardown, .timeout = 120)
{
    long units = harness_sql_long(DB, "SELECT count(*) FROM registry.unit");
    cr_assert_geq(units, 200, "the sample city was not imported (%ld units)", units);

    /* The registry's connection goes stale without it noticing. */
    pg_stopped = true;
    cr_assert_eq(harness_pg_ctl("stop"), 0, "cannot stop PostgreSQL");
    cr_assert_eq(harness_pg_ctl("start"), 0, "cannot start PostgreSQL");
    pg_stopped = false;

    harness_run_t r;
    int rc = harness_cli(&r, reg.endpoint, "--timeout", harness_seconds(10), "unit", "list",
                         "--json", NULL);
    cr_expect_eq(rc, 0, "unit list after a restart: exit %d, %s", rc, r.err);
    cr_expect(strstr(r.out, "\"code\": \"HN.SNV\""), "unit list output: %.200s", r.out);
    harness_run_free(&r);

    char path[512];
    snprintf(path, sizeof path, "%s", harness_write_temp("idle.csv", new_units, strlen(new_units)));
    rc = harness_cli(&r, reg.endpoint, "--timeout", harness_seconds(10), "unit", "import", path,
                     NULL);
    cr_expect_eq(rc, 0, "import after a restart: exit %d, %s", rc, r.err);
    harness_run_free(&r);
    cr_expect_eq(harness_sql_long(DB, "SELECT count(*) FROM registry.unit"), units + 2);
    cr_assert(registry_alive(), "the registry died");
}
