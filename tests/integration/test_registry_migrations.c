/* test_registry_migrations.c - registry migrations that move data, run on a
 * database left as an older registry left it
 *
 * 015_task_update_keys: task updates published before it kept their key in
 * registry.request_log beside their acknowledgement; the migration puts each
 * key on the update the acknowledgement names and removes the log row, so a
 * message sent again after the upgrade is still found (now by
 * task_update_key_idx). Measurements' and the CLI's rows stay.
 */
#include "db.h"
#include "harness.h"
#include "ingest.pb-c.h"
#include "migrate.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const migration_t registry_migrations[];
extern const int registry_migrations_count;

static char name[64];
static db_t *db;

static void start(void)
{
    snprintf(name, sizeof name, "regmig_%d", (int)getpid());
    db = db_new(harness_db_create(name), "partrack-test-migrations");
    cr_assert_not_null(db);
    cr_assert_eq(db_ensure(db, 5000), DB_OK, "%s", db_error(db));
}

static void stop(void)
{
    db_destroy(&db);
}

TestSuite(registry_migrations, .init = start, .fini = stop, .timeout = 60);

/* The registry's migrations before `version`. */
static int count_before(int version)
{
    int n = 0;
    while (n < registry_migrations_count && registry_migrations[n].version < version)
        n++;
    return n;
}

static void run(const char *sql)
{
    cr_assert_eq(db_run(db, sql), DB_OK, "%s: %s", sql, db_error(db));
}

/* A request_log row as the ingest wrote it for an acknowledged message. */
static void log_ack(const char *publisher, const char *key, int type, int64_t id, int64_t task_id)
{
    Partrack__IngestAck a = PARTRACK__INGEST_ACK__INIT;
    a.id = id;
    a.has_task_id = task_id > 0;
    a.task_id = task_id;
    uint8_t buf[64];
    size_t len = partrack__ingest_ack__pack(&a, buf);
    char hex[2 * sizeof buf + 1];
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", buf[i]);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO registry.request_log (publisher, idempotency_key, type, reply_type, "
             "reply) VALUES ('%s', '%s', %d, 82, '\\x%s')",
             publisher, key, type, hex);
    run(sql);
}

Test(registry_migrations, published_keys_move_from_the_request_log_to_their_updates)
{
    char err[256];
    int applied;
    int before = count_before(15);
    cr_assert_lt(before, registry_migrations_count, "migration 015 is shipped");
    cr_assert_eq(
        migrate_apply(db, "registry", registry_migrations, before, &applied, err, sizeof err), 0,
        "%s", err);
    /* Two publishers' updates (ids large enough for multi-byte varints),
     * one CLI update, one measurement, one CLI request. */
    run("INSERT INTO registry.task_update (id, task_id, actor, progress) VALUES "
        "(7, 1, 'mc', 10), (300, 1, 'mc', 20), (5000000000, 2, 'docs', 30), (8, 1, 'cli', 40)");
    log_ack("mc", "mc-1", 80, 7, 1);
    log_ack("mc", "mc-2", 80, 300, 1);
    log_ack("docs", "docs-1", 80, 5000000000LL, 2);
    log_ack("mc", "m-1", 81, 11, 0);
    run("INSERT INTO registry.request_log (publisher, idempotency_key, type, reply_type, reply) "
        "VALUES ('cli', 'cli-1', 30, 31, '\\x0801')");

    cr_assert_eq(migrate_apply(db, "registry", registry_migrations, registry_migrations_count,
                               &applied, err, sizeof err),
                 0, "%s", err);
    cr_assert_geq(applied, 1);
    cr_assert_eq(harness_sql_long(name, "SELECT count(*) FROM registry.task_update WHERE "
                                        "(id, actor, idempotency_key) IN ((7, 'mc', 'mc-1'), "
                                        "(300, 'mc', 'mc-2'), (5000000000, 'docs', 'docs-1'))"),
                 3, "each key on the update its acknowledgement named");
    cr_assert_eq(harness_sql_long(name, "SELECT count(*) FROM registry.task_update WHERE actor = "
                                        "'cli' AND idempotency_key IS NULL"),
                 1, "the CLI's update has no key");
    cr_assert_eq(
        harness_sql_long(name, "SELECT count(*) FROM registry.request_log WHERE type = 80"), 0,
        "no task update's row left in the log");
    cr_assert_eq(harness_sql_long(name, "SELECT count(*) FROM registry.request_log WHERE "
                                        "idempotency_key IN ('m-1', 'cli-1')"),
                 2, "a measurement's and a request's rows stay");
    /* The key is unique per publisher: the same key again is refused. */
    cr_assert_eq(db_run(db, "INSERT INTO registry.task_update (id, task_id, actor, "
                            "idempotency_key) VALUES (9, 1, 'mc', 'mc-1')"),
                 DB_FAIL);
    cr_assert_str_eq(db_sqlstate(db), "23505", "%s", db_error(db));
    run("INSERT INTO registry.task_update (id, task_id, actor, idempotency_key) VALUES "
        "(10, 1, 'docs', 'mc-1')");
}
