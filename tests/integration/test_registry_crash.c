/* test_registry_crash.c - SIGKILL of the registry in the middle of an import
 *
 * A 3,000-unit import runs in one transaction. To kill the registry surely
 * in the middle of it, the test holds a lock on the event counter: the
 * import writes its units, aliases and history, then waits for the lock
 * before writing its events. The registry is killed with SIGKILL while it
 * waits: the database must then hold none of the import. The CLI keeps retrying with the same
 * idempotency key; once the registry is restarted the import lands whole, exactly once, with one
 * event per unit and no gap in the event numbering.
 */
#include "harness.h"
#include "registry.pb-c.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#define BIG_UNITS 3000

static harness_service_t registry;
static char db[64];

static void start(void)
{
    snprintf(db, sizeof db, "crash_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
}

static void stop(void)
{
    harness_service_stop(&registry, SIGTERM);
}

/* The units file of the big import (caller frees), its length in *len. */
static char *big_csv(size_t *len)
{
    size_t cap = 64 + BIG_UNITS * 64;
    char *csv = malloc(cap);
    cr_assert_not_null(csv);
    *len = (size_t)snprintf(csv, cap, "code,name,kind,parent\nBIG,Thành phố Lớn,city,\n");
    for (int i = 0; i < BIG_UNITS; i++)
        *len += (size_t)snprintf(csv + *len, cap - *len, "BIG.W%05d,Phường Số %d,ward,BIG\n", i, i);
    return csv;
}

static const char *write_big_file(void)
{
    size_t len;
    char *csv = big_csv(&len);
    const char *path = harness_write_temp("big.csv", csv, len);
    free(csv);
    return path;
}

/* True once the registry's import transaction waits for the counter lock. */
static bool import_blocked(void *arg)
{
    (void)arg;
    return harness_sql_long(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                "'partrack-registry' AND wait_event_type = 'Lock'") > 0;
}

TestSuite(crash, .init = start, .fini = stop, .timeout = 180);

Test(crash, sigkill_during_import_keeps_all_or_nothing)
{
    char path[512], out[256], err[256];
    snprintf(path, sizeof path, "%s", write_big_file());
    snprintf(out, sizeof out, "/tmp/partrack-crash-%d.out", (int)getpid());
    snprintf(err, sizeof err, "/tmp/partrack-crash-%d.err", (int)getpid());

    PGconn *lock = harness_pg(db);
    PQclear(PQexec(lock, "BEGIN"));
    PGresult *res = PQexec(lock, "SELECT * FROM registry.event_counter FOR UPDATE");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(lock));
    PQclear(res);

    pid_t cli = harness_cli_spawn(registry.endpoint, out, err, "--timeout", harness_seconds(150),
                                  "unit", "import", path, NULL);
    cr_assert(harness_wait(import_blocked, NULL, 20000), "the import never reached its events");
    harness_service_stop(&registry, SIGKILL);
    PQclear(PQexec(lock, "ROLLBACK"));
    PQfinish(lock);

    /* Killed mid-transaction: nothing of the import is visible. */
    cr_assert_eq(harness_sql_long(db, "SELECT count(*) FROM registry.unit"), 0);
    cr_assert_eq(harness_sql_long(db, "SELECT count(*) FROM registry.event_log"), 0);
    cr_assert_eq(harness_sql_long(db, "SELECT last_seq FROM registry.event_counter"), 0);

    /* Restarted, the CLI's retry (same idempotency key) lands the import. */
    cr_assert_eq(harness_service_restart(&registry), 0, "registry did not restart");
    int status;
    cr_assert_eq(waitpid(cli, &status, 0), cli);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the import did not succeed, see %s",
              err);
    cr_assert_eq(harness_sql_long(db, "SELECT count(*) FROM registry.unit"), BIG_UNITS + 1);
    cr_assert_eq(harness_sql_long(db, "SELECT count(*) FROM registry.event_log "
                                      "WHERE type = 'UnitCreated'"),
                 BIG_UNITS + 1, "one event per unit, exactly once");
    cr_assert_eq(harness_sql_long(db, "SELECT max(seq) - min(seq) + 1 - count(*) "
                                      "FROM registry.event_log"),
                 0, "event numbering has a gap");
    cr_assert_eq(harness_sql_long(db, "SELECT count(*) FROM registry.request_log"), 1);
    unlink(out);
    unlink(err);
    unlink(path);
}

/* Starts an import and waits until it is blocked on the counter lock held by
 * `lock`. Returns the CLI's pid. */
static pid_t blocked_import(PGconn **lock, const char *out, const char *err)
{
    char path[512];
    snprintf(path, sizeof path, "%s", write_big_file());
    *lock = harness_pg(db);
    PQclear(PQexec(*lock, "BEGIN"));
    PQclear(PQexec(*lock, "SELECT * FROM registry.event_counter FOR UPDATE"));
    pid_t cli = harness_cli_spawn(registry.endpoint, out, err, "--timeout", harness_seconds(60),
                                  "unit", "import", path, NULL);
    cr_assert(harness_wait(import_blocked, NULL, 20000), "the import never reached its events");
    return cli;
}

/* Exit status of pid, or -1 if it is still running after harness_scale(15) s. */
static int wait_exit(pid_t pid)
{
    int status;
    for (int i = 0; i < harness_scale(1500); i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        usleep(10000);
    }
    return -1;
}

/* The request is sent once, on a DEALER of the test's own, not by the CLI:
 * the CLI sends again on a new socket when an attempt has had no answer for
 * 2 s, and the registry answers the socket the request came on. An import
 * that takes longer than that to reach the lock (as under valgrind) would
 * then be answered to a socket the CLI has closed, and its retry, queued
 * behind, is new work a stopping registry does not take. */
Test(crash, sigterm_finishes_the_request_in_hand)
{
    PGconn *lock = harness_pg(db);
    PQclear(PQexec(lock, "BEGIN"));
    PQclear(PQexec(lock, "SELECT * FROM registry.event_counter FOR UPDATE"));
    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    cr_assert_not_null(dealer);
    int linger = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(zmq_connect(dealer, registry.endpoint), 0);
    size_t len;
    char *csv = big_csv(&len);
    Partrack__ImportFile file = PARTRACK__IMPORT_FILE__INIT;
    Partrack__ImportFile *files[] = {&file};
    file.name = "big.csv";
    file.content.data = (uint8_t *)csv;
    file.content.len = len;
    Partrack__UnitImportRequest req = PARTRACK__UNIT_IMPORT_REQUEST__INIT;
    req.files = files;
    req.n_files = 1;
    cr_assert(harness_send_envelope(dealer, PARTRACK__MESSAGE_TYPE__MSG_UNIT_IMPORT, &req.base,
                                    "sigterm-import", 0));
    free(csv);
    cr_assert(harness_wait(import_blocked, NULL, 20000), "the import never reached its events");

    pid_t service = registry.pid;
    kill(service, SIGTERM);
    PQclear(PQexec(lock, "ROLLBACK"));
    PQfinish(lock);
    cr_assert_eq(wait_exit(service), 0, "the registry stops cleanly after its request");
    registry.pid = 0;
    Partrack__Envelope *env = harness_recv_envelope(dealer, 5000);
    cr_assert_not_null(env, "the request in hand was not answered");
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_UNIT_IMPORT_REPLY, "reply type %d",
                 (int)env->type);
    Partrack__UnitImportReply *reply =
        partrack__unit_import_reply__unpack(NULL, env->payload.len, env->payload.data);
    cr_assert_not_null(reply);
    cr_assert_eq(reply->units_created, BIG_UNITS + 1);
    partrack__unit_import_reply__free_unpacked(reply, NULL);
    partrack__envelope__free_unpacked(env, NULL);
    zmq_close(dealer);
    zmq_ctx_term(ctx);
    cr_assert_eq(harness_sql_long(db, "SELECT count(*) FROM registry.unit"), BIG_UNITS + 1);
}

Test(crash, second_signal_exits_at_once)
{
    PGconn *lock;
    pid_t cli = blocked_import(&lock, "/tmp/partrack-term2.out", "/tmp/partrack-term2.err");
    pid_t service = registry.pid;
    kill(service, SIGTERM);
    harness_pause(200); /* two signals sent at once would arrive as one */
    kill(service, SIGTERM);
    int status = wait_exit(service);
    PQclear(PQexec(lock, "ROLLBACK"));
    PQfinish(lock);
    cr_assert_eq(status, 128 + SIGTERM, "the second signal ends it at once");
    registry.pid = 0;
    cr_assert_eq(harness_sql_long(db, "SELECT count(*) FROM registry.unit"), 0,
                 "the interrupted import left nothing");
    kill(cli, SIGKILL);
    wait_exit(cli);
}
