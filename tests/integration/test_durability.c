/* test_durability.c - 100,000 published updates across crashes: each stored
 * once, every feed gap-free, an offline reader catches up
 *
 * The real registry, deadline service (manual clock, early in the year, so
 * nothing falls due) and notify service on one fresh database with the
 * sample city and a plan of Phú Lãm of 300 tasks led by its sections (some
 * by two); a few people follow sections. A publisher thread sends 100,000
 * TaskUpdates through the real publish library (a window in flight, resends
 * on silence and on retryable errors), each with its own idempotency key
 * and its own note; in every sixteen rounds of a task one update marks it
 * done and a later one reopens it (a fifth of the tasks: cancels it). The
 * main thread lets one person read the start of their feed and go offline,
 * then, each time a fifth of the way into the next quarter of the messages,
 * SIGKILLs the registry and starts it again on the same ports, SIGKILLs
 * notify and starts it again, and stops and starts PostgreSQL
 * ($PARTRACK_TEST_PGCTL, so this test runs alone).
 *
 * At the end: every message acknowledged exactly once, with the id of the
 * row holding its note; each note stored once; the tasks' states follow
 * their updates in stored order; one event per update, gap-free; every
 * feed numbered 1..n without a gap or a subject told twice; the status
 * entries exactly those the stored updates call for (an update whose status
 * differs from the one before, in stored order: one entry for each head of
 * the task's lead units and each follower of them, none for progress); and
 * the person who was offline, asking again from the last number they had,
 * gets exactly the rest of their feed, in order.
 */
#include "harness.h"
#include "ingest.pb-c.h"
#include "invariants.h"
#include "keyfile.h"
#include "notify.pb-c.h"
#include "publish_client.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define MESSAGES     100000
#define TASKS        300
#define STATUS_EVERY 16       /* rounds of a task between status changes */
#define READER       "P00127" /* head of the one-stop section: goes offline */

static harness_service_t registry, deadline, notify;
static char db[64], dir[64];
static bool pg_stopped;

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

/* The tests after this one need PostgreSQL, also when this one crashed. */
static void restore_from_runner(void)
{
    if (getenv("PARTRACK_TEST_PGCTL") && !harness_pg_restore())
        fprintf(stderr, "test_durability: PostgreSQL could not be started again\n");
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

/* ---- the city, the plan, the people ---- */

/* A path in the test's directory. */
static const char *in_dir(const char *name)
{
    return harness_path(dir, name);
}

static void cli_ok(const char *what, harness_run_t *r, int rc)
{
    cr_assert_eq(rc, 0, "%s: exit %d: %s", what, rc, r->err);
    harness_run_free(r);
}

/* Lead cells as plans write them: each resolves to one section, or two. */
static const char *const leads[] = {
    "Văn phòng UBND",    "Bộ phận Một cửa", "Bộ phận Văn hóa - Thông tin",     "Bộ phận Tư pháp",
    "Bộ phận Tài chính", "Công an phường",  "Văn phòng UBND, Bộ phận Một cửa",
};
static const int nleads = sizeof leads / sizeof *leads;

static void import_plan(void)
{
    size_t cap = 256 + TASKS * 160, len = 0;
    char *tsv = malloc(cap);
    cr_assert_not_null(tsv);
    len += (size_t)snprintf(tsv, cap, "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n");
    for (int t = 1; t <= TASKS; t++)
        len +=
            (size_t)snprintf(tsv + len, cap - len, "%d\tNhiệm vụ kiểm thử số %d\t%s\tQuý IV/2024\n",
                             t, t, leads[t % nleads]);
    const char *file = harness_write_temp("durability-plan.tsv", tsv, len);
    free(tsv);
    long two_leads = 0;
    for (int t = 1; t <= TASKS; t++)
        two_leads += strchr(leads[t % nleads], ',') != NULL;
    harness_run_t r;
    cli_ok("plan import", &r,
           harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", "HN.HADONG.PHULAM",
                       "--year", "2024", "--number", "104/KH-UBND", "--title", "Kế hoạch CCHC 2024",
                       NULL));
    cr_assert_eq(sql("SELECT count(*) FROM registry.task"), TASKS);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task t WHERE status <> 'open' OR NOT EXISTS "
                     "(SELECT 1 FROM registry.task_unit u WHERE u.task_id = t.id AND u.role = "
                     "'lead')"),
                 0, "every task open, with a lead unit");
    cr_assert_eq(sql("SELECT count(*) FROM registry.task t WHERE (SELECT count(*) FROM "
                     "registry.task_unit u WHERE u.task_id = t.id AND u.role = 'lead') = 2"),
                 two_leads, "tasks with two lead units");
}

static void follow(const char *person, const char *unit)
{
    harness_run_t r;
    cli_ok("follow", &r,
           harness_cli(&r, registry.endpoint, "--notify", notify.endpoint, "follow", unit,
                       "--person", person, NULL));
}

static void start_services(void)
{
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start (log %s)",
                 registry.log);
    cr_assert_eq(harness_deadline_start(&deadline, db, "PARTRACK_DEADLINE_CLOCK=manual",
                                        "PARTRACK_DEADLINE_POLL_MS=50", NULL),
                 0, "deadline service did not start (log %s)", deadline.log);
    char reg[128], dl[128], dle[128];
    snprintf(reg, sizeof reg, "PARTRACK_REGISTRY_EVENTS=%s", registry.events);
    snprintf(dl, sizeof dl, "PARTRACK_DEADLINE_EVENTS=%s", deadline.events);
    snprintf(dle, sizeof dle, "PARTRACK_DEADLINE_ENDPOINT=%s", deadline.endpoint);
    cr_assert_eq(
        harness_notify_start(&notify, db, reg, dl, dle, "PARTRACK_NOTIFY_POLL_MS=50", NULL), 0,
        "notify did not start (log %s)", notify.log);
}

static void setup_world(void)
{
    cr_assert(getenv("PARTRACK_TEST_PGCTL") && *getenv("PARTRACK_TEST_PGCTL"),
              "PARTRACK_TEST_PGCTL is not set: run this test through scripts/test");
    snprintf(db, sizeof db, "durability_%d", (int)getpid());
    snprintf(dir, sizeof dir, "/tmp/partrack-durability-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    harness_db_create(db);
    start_services();
    harness_run_t r;
    cli_ok("unit import", &r,
           harness_cli(&r, registry.endpoint, "unit", "import",
                       harness_source("deploy/sample/units.csv"),
                       harness_source("deploy/sample/people.csv"), NULL));
    /* 06:00 on 2/1: nothing due for months, no digest before 07:30. */
    cli_ok("clock set", &r,
           harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "clock", "set",
                       "2024-01-02T06:00", NULL));
    follow("P00122", "HN.HADONG.PHULAM.MC"); /* a vice-chairwoman, no head */
    follow("P00122", "HN.HADONG.PHULAM.TPHT");
    follow("P00124", "HN.HADONG.PHULAM.MC"); /* head of the office: once for both */
    import_plan();
}

static void teardown(void)
{
    if (pg_stopped) {
        cr_expect(harness_pg_restore(), "PostgreSQL did not start again");
        pg_stopped = false;
    }
    harness_service_stop(&notify, SIGTERM);
    harness_service_stop(&deadline, SIGTERM);
    harness_service_stop(&registry, SIGTERM);
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* The world is made inside the test, so the services are stopped (and
 * PostgreSQL started) however it ends. */
TestSuite(durability, .fini = teardown, .timeout = 280);

/* ---- the publisher: a thread of its own, touching nothing of the harness ---- */

typedef struct {
    publish_client_t *client;
    long task_ids[TASKS];
    atomic_int allowed;  /* messages it may queue so far (the main thread opens the gate) */
    atomic_int sent;     /* messages queued so far */
    atomic_bool running; /* false once every message finished or failed */
    /* Per message (the tag is its number): the results and the stored id. */
    unsigned char finished[MESSAGES];
    int64_t stored_id[MESSAGES];
    int failed, duplicates, resent;
    char first_failure[640];
    bool send_failed;
} publisher_t;

/* The status message i sets, or NULL (progress only). */
static const char *status_of(int i)
{
    int task = i % TASKS, round = i / TASKS;
    if (round % STATUS_EVERY == STATUS_EVERY / 2)
        return "done";
    if (round % STATUS_EVERY == STATUS_EVERY - 1)
        return task % 5 == 0 ? "cancelled" : "open";
    return NULL;
}

static void take_result(publisher_t *p, const publish_result_t *r)
{
    if (r->tag >= MESSAGES)
        return;
    if (p->finished[r->tag]++ == 0)
        p->stored_id[r->tag] = r->code == PARTRACK__ERROR_CODE__ERR_NONE ? r->id : 0;
    if (r->code != PARTRACK__ERROR_CODE__ERR_NONE) {
        if (p->failed++ == 0)
            snprintf(p->first_failure, sizeof p->first_failure,
                     "message %llu: code %d answered %d after %d attempts: %s",
                     (unsigned long long)r->tag, (int)r->code, (int)r->answered, r->attempts,
                     r->message);
    }
    p->duplicates += r->duplicate;
    p->resent += r->attempts > 1;
}

static void *publish_all(void *arg)
{
    publisher_t *p = arg;
    publish_result_t r;
    for (int i = 0; i < MESSAGES; i++) {
        Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
        char key[32], note[48];
        snprintf(key, sizeof key, "dur-%d", i);
        snprintf(note, sizeof note, "durability note %d", i);
        u.has_task_id = 1;
        u.task_id = p->task_ids[i % TASKS];
        u.has_progress = 1;
        u.progress = (i / TASKS) % 100;
        u.status = (char *)status_of(i);
        u.note = note;
        while (i >= atomic_load(&p->allowed))
            if (publish_client_result(p->client, &r, 1) == 1)
                take_result(p, &r);
        if (publish_client_send(p->client, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base,
                                key, (uint64_t)i) < 0) {
            p->send_failed = true;
            break;
        }
        atomic_store(&p->sent, i + 1);
        while (publish_client_result(p->client, &r, 0) == 1)
            take_result(p, &r);
    }
    /* The rest; the client gives a message up at its deadline by itself. */
    while (publish_client_in_flight(p->client) > 0 || publish_client_pending_results(p->client) > 0)
        if (publish_client_result(p->client, &r, 1000) == 1)
            take_result(p, &r);
    atomic_store(&p->running, false);
    return NULL;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until the publisher has queued n messages (or stopped). */
static void wait_sent(publisher_t *p, int n)
{
    while (atomic_load(&p->sent) < n && atomic_load(&p->running))
        usleep(2000);
}

/* Lets the publisher go on to message n, and waits until it is well under
 * way (a few windows past where it was): what comes next hits it mid-flow. */
static void publish_on(publisher_t *p, int n)
{
    int from = atomic_load(&p->sent);
    atomic_store(&p->allowed, n);
    wait_sent(p, from + (n - from) / 5);
}

/* ---- the feed reader (as test_notify_feeds.c) ---- */

typedef struct {
    uint64_t seq;
    int64_t task_id;
    char kind[32];
} feed_entry_t;

static void feed_ask(void *s, uint64_t since, uint32_t credit)
{
    Partrack__FeedRequest r = PARTRACK__FEED_REQUEST__INIT;
    r.has_since = 1;
    r.since = since;
    r.credit = credit;
    cr_assert(
        harness_send_envelope(s, PARTRACK__MESSAGE_TYPE__MSG_FEED_REQUEST, &r.base, "ask", 0));
}

/* The next entry within ms into *e; false if none came. */
static bool feed_next(void *s, int ms, feed_entry_t *e)
{
    Partrack__Envelope *env = harness_recv_envelope(s, ms);
    if (!env)
        return false;
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_FEED_ENTRY, "type %d", env->type);
    Partrack__FeedEntry *f =
        partrack__feed_entry__unpack(NULL, env->payload.len, env->payload.data);
    cr_assert_not_null(f);
    e->seq = f->seq;
    e->task_id = f->has_task_id ? f->task_id : 0;
    snprintf(e->kind, sizeof e->kind, "%s", f->kind);
    partrack__feed_entry__free_unpacked(f, NULL);
    partrack__envelope__free_unpacked(env, NULL);
    return true;
}

/* The reader's feed as stored: kind and task of each entry by seq. */
typedef struct {
    long n;
    char (*kind)[32];
    int64_t *task_id;
} stored_feed_t;

static void stored_feed_load(stored_feed_t *f)
{
    PGconn *conn = harness_pg(db);
    PGresult *res = PQexec(conn, "SELECT seq, kind, coalesce(task_id, 0) FROM notify.entry WHERE "
                                 "person_id = '" READER "' ORDER BY seq");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
    f->n = PQntuples(res);
    f->kind = calloc((size_t)f->n + 1, sizeof *f->kind);
    f->task_id = calloc((size_t)f->n + 1, sizeof *f->task_id);
    cr_assert(f->kind && f->task_id);
    for (long r = 0; r < f->n; r++) {
        cr_assert_eq(strtol(PQgetvalue(res, (int)r, 0), NULL, 10), r + 1, "a gap in the feed");
        snprintf(f->kind[r], sizeof f->kind[r], "%s", PQgetvalue(res, (int)r, 1));
        f->task_id[r] = strtoll(PQgetvalue(res, (int)r, 2), NULL, 10);
    }
    PQclear(res);
    PQfinish(conn);
}

static void stored_feed_free(stored_feed_t *f)
{
    free(f->kind);
    free(f->task_id);
}

/* The entry e came as stored. */
static void expect_stored(const stored_feed_t *f, const feed_entry_t *e)
{
    cr_assert(e->seq >= 1 && e->seq <= (uint64_t)f->n, "entry %llu is not stored",
              (unsigned long long)e->seq);
    cr_assert_str_eq(e->kind, f->kind[e->seq - 1], "entry %llu", (unsigned long long)e->seq);
    cr_assert_eq(e->task_id, f->task_id[e->seq - 1], "entry %llu", (unsigned long long)e->seq);
}

static long reader_entries(void)
{
    return sql("SELECT count(*) FROM notify.entry WHERE person_id = '" READER "'");
}

/* Reads the start of the reader's feed once it holds news of status
 * changes besides its new tasks; returns the last sequence number read. */
static uint64_t read_the_start(const keyfile_t *k)
{
    long assigned = sql("SELECT count(*) FROM notify.entry WHERE person_id = '" READER
                        "' AND kind = 'assigned'");
    cr_assert_gt(assigned, 0, "no new tasks in " READER "'s feed");
    long have = 0;
    for (int64_t until = now_ms() + harness_scale(60000); now_ms() < until; usleep(20000))
        if ((have = reader_entries()) >= assigned + 20)
            break;
    cr_assert_geq(have, assigned + 20, "no status news for " READER " (%ld entries)", have);
    stored_feed_t stored;
    stored_feed_load(&stored);
    void *s = harness_curve_dealer(k->endpoint, k->server_key, k->public_key, k->secret_key);
    feed_ask(s, 0, (uint32_t)have);
    feed_entry_t e;
    for (long n = 1; n <= have; n++) {
        cr_assert(feed_next(s, 10000, &e), "entry %ld of %ld did not come", n, have);
        cr_assert_eq(e.seq, (uint64_t)n);
        expect_stored(&stored, &e);
    }
    stored_feed_free(&stored);
    cr_assert_not(feed_next(s, 200, &e), "more than the credit came");
    zmq_close(s);
    return (uint64_t)have;
}

/* Back online: asks from `since` and gets exactly the rest, in order. */
static void read_the_rest(const keyfile_t *k, uint64_t since)
{
    stored_feed_t stored;
    stored_feed_load(&stored);
    long total = stored.n;
    void *s = harness_curve_dealer(k->endpoint, k->server_key, k->public_key, k->secret_key);
    feed_ask(s, since, 10000);
    feed_entry_t e;
    long got = 0;
    for (uint64_t want = since + 1; want <= (uint64_t)total; want++, got++) {
        if (want - since > 1 && (want - since - 1) % 10000 == 0)
            feed_ask(s, want - 1, 10000); /* the credit is used up: ask again */
        cr_assert(feed_next(s, 10000, &e), "entry %llu of %ld did not come",
                  (unsigned long long)want, total);
        cr_assert_eq(e.seq, want, "entry %llu came when %llu was due", (unsigned long long)e.seq,
                     (unsigned long long)want);
        expect_stored(&stored, &e);
    }
    stored_feed_free(&stored);
    cr_assert_not(feed_next(s, 300, &e), "an entry past the last: %llu", (unsigned long long)e.seq);
    zmq_close(s);
    fprintf(stderr, "offline reader: %llu read before, %ld caught up after\n",
            (unsigned long long)since, got);
}

/* ---- the crashes ---- */

static void kill_and_restart(harness_service_t *s)
{
    harness_service_stop(s, SIGKILL);
    cr_assert_eq(harness_service_restart(s), 0, "%s did not start again (log %s)", s->name, s->log);
}

static void restart_postgres(void)
{
    pg_stopped = true;
    cr_assert_eq(harness_pg_ctl("stop"), 0, "cannot stop PostgreSQL");
    harness_pause(300); /* long enough for every service to notice */
    cr_assert_eq(harness_pg_ctl("start"), 0, "cannot start PostgreSQL");
    pg_stopped = false;
}

/* ---- the checks ---- */

/* Waits until notify (and the deadline service) applied every event. */
static void wait_quiet(void)
{
    static const char caught_up[] =
        "SELECT ((SELECT last_seq FROM registry.event_counter) = coalesce((SELECT last_seq FROM "
        "notify.event_cursor WHERE producer = 'registry'), -1) AND (SELECT last_seq FROM "
        "registry.event_counter) = coalesce((SELECT last_seq FROM deadline.event_cursor WHERE "
        "producer = 'registry'), -1) AND (SELECT last_seq FROM deadline.event_counter) = "
        "coalesce((SELECT last_seq FROM notify.event_cursor WHERE producer = 'deadline'), 0))::int";
    int64_t until = now_ms() + harness_scale(120000);
    while (sql(caught_up) != 1 && now_ms() < until)
        usleep(50 * 1000);
    cr_assert_eq(sql(caught_up), 1,
                 "notify or deadline did not catch up: registry events %ld, read by deadline %ld, "
                 "by notify %ld; deadline events %ld, read by notify %ld (logs %s, %s)",
                 sql("SELECT last_seq FROM registry.event_counter"),
                 sql("SELECT last_seq FROM deadline.event_cursor WHERE producer = 'registry'"),
                 sql("SELECT last_seq FROM notify.event_cursor WHERE producer = 'registry'"),
                 sql("SELECT last_seq FROM deadline.event_counter"),
                 sql("SELECT last_seq FROM notify.event_cursor WHERE producer = 'deadline'"),
                 notify.log, deadline.log);
}

/* Every acknowledged message is the row holding its note. */
static void check_stored_once(const publisher_t *p)
{
    int64_t *by_note = calloc(MESSAGES, sizeof *by_note);
    cr_assert_not_null(by_note);
    inv_notes_t notes;
    cr_assert_eq(
        inv_updates_by_note(db, "durability", "durability note ", MESSAGES, by_note, &notes), 0);
    cr_assert_eq(notes.rows, MESSAGES, "rows stored");
    cr_assert_eq(notes.notes, MESSAGES, "notes stored");
    cr_assert_eq(notes.repeated, 0, "a note stored twice");
    cr_assert_eq(notes.strays, 0, "rows of no message");
    cr_assert_eq(sql("SELECT count(DISTINCT idempotency_key) FROM registry.task_update WHERE "
                     "actor = 'durability'"),
                 MESSAGES);
    for (int i = 0; i < MESSAGES; i++) {
        cr_assert_eq(p->finished[i], 1, "message %d finished %d times", i, p->finished[i]);
        cr_assert_eq(p->stored_id[i], by_note[i],
                     "message %d was acknowledged as update %lld; its note is in update %lld", i,
                     (long long)p->stored_id[i], (long long)by_note[i]);
    }
    free(by_note);
    /* Each task ends as its last status update, in stored order. */
    cr_assert_eq(inv_tasks_off_last_status(db), 0, "a task's status is not its last update's");
    inv_event_log_t log;
    cr_assert_eq(inv_event_log(db, "registry", &log), 0);
    cr_assert(inv_event_log_whole(&log),
              "the registry's events have a gap: %ld events, %ld..%ld, counter %ld", log.events,
              log.first, log.last, log.counter);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TaskUpdated'"),
                 MESSAGES, "one event per update");
}

/* Every feed 1..n, nothing told twice. */
static void check_feeds_gap_free(void)
{
    inv_feeds_t f;
    cr_assert_eq(inv_feeds(db, &f), 0);
    cr_assert_eq(f.gaps, 0, "a feed with a gap");
    cr_assert_eq(f.bad_heads, 0, "a feed's head is not its last entry");
    cr_assert_eq(f.repeats, 0, "a subject told twice");
}

static void check_status_news(void)
{
    inv_status_news_t n;
    cr_assert_eq(inv_status_news(db, &n), 0);
    fprintf(stderr, "%ld status changes, %ld entries expected, %ld stored\n", n.changes, n.expected,
            n.stored);
    cr_assert_gt(n.changes, 3000, "status changes");
    cr_assert_eq(n.stored, n.expected, "status entries");
    cr_assert_eq(n.missing, 0, "status entries missing");
    cr_assert_eq(n.extra, 0, "status entries nobody called for");
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind NOT IN ('assigned', "
                     "'task_done', 'task_cancelled', 'task_reopened')"),
                 0, "entries of another kind");
}

/* ---- the test ---- */

static keyfile_t key_of(const char *what, const char *path)
{
    keyfile_t k;
    char errbuf[256];
    cr_assert_eq(keyfile_read(path, &k, errbuf, sizeof errbuf), 0, "%s: %s", what, errbuf);
    return k;
}

static void make_keys(keyfile_t *publisher, keyfile_t *reader)
{
    char path[256];
    harness_run_t r;
    snprintf(path, sizeof path, "%s", in_dir("durability.key"));
    cli_ok("publisher add", &r,
           harness_cli(&r, registry.endpoint, "publisher", "add", "durability", "--scope",
                       "HN.HADONG.PHULAM", "--key-file", path, NULL));
    *publisher = key_of("publisher key", path);
    snprintf(path, sizeof path, "%s", in_dir("reader.key"));
    cli_ok("person key", &r,
           harness_cli(&r, registry.endpoint, "--notify", notify.endpoint, "person", "key", READER,
                       "--key-file", path, NULL));
    *reader = key_of("reader key", path);
}

Test(durability, every_update_once_every_feed_whole_across_crashes)
{
    setup_world();
    keyfile_t pub_key, reader_key;
    make_keys(&pub_key, &reader_key);
    static publisher_t p;
    PGconn *conn = harness_pg(db);
    PGresult *res = PQexec(conn, "SELECT id FROM registry.task ORDER BY id");
    cr_assert_eq(PQntuples(res), TASKS);
    for (int t = 0; t < TASKS; t++)
        p.task_ids[t] = strtol(PQgetvalue(res, t, 0), NULL, 10);
    PQclear(res);
    PQfinish(conn);

    void *ctx = zmq_ctx_new();
    publish_options_t opt = {.window = 1000,
                             .attempt_timeout_ms = 2000,
                             .deadline_ms = harness_scale(120000),
                             .backoff_max_ms = 1000};
    char errbuf[256];
    p.client = publish_client_new(ctx, &pub_key, NULL, &opt, errbuf, sizeof errbuf);
    cr_assert_not_null(p.client, "%s", errbuf);
    atomic_store(&p.running, true);
    atomic_store(&p.allowed, MESSAGES / 10);
    int64_t t0 = now_ms();
    pthread_t thread;
    cr_assert_eq(pthread_create(&thread, NULL, publish_all, &p), 0);

    /* A tenth, then the reader reads and goes offline; a quarter more
     * each time, with a crash a fifth of the way into it. */
    wait_sent(&p, MESSAGES / 10);
    uint64_t offline_from = read_the_start(&reader_key);
    int64_t t_read = now_ms();
    publish_on(&p, MESSAGES * 7 / 20);
    kill_and_restart(&registry);
    int64_t t_registry = now_ms();
    publish_on(&p, MESSAGES * 12 / 20);
    kill_and_restart(&notify);
    int64_t t_notify = now_ms();
    publish_on(&p, MESSAGES * 17 / 20);
    restart_postgres();
    int64_t t_pg = now_ms();
    atomic_store(&p.allowed, MESSAGES);

    pthread_join(thread, NULL);
    int64_t t_published = now_ms();
    cr_assert_not(p.send_failed, "publish_client_send failed");
    cr_assert_eq(p.failed, 0, "%d messages not stored; the first: %s", p.failed, p.first_failure);
    cr_assert_gt(p.resent, 0, "the crashes made the library send again");
    publish_client_destroy(&p.client);
    zmq_ctx_term(ctx);
    fprintf(stderr,
            "published %d in %lld ms (reader offline at %lld, registry back at %lld, notify "
            "back at %lld, PostgreSQL back at %lld): %d resent, %d duplicates\n",
            MESSAGES, (long long)(t_published - t0), (long long)(t_read - t0),
            (long long)(t_registry - t0), (long long)(t_notify - t0), (long long)(t_pg - t0),
            p.resent, p.duplicates);

    check_stored_once(&p);
    wait_quiet();
    fprintf(stderr, "feeds caught up %lld ms after the last acknowledgement\n",
            (long long)(now_ms() - t_published));
    check_feeds_gap_free();
    check_status_news();
    read_the_rest(&reader_key, offline_from);
    fprintf(stderr, "checked %lld ms after the last acknowledgement\n",
            (long long)(now_ms() - t_published));
}
