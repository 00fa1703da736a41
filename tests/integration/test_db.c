/* test_db.c - the shared database layer against a real PostgreSQL
 *
 * Prepared statements survive a lost connection (they are prepared again on
 * the new one), failures are classified retryable or permanent, and
 * migrations are idempotent, ordered, refuse a changed history and serialize
 * under their advisory lock.
 */
#include "db.h"
#include "db_binarray.h"
#include "harness.h"
#include "migrate.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char name[64];
static db_t *db;

static void start(void)
{
    snprintf(name, sizeof name, "db_%d", (int)getpid());
    db = db_new(harness_db_create(name), "partrack-test-db");
    cr_assert_not_null(db);
    cr_assert_eq(db_ensure(db, 5000), DB_OK, "%s", db_error(db));
}

static void stop(void)
{
    db_destroy(&db);
    cr_assert_null(db, "db_destroy clears the pointer");
}

TestSuite(db, .init = start, .fini = stop, .timeout = 60);

Test(db, prepared_statement_survives_a_lost_connection)
{
    cr_assert_eq(db_register(db, "add", "SELECT $1::int + $2::int", 2), 0);
    cr_assert_eq(db_register(db, "add", "SELECT 1", 0), -1, "a name is registered once");
    db_status_t st;
    const char *params[] = {"40", "2"};
    PGresult *res = db_exec_prepared(db, "add", 2, params, &st);
    cr_assert_not_null(res, "%s", db_error(db));
    cr_assert_str_eq(PQgetvalue(res, 0, 0), "42");
    PQclear(res);

    /* The server ends our session, as a restart would. */
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", PQbackendPID(db_conn(db)));
    PGconn *other = harness_pg(name);
    PQclear(PQexec(other, sql));
    PQfinish(other);

    res = db_exec_prepared(db, "add", 2, params, &st);
    cr_assert_null(res, "the first use after the loss fails");
    cr_assert_eq(st, DB_RETRY, "and says a retry can help: %s", db_error(db));
    cr_assert_eq(db_ensure(db, 5000), DB_OK);
    res = db_exec_prepared(db, "add", 2, params, &st);
    cr_assert_not_null(res, "re-prepared on the new connection: %s", db_error(db));
    cr_assert_str_eq(PQgetvalue(res, 0, 0), "42");
    PQclear(res);
}

Test(db, failures_are_classified)
{
    db_status_t st;
    PGresult *res = db_exec(db, "SELECT * FROM no_such_table", 0, NULL, &st);
    cr_assert_null(res);
    cr_assert_eq(st, DB_FAIL);
    cr_assert_str_eq(db_sqlstate(db), "42P01");
    cr_assert(strstr(db_error(db), "no_such_table"), "%s", db_error(db));
    /* A failed statement inside a transaction is rolled back whole. */
    cr_assert_eq(db_run(db, "CREATE TABLE t (x int PRIMARY KEY)"), DB_OK);
    cr_assert_eq(db_begin(db), DB_OK);
    cr_assert_eq(db_run(db, "INSERT INTO t VALUES (1)"), DB_OK);
    cr_assert_eq(db_run(db, "INSERT INTO t VALUES (1)"), DB_FAIL);
    cr_assert_str_eq(db_sqlstate(db), "23505");
    cr_assert_eq(db_commit(db), DB_FAIL, "COMMIT of a failed transaction is a failure");
    res = db_exec(db, "SELECT count(*) FROM t", 0, NULL, &st);
    cr_assert_str_eq(PQgetvalue(res, 0, 0), "0");
    PQclear(res);
}

Test(db, unreachable_server_is_retryable)
{
    db_t *bad = db_new("host=127.0.0.1 port=1 dbname=x connect_timeout=1", "partrack-test");
    cr_assert_eq(db_ensure(bad, 300), DB_RETRY);
    db_status_t st;
    cr_assert_null(db_exec(bad, "SELECT 1", 0, NULL, &st));
    cr_assert_eq(st, DB_RETRY);
    cr_assert(strstr(db_error(bad), "cannot connect"), "%s", db_error(bad));
    db_destroy(&bad);
}

static const migration_t v1[] = {
    {1, "001_a", "CREATE TABLE mtest.a (x int)"},
    {2, "002_b", "CREATE TABLE mtest.b (y int); INSERT INTO mtest.a VALUES (1)"},
};

Test(db, migrations_apply_once_and_guard_history)
{
    char err[512];
    int applied;
    cr_assert_eq(migrate_apply(db, "mtest", v1, 2, &applied, err, sizeof err), 0, "%s", err);
    cr_assert_eq(applied, 2);
    cr_assert_eq(migrate_apply(db, "mtest", v1, 2, &applied, err, sizeof err), 0, "%s", err);
    cr_assert_eq(applied, 0, "a second run applies nothing");
    cr_assert_eq(harness_sql_long(name, "SELECT count(*) FROM mtest.a"), 1);

    migration_t changed[] = {v1[0], {2, "002_b", "CREATE TABLE mtest.b (y bigint)"}};
    cr_assert_eq(migrate_apply(db, "mtest", changed, 2, &applied, err, sizeof err), -1);
    cr_assert(strstr(err, "was changed after it was applied"), "%s", err);

    migration_t broken[] = {v1[0], v1[1], {3, "003_bad", "CREATE TABLE mtest.c (; nonsense"}};
    cr_assert_eq(migrate_apply(db, "mtest", broken, 3, &applied, err, sizeof err), -1);
    cr_assert(strstr(err, "003_bad"), "%s", err);
    cr_assert_eq(harness_sql_long(name, "SELECT count(*) FROM mtest.schema_migrations"), 2,
                 "a failed migration leaves no bookkeeping row");

    migration_t unordered[] = {v1[1], v1[0]};
    cr_assert_eq(migrate_apply(db, "mtest", unordered, 2, &applied, err, sizeof err), -1);
    cr_assert(strstr(err, "order"), "%s", err);
}

/* arg: the database URL, made once by the main thread (the harness's
 * buffers are not for threads). */
static void *migrate_in_thread(void *arg)
{
    db_t *mine = db_new(arg, "partrack-test-migrate");
    char err[512];
    int applied = -1;
    static const migration_t slow[] = {
        {1, "001_slow",
         "SELECT pg_sleep(0.3); CREATE TABLE race.t (x int); "
         "INSERT INTO race.t VALUES (1)"},
    };
    int rc = migrate_apply(mine, "race", slow, 1, &applied, err, sizeof err);
    if (rc < 0)
        cr_log_error("migrate_apply: %s", err);
    db_destroy(&mine);
    return (void *)(long)(rc == 0 ? applied : -1);
}

Test(db, concurrent_starts_migrate_once)
{
    pthread_t a, b;
    char *url = strdup(harness_db_url(name));
    pthread_create(&a, NULL, migrate_in_thread, url);
    pthread_create(&b, NULL, migrate_in_thread, url);
    void *ra, *rb;
    pthread_join(a, &ra);
    pthread_join(b, &rb);
    free(url);
    cr_assert_geq((long)ra, 0, "first start failed");
    cr_assert_geq((long)rb, 0, "second start failed");
    cr_assert_eq((long)ra + (long)rb, 1, "exactly one of them applied the migration");
    cr_assert_eq(harness_sql_long(name, "SELECT count(*) FROM race.t"), 1);
}

Test(db, arrays_go_out_and_come_back)
{
    /* What PostgreSQL prints for a text array of codes reads back as words. */
    const char *codes[] = {"HN.HADONG.PHULAM.MC", "HN.HADONG.PHULAM.VP"};
    char *literal = db_array_literal(codes, 2);
    const char *params[] = {literal};
    db_status_t st;
    PGresult *res = db_exec(db, "SELECT $1::text[]::text, '{}'::text[]::text", 1, params, &st);
    free(literal);
    cr_assert_not_null(res, "%s", db_error(db));
    size_t n;
    char **words = db_array_words(PQgetvalue(res, 0, 0), &n);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(words[0], "HN.HADONG.PHULAM.MC");
    cr_assert_str_eq(words[1], "HN.HADONG.PHULAM.VP");
    free(words);
    words = db_array_words(PQgetvalue(res, 0, 1), &n);
    cr_assert_eq(n, 0);
    cr_assert_null(words[0]);
    free(words);
    PQclear(res);
}

Test(db, binary_arrays_reach_the_server_as_sent)
{
    db_binarray_t a[6];
    db_binarray_init(&a[0], DB_OID_INT8);
    db_binarray_init(&a[1], DB_OID_INT4);
    db_binarray_init(&a[2], DB_OID_TEXT);
    db_binarray_init(&a[3], DB_OID_BYTEA);
    db_binarray_init(&a[4], DB_OID_TIMESTAMPTZ);
    db_binarray_init(&a[5], DB_OID_FLOAT8);
    db_binarray_int8(&a[0], -5000000000LL);
    db_binarray_int8(&a[0], 7);
    db_binarray_int4(&a[1], -3);
    db_binarray_null(&a[1]);
    db_binarray_text(&a[2], "Phường Phú Lãm");
    db_binarray_text(&a[2], NULL);
    db_binarray_bytes(&a[3], "\x00\xff", 2);
    db_binarray_bytes(&a[3], "", 0);
    db_binarray_time_ms(&a[4], 1719565200123LL); /* 2024-06-28T09:00:00.123Z */
    db_binarray_time_ms(&a[4], 0);
    db_binarray_float8(&a[5], 18.67);
    db_binarray_float8(&a[5], -0.5);
    db_status_t st;
    PGresult *res = db_exec_binarrays(
        db,
        "SELECT $1::bigint[]::text, $2::int[]::text, $3::text[]::text, $4::bytea[]::text, "
        "array(SELECT to_char(x AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') FROM "
        "unnest($5::timestamptz[]) x)::text, $6::float8[]::text",
        a, 6, &st);
    cr_assert_not_null(res, "%s", db_error(db));
    cr_assert_str_eq(PQgetvalue(res, 0, 0), "{-5000000000,7}");
    cr_assert_str_eq(PQgetvalue(res, 0, 1), "{-3,NULL}");
    cr_assert_str_eq(PQgetvalue(res, 0, 2), "{\"Phường Phú Lãm\",NULL}");
    cr_assert_str_eq(PQgetvalue(res, 0, 3), "{\"\\\\x00ff\",\"\\\\x\"}");
    cr_assert_str_eq(PQgetvalue(res, 0, 4), "{2024-06-28T09:00:00.123,1970-01-01T00:00:00.000}");
    cr_assert_str_eq(PQgetvalue(res, 0, 5), "{18.67,-0.5}");
    PQclear(res);
    /* Empty arrays, and the same arrays sent twice. */
    db_binarray_t e;
    db_binarray_init(&e, DB_OID_INT8);
    res = db_exec_binarrays(db, "SELECT cardinality($1::bigint[])", &e, 1, &st);
    cr_assert_not_null(res, "%s", db_error(db));
    cr_assert_str_eq(PQgetvalue(res, 0, 0), "0");
    PQclear(res);
    res = db_exec_binarrays(db, "SELECT cardinality($1::bigint[])", &a[0], 1, &st);
    cr_assert_not_null(res, "%s", db_error(db));
    cr_assert_str_eq(PQgetvalue(res, 0, 0), "2");
    PQclear(res);
    /* A type the SQL does not cast to is refused by the server. */
    res = db_exec_binarrays(db, "SELECT cardinality($1::bigint[])", &a[1], 1, &st);
    cr_assert_null(res);
    db_binarray_free(&e);
    for (int i = 0; i < 6; i++)
        db_binarray_free(&a[i]);
}

/* COMMIT in two halves: between them the caller works without the
 * connection, and the outcome is db_commit's, failures included. */
Test(db, commit_in_two_halves_reports_what_commit_would)
{
    cr_assert_eq(db_run(db, "CREATE TABLE halves (k int PRIMARY KEY DEFERRABLE INITIALLY "
                            "DEFERRED)"),
                 DB_OK, "%s", db_error(db));
    cr_assert_eq(db_begin(db), DB_OK);
    cr_assert_eq(db_run(db, "INSERT INTO halves VALUES (1)"), DB_OK);
    cr_assert_eq(db_commit_send(db), DB_OK, "%s", db_error(db));
    /* Sent, not waited for: the work between the halves happens here. */
    cr_assert_eq(db_commit_finish(db), DB_OK, "%s", db_error(db));
    cr_assert_eq(harness_sql_long(name, "SELECT count(*) FROM halves"), 1, "committed");

    /* A deferred unique check fails at COMMIT: finish says so, with its
     * SQLSTATE, and nothing of the transaction stays. */
    cr_assert_eq(db_begin(db), DB_OK);
    cr_assert_eq(db_run(db, "INSERT INTO halves VALUES (2), (1)"), DB_OK, "deferred: %s",
                 db_error(db));
    cr_assert_eq(db_commit_send(db), DB_OK);
    cr_assert_eq(db_commit_finish(db), DB_FAIL);
    cr_assert_str_eq(db_sqlstate(db), "23505", "%s", db_error(db));
    cr_assert_eq(harness_sql_long(name, "SELECT count(*) FROM halves"), 1, "the second undone");

    /* A failed transaction: COMMIT rolls back and that is a failure. */
    cr_assert_eq(db_begin(db), DB_OK);
    cr_assert_eq(db_run(db, "SELECT 1/0"), DB_FAIL);
    db_commit_send(db);
    cr_assert_eq(db_commit_finish(db), DB_FAIL);
    cr_assert_str_eq(db_sqlstate(db), "25P02");

    /* The connection lost before COMMIT is sent: retryable, and finish
     * still answers (once). */
    cr_assert_eq(db_begin(db), DB_OK);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", PQbackendPID(db_conn(db)));
    PGconn *other = harness_pg(name);
    PQclear(PQexec(other, sql));
    PQfinish(other);
    usleep(100 * 1000);
    db_status_t sent = db_commit_send(db);
    cr_assert_eq(db_commit_finish(db), DB_RETRY, "sent %d: %s", sent, db_error(db));
    cr_assert(db_failure_retryable(db));
    cr_assert_eq(db_ensure(db, 5000), DB_OK, "and the next use reconnects");
    cr_assert_eq(harness_sql_long(name, "SELECT count(*) FROM halves"), 1);
}
