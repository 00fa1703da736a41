/* test_events.c - the event stream applies every event exactly once
 *
 * The test process is the producer: it applies the registry's migrations to
 * a database of its own and appends events with events_append in
 * transactions of 1 to 50 events (sizes from a fixed-seed generator, so a
 * failure repeats), waking consumers over a PUB socket of its own. The
 * consumer is the real program build/bin/test_event_consumer, which records
 * every event it is handed in testconsumer.applied, a table with no unique
 * constraint, so an event applied twice would show as a duplicate row.
 *
 * The SIGKILL test keeps the producer writing while the consumer is killed
 * twice, each time in the middle of a batch (its backend idle inside a
 * transaction right after recording an event), and restarted; after each
 * kill the committed cursor must equal the last applied event. The producer
 * never runs more than BACKLOG events ahead of the consumer, so both kills
 * happen before the last event is written. Another test runs two consumers
 * at once on the same cursor. Every child is killed in the suite's teardown,
 * and each child gets SIGKILL if the test process dies.
 */
#include "db.h"
#include "events.h"
#include "harness.h"
#include "migrate.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

extern const migration_t registry_migrations[];
extern const int registry_migrations_count;

#define EVENTS_TOTAL 2000
#define MAX_TX       50  /* events in one producer transaction, at most */
#define BACKLOG      400 /* how far the producer may run ahead in the kill test */
#define MAX_CHILDREN 8

static struct {
    char db[64];
    char endpoint[64];
    db_t *producer;
    void *zmq;
    events_pub_t *pub;
    events_sub_t *sub; /* closed before the context, or zmq_ctx_term waits */
    PGconn *watch;     /* the test's own queries */
    pid_t children[MAX_CHILDREN];
    int64_t produced; /* last committed sequence number */
    uint32_t rng;
} t;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

static void setup(void)
{
    char errbuf[512];
    int applied;
    memset(&t, 0, sizeof t);
    t.rng = 20240611u;
    snprintf(t.db, sizeof t.db, "events_%d", (int)getpid());
    harness_db_create(t.db);
    t.watch = harness_pg(t.db);
    t.producer = db_new(harness_db_url(t.db), "test-events-producer");
    cr_assert_not_null(t.producer);
    cr_assert_eq(db_ensure(t.producer, 5000), DB_OK, "%s", db_error(t.producer));
    cr_assert_eq(migrate_apply(t.producer, "registry", registry_migrations,
                               registry_migrations_count, &applied, errbuf, sizeof errbuf),
                 0, "registry migrations: %s", errbuf);
    t.zmq = zmq_ctx_new();
    cr_assert_not_null(t.zmq);
    /* A port from our pid; the next one if it is taken. */
    for (int attempt = 0; attempt < 20 && !t.pub; attempt++) {
        int port = 41000 + (int)(((unsigned)getpid() * 7u + (unsigned)attempt * 13u) % 9000u);
        snprintf(t.endpoint, sizeof t.endpoint, "tcp://127.0.0.1:%d", port);
        t.pub = events_pub_new(t.zmq, t.endpoint, "registry", errbuf, sizeof errbuf);
    }
    cr_assert_not_null(t.pub, "cannot bind a PUB socket: %s", errbuf);
}

static void teardown(void)
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        if (t.children[i] > 0) {
            kill(t.children[i], SIGKILL);
            waitpid(t.children[i], NULL, 0);
            t.children[i] = 0;
        }
    }
    events_sub_destroy(&t.sub);
    events_pub_destroy(&t.pub);
    if (t.zmq)
        zmq_ctx_term(t.zmq);
    t.zmq = NULL;
    db_destroy(&t.producer);
    if (t.watch)
        PQfinish(t.watch);
    t.watch = NULL;
}

TestSuite(events, .init = setup, .fini = teardown, .timeout = 60);

/* The size of the next producer transaction: 1..MAX_TX, never past the end. */
static int next_tx_size(void)
{
    t.rng ^= t.rng << 13;
    t.rng ^= t.rng >> 17;
    t.rng ^= t.rng << 5;
    int n = 1 + (int)(t.rng % MAX_TX);
    return n < EVENTS_TOTAL - t.produced ? n : (int)(EVENTS_TOTAL - t.produced);
}

/* Appends `count` events in the producer's open transaction; each must get
 * the next number. */
static void append_events(int count)
{
    for (int i = 0; i < count; i++) {
        int64_t seq = 0, want = t.produced + 1 + i;
        uint8_t payload[8];
        for (int b = 0; b < 8; b++)
            payload[b] = (uint8_t)(want >> (8 * (7 - b))); /* as int8send(seq) */
        cr_assert_eq(events_append(t.producer, "registry", "test.event", NULL, payload,
                                   sizeof payload, &seq),
                     0, "events_append: %s", db_error(t.producer));
        cr_assert_eq(seq, want, "events_append gave seq %" PRId64 ", want %" PRId64, seq, want);
    }
}

/* One committed producer transaction of `count` events, then a wake-up. */
static void produce_tx(int count)
{
    cr_assert_eq(db_begin(t.producer), DB_OK, "BEGIN: %s", db_error(t.producer));
    append_events(count);
    cr_assert_eq(db_commit(t.producer), DB_OK, "COMMIT: %s", db_error(t.producer));
    t.produced += count;
    events_pub_wake(t.pub, t.produced);
}

/* First column of the first row of `sql` as a number; fails the test on an
 * error or a NULL. */
static long long sql_num(const char *sql)
{
    PGresult *res = PQexec(t.watch, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(t.watch));
    cr_assert(PQntuples(res) == 1 && !PQgetisnull(res, 0, 0), "%s: no value", sql);
    long long v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return v;
}

static long long applied_count(void)
{
    if (sql_num("SELECT count(*) FROM pg_tables WHERE schemaname = 'testconsumer' "
                "AND tablename = 'applied'") == 0)
        return 0; /* the consumer has not made its tables yet */
    return sql_num("SELECT count(*) FROM testconsumer.applied");
}

typedef struct {
    long long cursor, rows, distinct, min, max;
} applied_t;

/* The consumer's cursor and what it applied, read in one snapshot. */
static applied_t applied_read(void)
{
    applied_t a;
    const char *sql = "SELECT coalesce((SELECT last_seq FROM testconsumer.event_cursor "
                      "WHERE producer = 'registry'), 0), count(*), count(DISTINCT seq), "
                      "coalesce(min(seq), 0), coalesce(max(seq), 0) FROM testconsumer.applied";
    PGresult *res = PQexec(t.watch, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(t.watch));
    a.cursor = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    a.rows = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    a.distinct = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
    a.min = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
    a.max = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
    PQclear(res);
    return a;
}

static void log_path(char *buf, size_t len, int n)
{
    snprintf(buf, len, "/tmp/partrack-test-%s-consumer%d.log", t.db, n);
}

/* Starts build/bin/test_event_consumer with its log in log_path(n). */
static pid_t consumer_start(int n, long delay_us, long until)
{
    char log[256], delay[32], stop_at[32];
    const char *url = harness_db_url(t.db);
    log_path(log, sizeof log, n);
    snprintf(delay, sizeof delay, "%ld", delay_us);
    snprintf(stop_at, sizeof stop_at, "%ld", until);
    int slot = 0;
    while (slot < MAX_CHILDREN && t.children[slot] > 0)
        slot++;
    cr_assert_lt(slot, MAX_CHILDREN, "too many consumers");
    pid_t pid = fork();
    cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        setenv("PARTRACK_DATABASE_URL", url, 1);
        setenv("PARTRACK_EVENTS_ENDPOINT", t.endpoint, 1);
        setenv("CONSUMER_DELAY_US", delay, 1);
        setenv("CONSUMER_UNTIL", stop_at, 1);
        setenv("PARTRACK_LOG_LEVEL", "info", 1);
        char *argv[] = {(char *)"test_event_consumer", NULL};
        harness_exec("test_event_consumer", argv);
        _exit(127);
    }
    t.children[slot] = pid;
    return pid;
}

/* Waits up to harness_scale(ms) for child `pid` to end; returns its wait status, or -1 if
 * it is still running. */
static int consumer_wait(pid_t pid, int ms)
{
    ms = harness_scale(ms);
    for (int waited = 0; waited <= ms; waited += 10) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            for (int i = 0; i < MAX_CHILDREN; i++)
                if (t.children[i] == pid)
                    t.children[i] = 0;
            return status;
        }
        sleep_ms(10);
    }
    return -1;
}

/* Waits up to harness_scale(ms) for the consumer to exit 0 on its own (CONSUMER_UNTIL). */
static void consumer_expect_exit(pid_t pid, int n, int ms)
{
    char log[256];
    log_path(log, sizeof log, n);
    int status = consumer_wait(pid, ms);
    cr_assert_neq(status, -1, "consumer %d did not catch up within %d ms (applied %lld; see %s)", n,
                  ms, applied_count(), log);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "consumer %d ended with status %d (see %s)", n, status, log);
}

/* True once the log of consumer n holds `needle`. */
static bool log_has(int n, const char *needle)
{
    char path[256], buf[8192];
    log_path(path, sizeof path, n);
    FILE *f = fopen(path, "r");
    bool found = false;
    if (!f)
        return false;
    while (!found && fgets(buf, sizeof buf, f))
        found = strstr(buf, needle) != NULL;
    fclose(f);
    return found;
}

static bool both_consuming(void *arg)
{
    const int *n = arg;
    return log_has(n[0], "msg=\"consuming\"") && log_has(n[1], "msg=\"consuming\"");
}

/* The total=N the consumer logged when it stopped, or -1. */
static long long consumer_total(int n)
{
    char path[256], buf[8192];
    long long total = -1;
    log_path(path, sizeof path, n);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(buf, sizeof buf, f)) {
        const char *p = strstr(buf, "msg=\"stopped\" total=");
        if (p)
            total = strtoll(p + strlen("msg=\"stopped\" total="), NULL, 10);
    }
    fclose(f);
    return total;
}

/* True while the consumer's backend sits inside a transaction right after
 * recording an event: uncommitted rows of its batch exist. */
static bool consumer_mid_batch(void)
{
    return sql_num("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                   "AND application_name = 'test-event-consumer' "
                   "AND state = 'idle in transaction' "
                   "AND query LIKE 'INSERT INTO testconsumer.applied%'") > 0;
}

/* Waits up to harness_scale(ms) for the consumer to be inside a batch, producing meanwhile
 * so that it never runs out of work. */
static bool wait_mid_batch(int ms)
{
    ms = harness_scale(ms);
    for (int waited = 0; waited <= ms; waited += 5) {
        if (consumer_mid_batch())
            return true;
        if (t.produced < EVENTS_TOTAL && t.produced - applied_count() < BACKLOG)
            produce_tx(next_tx_size());
        sleep_ms(5);
    }
    return false;
}

/* Every event 1..EVENTS_TOTAL applied once, and the cursor at the end. */
static void expect_exactly_once(void)
{
    applied_t a = applied_read();
    cr_expect_eq(a.rows, EVENTS_TOTAL, "applied rows: %lld", a.rows);
    cr_expect_eq(a.distinct, EVENTS_TOTAL, "distinct events applied: %lld", a.distinct);
    cr_expect_eq(a.min, 1, "first event applied: %lld", a.min);
    cr_expect_eq(a.max, EVENTS_TOTAL, "last event applied: %lld", a.max);
    cr_expect_eq(a.cursor, EVENTS_TOTAL, "cursor: %lld", a.cursor);
}

Test(events, sequence_is_gap_free_across_transactions)
{
    char errbuf[256];
    t.sub = events_sub_new(t.zmq, t.endpoint, "registry", errbuf, sizeof errbuf);
    cr_assert_not_null(t.sub, "%s", errbuf);
    int txs = 0, smallest = MAX_TX, largest = 0;
    while (t.produced < EVENTS_TOTAL) {
        /* The extremes first, then sizes from the generator. */
        int n = txs == 0 ? 1 : txs == 1 ? MAX_TX : next_tx_size();
        smallest = n < smallest ? n : smallest;
        largest = n > largest ? n : largest;
        produce_tx(n);
        txs++;
    }
    cr_log_info("%d transactions of %d to %d events", txs, smallest, largest);
    cr_expect_eq(sql_num("SELECT count(*) FROM registry.event_log"), EVENTS_TOTAL);
    cr_expect_eq(sql_num("SELECT min(seq) FROM registry.event_log"), 1);
    cr_expect_eq(sql_num("SELECT max(seq) FROM registry.event_log"), EVENTS_TOTAL);
    cr_expect_eq(sql_num("SELECT count(*) FROM registry.events"), EVENTS_TOTAL,
                 "the consumers' view shows every event");
    cr_expect_eq(sql_num("SELECT last_seq FROM registry.event_counter"), EVENTS_TOTAL);
    cr_expect_eq(sql_num("SELECT count(*) FROM registry.event_log WHERE payload <> int8send(seq)"),
                 0, "payloads are stored as given");

    /* A subscriber hears the wake-ups (a late joiner may miss the first). */
    int woken = 0;
    for (int i = 0; i < harness_scale(50) && !woken; i++) {
        events_pub_wake(t.pub, t.produced);
        woken = events_wait(t.sub, 100);
    }
    cr_expect_eq(woken, 1, "no wake-up arrived on %s", t.endpoint);
}

Test(events, rollback_leaves_no_event_and_no_gap)
{
    produce_tx(5);
    cr_assert_eq(db_begin(t.producer), DB_OK, "%s", db_error(t.producer));
    append_events(3); /* takes 6, 7, 8 inside the transaction */
    db_rollback(t.producer);
    cr_expect_eq(sql_num("SELECT count(*) FROM registry.event_log"), 5);
    cr_expect_eq(sql_num("SELECT last_seq FROM registry.event_counter"), 5,
                 "the rolled-back numbers are given back");
    produce_tx(1); /* asserts that it gets 6 */
    cr_expect_eq(sql_num("SELECT count(*) FROM registry.event_log"), 6);
    cr_expect_eq(sql_num("SELECT max(seq) FROM registry.event_log"), 6);
}

Test(events, sigkill_mid_batch_then_restart_applies_each_event_once)
{
    const long long kill_at[] = {300, 1100}; /* applied rows that trigger each kill */
    const int nkills = (int)(sizeof kill_at / sizeof kill_at[0]);
    int kills = 0, instance = 0;
    pid_t consumer = consumer_start(instance, 2000, EVENTS_TOTAL);

    while (t.produced < EVENTS_TOTAL) {
        long long applied = applied_count();
        if (kills < nkills && applied >= kill_at[kills]) {
            char log[256];
            log_path(log, sizeof log, instance);
            cr_assert(wait_mid_batch(5000), "consumer %d never seen inside a batch (see %s)",
                      instance, log);
            kill(consumer, SIGKILL);
            int status = consumer_wait(consumer, 5000);
            cr_assert(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "consumer %d had ended before the kill (status %d, see %s)", instance, status,
                      log);
            applied_t a = applied_read();
            cr_log_info("kill %d: produced %" PRId64 ", cursor %lld, applied %lld", kills + 1,
                        t.produced, a.cursor, a.rows);
            cr_assert_lt(a.rows, EVENTS_TOTAL);
            cr_assert_gt(a.rows, 0);
            cr_assert_lt(a.cursor, t.produced, "the kill must land with events still to apply");
            cr_assert_eq(a.cursor, a.max, "cursor %lld but last applied event %lld", a.cursor,
                         a.max);
            cr_assert_eq(a.rows, a.cursor, "%lld rows applied for cursor %lld", a.rows, a.cursor);
            cr_assert_eq(a.distinct, a.rows, "%lld events applied twice", a.rows - a.distinct);
            cr_assert_eq(a.min, 1);
            kills++;
            consumer = consumer_start(++instance, 2000, EVENTS_TOTAL);
            continue;
        }
        if (t.produced - applied < BACKLOG)
            produce_tx(next_tx_size());
        else
            sleep_ms(10);
    }
    cr_assert_eq(kills, nkills, "the producer finished before every kill");
    consumer_expect_exit(consumer, instance, 30000);
    expect_exactly_once();
}

Test(events, two_consumers_on_one_cursor_apply_each_event_once)
{
    int ids[2] = {0, 1};
    pid_t a = consumer_start(ids[0], 1000, EVENTS_TOTAL);
    pid_t b = consumer_start(ids[1], 1000, EVENTS_TOTAL);
    cr_assert(harness_wait(both_consuming, ids, 10000), "the consumers did not start");
    while (t.produced < EVENTS_TOTAL)
        produce_tx(next_tx_size());
    consumer_expect_exit(a, ids[0], 30000);
    consumer_expect_exit(b, ids[1], 30000);
    expect_exactly_once();
    long long ta = consumer_total(ids[0]), tb = consumer_total(ids[1]);
    cr_log_info("consumer 0 applied %lld, consumer 1 applied %lld", ta, tb);
    cr_expect_eq(ta + tb, EVENTS_TOTAL, "the consumers applied %lld + %lld events", ta, tb);
    cr_expect(ta > 0 && tb > 0, "one consumer did all the work (%lld, %lld)", ta, tb);
}

/* ---- the flush hook ---- */

typedef struct {
    int seen;    /* events handed to the handler since the last flush */
    int flushes; /* flush calls */
    bool fail;   /* the flush writes its row, then fails */
} flush_probe_t;

static int count_event(db_t *db, const event_t *event, void *arg)
{
    (void)db;
    (void)event;
    ((flush_probe_t *)arg)->seen++;
    return 0;
}

/* Writes how many events the batch had, in the batch's transaction. */
static int write_count(db_t *db, void *arg)
{
    flush_probe_t *p = arg;
    char n[16];
    snprintf(n, sizeof n, "%d", p->seen);
    const char *params[] = {n};
    db_status_t st;
    PGresult *res =
        db_exec(db, "INSERT INTO flushtest.flushed (events) VALUES ($1::int)", 1, params, &st);
    cr_assert_not_null(res, "%s", db_error(db));
    PQclear(res);
    p->flushes++;
    p->seen = 0;
    return p->fail ? -1 : 0;
}

Test(events, a_flush_hook_runs_once_a_batch_inside_its_transaction)
{
    cr_assert_eq(db_run(t.producer,
                        "CREATE SCHEMA flushtest; CREATE TABLE flushtest.event_cursor (producer "
                        "text PRIMARY KEY, last_seq bigint NOT NULL, updated_at timestamptz NOT "
                        "NULL DEFAULT now()); CREATE TABLE flushtest.flushed (events int)"),
                 DB_OK, "%s", db_error(t.producer));
    produce_tx(7);
    flush_probe_t p = {0};
    /* A batch of 5 of the 7: one flush, after its 5 events. */
    cr_assert_eq(events_consume_flushed(t.producer, "flushtest", "registry", 5, count_event,
                                        write_count, &p),
                 5, "%s", db_error(t.producer));
    cr_expect_eq(p.flushes, 1);
    cr_expect_eq(sql_num("SELECT count(*) FROM flushtest.flushed WHERE events = 5"), 1);
    /* A failing flush rolls its batch back: its row, and the cursor. */
    p.fail = true;
    cr_assert_eq(events_consume_flushed(t.producer, "flushtest", "registry", 5, count_event,
                                        write_count, &p),
                 -1);
    cr_expect_eq(p.flushes, 2);
    cr_expect_eq(sql_num("SELECT count(*) FROM flushtest.flushed"), 1);
    cr_expect_eq(sql_num("SELECT last_seq FROM flushtest.event_cursor"), 5);
    /* Offered again; then nothing left, and no flush for an empty batch. */
    p.fail = false;
    cr_assert_eq(events_consume_flushed(t.producer, "flushtest", "registry", 5, count_event,
                                        write_count, &p),
                 2, "%s", db_error(t.producer));
    cr_assert_eq(events_consume_flushed(t.producer, "flushtest", "registry", 5, count_event,
                                        write_count, &p),
                 0, "%s", db_error(t.producer));
    cr_expect_eq(p.flushes, 3);
    cr_expect_eq(sql_num("SELECT count(*) FROM flushtest.flushed WHERE events = 2"), 1);
    cr_expect_eq(sql_num("SELECT last_seq FROM flushtest.event_cursor"), 7);
}
