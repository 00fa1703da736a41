/* chaos.c - partrack-chaos: faults under a steady load, then the invariants
 *
 * Builds a world on a database of its own in the throwaway PostgreSQL that
 * scripts/chaos (or scripts/test) started: the four services as children on
 * loopback ports (the test harness), the sample city, a plan of Phú Lãm
 * with CHAOS_LOAD_TASKS tasks due at the end of the year and
 * CHAOS_DEADLINE_TASKS due between mid-January and February, the sample
 * scoring scheme with Hà Đông's 2023 facts, consultations due on days the
 * clock crosses (some answered during the load), a publisher, a requester
 * and two readers.
 * Starts the load (chaos_load.c), then works through the fault schedule.
 * The first round (all of quick mode) kills every service with SIGKILL and
 * starts it again on the same ports (the deadline service a few
 * milliseconds into the sweep of a clock jump that crosses many due
 * dates at once), stops PostgreSQL (immediate: a crash) and starts it
 * again, stops the deadline service with SIGSTOP for longer than its
 * timeouts (notify waits 5 s for it when an escalation is acknowledged,
 * and acknowledgements were held back so that some are waiting; PostgreSQL
 * cuts its sessions after 4 s idle, PGOPTIONS), does the same to notify
 * (past the readers' 2 s of silence) and kills it as it catches up after
 * SIGCONT, stops the registry past the publisher's and the requester's
 * attempt timeouts (what they send again must be answered as duplicates),
 * and sends malformed traffic to every endpoint (chaos_bad.c). Later
 * rounds (full mode) shuffle all of these, plain kills and stops included,
 * and combine faults: a service killed while PostgreSQL is down, the
 * registry killed while the deadline service is stopped. Then the load
 * stops, the clock is set to its end, the run waits (bounded) for every
 * consumer and reader to catch up, and checks (chaos_check.c).
 *
 * Every step is bounded; the run stops by itself, prints what it did and
 * what it checked, and exits 0 when every invariant held, 1 when one did
 * not (or the run could not go on), 2 on a usage error.
 */
#include "chaos.h"

#include "deadline.pb-c.h"
#include "msg.h"
#include "rpc.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static chaos_t world;
static volatile sig_atomic_t interrupted;

/* ---- time and telling ---- */

int64_t chaos_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void chaos_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !interrupted)
        ;
}

void chaos_say(const chaos_t *w, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    printf("chaos: [%6.1fs] %s\n", (double)(chaos_now_ms() - w->t0_ms) / 1000.0, line);
    fflush(stdout);
}

/* A number in [0, n) from the run's seed. */
static int random_below(chaos_t *w, int n)
{
    w->random = w->random * 1103515245u + 12345u;
    return (int)((w->random >> 8) % (unsigned)n);
}

/* ---- giving up ---- */

static void restore_postgres(chaos_t *w)
{
    if (atomic_load(&w->pg_stopped) && harness_pg_restore())
        atomic_store(&w->pg_stopped, false);
}

/* The harness could not go on (a database unreachable...): PostgreSQL is
 * started again for whoever runs next; the services die with us. */
static void on_harness_failure(const char *message)
{
    printf("chaos: FAIL: the run could not go on: %s\n", message);
    fflush(stdout);
    restore_postgres(&world);
    exit(1);
}

static void on_signal(int sig)
{
    if (interrupted)
        _exit(128 + sig);
    interrupted = 1;
}

/* The run's bound, and a prompt end after SIGINT or SIGTERM (a fault in
 * progress may otherwise take a while to notice): PostgreSQL is started
 * again if it was down, and the program ends; its services die with it.
 * (The harness is not thread-safe; the main thread is not expected to
 * use it again.) */
static void *watchdog(void *arg)
{
    chaos_t *w = arg;
    int64_t limit = w->t0_ms + (int64_t)w->opt.max_seconds * 1000, since = 0;
    for (;;) {
        chaos_sleep_ms(200);
        int64_t now = chaos_now_ms();
        if (interrupted && !since)
            since = now;
        if (now > limit || (since && now - since > 5000)) {
            if (now > limit)
                printf("chaos: FAIL: the run went past its bound of %d s\n", w->opt.max_seconds);
            else
                printf("chaos: FAIL: interrupted\n");
            printf("chaos: logs: %s %s %s %s\n", w->registry.log, w->deadline.log, w->notify.log,
                   w->scoring.log);
            fflush(stdout);
            restore_postgres(w);
            _exit(1);
        }
    }
    return NULL;
}

static void give_up(chaos_t *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void give_up(chaos_t *w, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    chaos_say(w, "FAIL: %s", message);
    printf("chaos: logs: %s %s %s %s\n", w->registry.log, w->deadline.log, w->notify.log,
           w->scoring.log);
    restore_postgres(w);
    exit(1);
}

/* ---- options ---- */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: partrack-chaos [--quick] [--seed N] [--rounds N] [--rate N] [--keep-logs]\n"
            "\n"
            "Runs the four partrack services on a database of its own under a steady load\n"
            "(task updates and measurements published over CURVE, two people reading their\n"
            "feeds, the deadline service's manual clock crossing due dates) while it kills\n"
            "each service with SIGKILL and starts it again, restarts PostgreSQL, stops a\n"
            "consumer with SIGSTOP past its timeouts and sends malformed traffic to every\n"
            "endpoint; then checks that no acknowledged update was lost or stored twice,\n"
            "every event log and feed is gap-free, every deadline transition was emitted\n"
            "exactly once, and every service serves again. Prints each fault and each check.\n"
            "\n"
            "  --quick      one round, 1,000 messages a second (about a minute)\n"
            "  --seed N     the order of later rounds and the bad bytes (default: the time)\n"
            "  --rounds N   rounds of faults (default 3; --quick 1)\n"
            "  --rate N     messages a second (default 2000; --quick 1000)\n"
            "  --keep-logs  keep the services' logs also when every check held\n"
            "\n"
            "Every wait is bounded, and so is the whole run: --quick gives up (failing)\n"
            "after 170 s, a full run 300 s after its planned length. SIGINT or SIGTERM ends\n"
            "it within 5 s, PostgreSQL started again if it was down.\n"
            "\n"
            "Needs the throwaway PostgreSQL of scripts/chaos or scripts/test:\n"
            "PARTRACK_TEST_PGHOST, PARTRACK_TEST_PGPORT and PARTRACK_TEST_PGCTL (the command\n"
            "that stops and starts it). Exit status: 0 every check held, 1 one did not or\n"
            "the run could not go on, 2 usage.\n");
}

static int positive(const char *text, const char *what)
{
    char *end;
    long v = strtol(text ? text : "", &end, 10);
    if (!text || *end || v <= 0 || v > 1000000) {
        fprintf(stderr, "partrack-chaos: %s must be a positive number\n", what);
        exit(2);
    }
    return (int)v;
}

static void parse_options(chaos_options_t *o, int argc, char **argv)
{
    bool quick = false, seeded = false;
    int rounds = 0, rate = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = true;
        } else if (strcmp(argv[i], "--seed") == 0) {
            o->seed = (unsigned)positive(i + 1 < argc ? argv[++i] : NULL, "--seed");
            seeded = true;
        } else if (strcmp(argv[i], "--rounds") == 0) {
            rounds = positive(i + 1 < argc ? argv[++i] : NULL, "--rounds");
        } else if (strcmp(argv[i], "--rate") == 0) {
            rate = positive(i + 1 < argc ? argv[++i] : NULL, "--rate");
        } else if (strcmp(argv[i], "--keep-logs") == 0) {
            o->keep_logs = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, "partrack-chaos: unknown option %s\n", argv[i]);
            usage(stderr);
            exit(2);
        }
    }
    o->quick = quick;
    if (!seeded)
        o->seed = (unsigned)time(NULL) % 100000 + 1;
    o->rounds = rounds ? rounds : quick ? 1 : 3;
    o->rate = rate ? rate : quick ? 1000 : 2000;
    o->gap_ms = quick ? 2500 : 3000;
    o->pause_ms = quick ? 6500 : 8000;
    o->pg_down_ms = quick ? 1500 : 3000;
    o->catch_up_ms = quick ? 60000 : 120000;
}

/* ---- the world ---- */

static void cli_ok(chaos_t *w, const char *what, harness_run_t *r, int rc)
{
    if (rc != 0)
        give_up(w, "%s: exit %d: %s", what, rc, r->err);
    harness_run_free(r);
}

static keyfile_t read_key(chaos_t *w, const char *path)
{
    keyfile_t k;
    char err[256];
    if (keyfile_read(path, &k, err, sizeof err) < 0)
        give_up(w, "%s: %s", path, err);
    return k;
}

/* Lead cells as plans write them: one section, or two. */
static const char *const leads[] = {
    "Văn phòng UBND",    "Bộ phận Một cửa", "Bộ phận Văn hóa - Thông tin",     "Bộ phận Tư pháp",
    "Bộ phận Tài chính", "Công an phường",  "Văn phòng UBND, Bộ phận Một cửa",
};
#define NLEADS (int)(sizeof leads / sizeof *leads)

static void import_plan(chaos_t *w)
{
    size_t cap = 256 + (CHAOS_LOAD_TASKS + CHAOS_DEADLINE_TASKS) * 200, len = 0;
    char *tsv = malloc(cap);
    if (!tsv)
        give_up(w, "out of memory");
    len += (size_t)snprintf(tsv, cap, "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n");
    for (int t = 1; t <= CHAOS_LOAD_TASKS; t++)
        len += (size_t)snprintf(tsv + len, cap - len, "%d\tNhiệm vụ tải số %d\t%s\tQuý IV/2024\n",
                                t, t, leads[t % NLEADS]);
    /* Due before a day from 16/1 to 28/2: the clock crosses each with room
     * for three working days overdue (Tết 8-14/2 included). */
    int64_t first = chaos_instant("2024-01-16T00:00");
    for (int k = 0; k < CHAOS_DEADLINE_TASKS; k++) {
        char day[32];
        chaos_instant_text(first + (int64_t)(k * 43 / (CHAOS_DEADLINE_TASKS - 1)) * 86400, day);
        len += (size_t)snprintf(
            tsv + len, cap - len, "%d\tNhiệm vụ có hạn số %d\t%s\ttrước ngày %.2s/%.2s/%.4s\n",
            CHAOS_LOAD_TASKS + k + 1, k + 1, leads[(k + 1) % NLEADS], day + 8, day + 5, day);
    }
    const char *file = harness_write_temp("chaos-plan.tsv", tsv, len);
    free(tsv);
    harness_run_t r;
    cli_ok(w, "plan import", &r,
           harness_cli(&r, w->registry.endpoint, "--timeout", "60", "plan", "import", file,
                       "--unit", "HN.HADONG.PHULAM", "--year", "2024", "--number", "104/KH-UBND",
                       "--title", "Kế hoạch CCHC 2024", NULL));
    unlink(file);
    PGconn *conn = harness_pg(w->db);
    PGresult *res = PQexec(conn, "SELECT id, title FROM registry.task ORDER BY id");
    int nload = 0, ndl = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        int64_t id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        if (strstr(PQgetvalue(res, i, 1), "tải") && nload < CHAOS_LOAD_TASKS)
            w->load_tasks[nload++] = id;
        else if (strstr(PQgetvalue(res, i, 1), "có hạn") && ndl < CHAOS_DEADLINE_TASKS)
            w->deadline_tasks[ndl++] = id;
    }
    PQclear(res);
    PQfinish(conn);
    if (nload != CHAOS_LOAD_TASKS || ndl != CHAOS_DEADLINE_TASKS)
        give_up(w, "the plan has %d load tasks and %d deadline tasks", nload, ndl);
    for (int i = 0; i < 500; i++) {
        if (harness_sql_long(w->db, "SELECT count(*) FROM deadline.task") ==
            CHAOS_LOAD_TASKS + CHAOS_DEADLINE_TASKS)
            return;
        chaos_sleep_ms(20);
    }
    give_up(w, "the deadline service did not take the tasks in");
}

/* The office asks the one-stop section for its opinion, by days from 18/1
 * to 8/3; without an answer each is deemed agreed once the clock passes. */
static void ask_consultations(chaos_t *w)
{
    int64_t first = chaos_instant("2024-01-18T00:00");
    for (int k = 0; k < CHAOS_CONSULTATIONS; k++) {
        char day[32], subject[64];
        chaos_instant_text(first + (int64_t)(k * 50 / (CHAOS_CONSULTATIONS - 1)) * 86400, day);
        day[10] = '\0';
        snprintf(subject, sizeof subject, "Lấy ý kiến số %d", k + 1);
        harness_run_t r;
        cli_ok(w, "consult request", &r,
               harness_cli(&r, w->registry.endpoint, "consult", "request", "--from",
                           "HN.HADONG.PHULAM.VP", "--to", "HN.HADONG.PHULAM.MC", "--subject",
                           subject, "--due", day, NULL));
    }
    PGconn *conn = harness_pg(w->db);
    PGresult *res = PQexec(conn, "SELECT id FROM registry.consultation ORDER BY due_on, id");
    if (PQntuples(res) != CHAOS_CONSULTATIONS)
        give_up(w, "%d consultations stored", PQntuples(res));
    for (int k = 0; k < CHAOS_CONSULTATIONS; k++)
        w->consultations[k] = strtoll(PQgetvalue(res, k, 0), NULL, 10);
    PQclear(res);
    PQfinish(conn);
}

/* The last ones are answered while the load runs, long before they are due. */
static void answer_consultations(chaos_t *w)
{
    for (int k = CHAOS_CONSULTATIONS - CHAOS_ANSWERED; k < CHAOS_CONSULTATIONS; k++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)w->consultations[k]);
        harness_run_t r;
        cli_ok(w, "consult answer", &r,
               harness_cli(&r, w->registry.endpoint, "--timeout", "30", "consult", "answer", id,
                           "--text", "Nhất trí", NULL));
    }
    chaos_say(w, "%d of %d consultations answered; the others are to be deemed agreed",
              CHAOS_ANSWERED, CHAOS_CONSULTATIONS);
}

static void start_services(chaos_t *w)
{
    char cap[64], reg[128], dl[128], dle[128], sco[128];
    static const char pgopt[] =
        "PGOPTIONS=-c idle_session_timeout=4000 -c idle_in_transaction_session_timeout=4000";
    snprintf(cap, sizeof cap, "PARTRACK_MAX_MESSAGE_BYTES=%d", CHAOS_MAX_MSG);
    if (harness_registry_start(&w->registry, w->db, cap, NULL) < 0)
        give_up(w, "the registry did not start (log %s)", w->registry.log);
    if (harness_deadline_start(&w->deadline, w->db, cap, "PARTRACK_DEADLINE_CLOCK=manual",
                               "PARTRACK_DEADLINE_POLL_MS=50", pgopt, NULL) < 0)
        give_up(w, "the deadline service did not start (log %s)", w->deadline.log);
    snprintf(reg, sizeof reg, "PARTRACK_REGISTRY_EVENTS=%s", w->registry.events);
    snprintf(dl, sizeof dl, "PARTRACK_DEADLINE_EVENTS=%s", w->deadline.events);
    snprintf(dle, sizeof dle, "PARTRACK_DEADLINE_ENDPOINT=%s", w->deadline.endpoint);
    if (harness_scoring_start(&w->scoring, w->db, cap, reg, dl, "PARTRACK_SCORING_POLL_MS=50",
                              "PARTRACK_SCORING_PUBLISH_THRESHOLD=0.5", NULL) < 0)
        give_up(w, "the scoring service did not start (log %s)", w->scoring.log);
    snprintf(sco, sizeof sco, "PARTRACK_SCORING_EVENTS=%s", w->scoring.events);
    if (harness_notify_start(&w->notify, w->db, cap, reg, dl, sco, dle,
                             "PARTRACK_NOTIFY_POLL_MS=50", "PARTRACK_DIGEST_CHECK_SECONDS=1", pgopt,
                             NULL) < 0)
        give_up(w, "notify did not start (log %s)", w->notify.log);
}

static void make_world(chaos_t *w)
{
    snprintf(w->db, sizeof w->db, "chaos_%d", (int)getpid());
    snprintf(w->dir, sizeof w->dir, "/tmp/partrack-chaos-XXXXXX");
    if (!mkdtemp(w->dir))
        give_up(w, "cannot make a directory in /tmp");
    harness_db_create(w->db);
    start_services(w);
    harness_run_t r;
    const char *reg = w->registry.endpoint;
    cli_ok(w, "unit import", &r,
           harness_cli(&r, reg, "--timeout", "60", "unit", "import",
                       harness_source("deploy/sample/units.csv"),
                       harness_source("deploy/sample/people.csv"), NULL));
    cli_ok(w, "clock set", &r,
           harness_cli(&r, reg, "--deadline", w->deadline.endpoint, "clock", "set",
                       CHAOS_CLOCK_FROM, NULL));
    cli_ok(w, "scheme import", &r,
           harness_cli(&r, reg, "--scoring", w->scoring.endpoint, "--timeout", "60", "score",
                       "scheme", "import", harness_source("deploy/sample/schemes/hanoi-ward.json"),
                       NULL));
    cli_ok(w, "facts import", &r,
           harness_cli(&r, reg, "--scoring", w->scoring.endpoint, "--timeout", "60", "score",
                       "facts", "import",
                       harness_source("tests/fixtures/scoring/hadong-wards.json"), "--by", "chaos",
                       NULL));
    import_plan(w);
    ask_consultations(w);
    static const char *const follows[][2] = {{"P00122", "HN.HADONG.PHULAM.MC"},
                                             {"P00122", "HN.HADONG.PHULAM.TPHT"},
                                             {"P00124", "HN.HADONG.PHULAM.MC"}};
    for (int k = 0; k < 3; k++)
        cli_ok(w, "follow", &r,
               harness_cli(&r, reg, "--notify", w->notify.endpoint, "follow", follows[k][1],
                           "--person", follows[k][0], NULL));
    const char *key = harness_path(w->dir, "chaos.key");
    cli_ok(w, "publisher add", &r,
           harness_cli(&r, reg, "publisher", "add", CHAOS_PUBLISHER, "--scope", "HN.HADONG.PHULAM",
                       "--key-file", key, NULL));
    w->publisher_key = read_key(w, key);
    key = harness_path(w->dir, "chaos-bad.key");
    cli_ok(w, "publisher add", &r,
           harness_cli(&r, reg, "publisher", "add", "chaos-bad", "--scope", "HN.HADONG.BIENGIANG",
                       "--key-file", key, NULL));
    w->bad_publisher_key = read_key(w, key);
    static const char *const people[] = {"P00127", "P00121", "P00124"};
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "%s.key", people[k]);
        key = harness_path(w->dir, name);
        cli_ok(w, "person key", &r,
               harness_cli(&r, reg, "--notify", w->notify.endpoint, "person", "key", people[k],
                           "--key-file", key, NULL));
        if (k < CHAOS_READERS) {
            w->readers.r[k].person = people[k];
            w->readers.r[k].key = read_key(w, key);
            w->readers.r[k].acks = true;
        } else {
            w->bad_person_key = read_key(w, key);
        }
    }
    w->readers.n = CHAOS_READERS;
}

/* ---- the load ---- */

static void start_load(chaos_t *w, int64_t planned_ms)
{
    chaos_pub_t *p = &w->pub;
    p->capacity = (long)w->opt.rate * (planned_ms / 1000 + 120);
    p->answers = calloc((size_t)p->capacity, 1);
    p->code = calloc((size_t)p->capacity, 1);
    p->stored_id = calloc((size_t)p->capacity, sizeof *p->stored_id);
    if (!p->answers || !p->code || !p->stored_id)
        give_up(w, "out of memory");
    p->load_tasks = w->load_tasks;
    p->deadline_tasks = w->deadline_tasks;
    p->rate = w->opt.rate;
    w->pub_ctx = zmq_ctx_new();
    publish_options_t opt = {
        .window = 500, .attempt_timeout_ms = 2000, .deadline_ms = 120000, .backoff_max_ms = 1000};
    char err[256];
    if (!(p->client =
              publish_client_new(w->pub_ctx, &w->publisher_key, NULL, &opt, err, sizeof err)))
        give_up(w, "publish client: %s", err);
    chaos_clock_t *c = &w->clock;
    snprintf(c->endpoint, sizeof c->endpoint, "%s", w->deadline.endpoint);
    c->from = chaos_instant(CHAOS_CLOCK_FROM);
    c->to = chaos_instant(CHAOS_CLOCK_TO);
    c->start_ms = chaos_now_ms();
    c->span_ms = planned_ms;
    c->tick_ms = 400;
    chaos_req_t *q = &w->req;
    snprintf(q->endpoint, sizeof q->endpoint, "%s", w->registry.endpoint);
    q->tasks = w->load_tasks;
    q->per_second = 20;
    q->capacity = 20 * (planned_ms / 1000 + 120);
    if (!(q->outcome = calloc((size_t)q->capacity, 1)))
        give_up(w, "out of memory");
    if (pthread_create(&w->pub_thread, NULL, chaos_publish, p) != 0 ||
        pthread_create(&w->req_thread, NULL, chaos_request, q) != 0 ||
        pthread_create(&w->readers_thread, NULL, chaos_read_feeds, &w->readers) != 0 ||
        pthread_create(&w->clock_thread, NULL, chaos_move_clock, c) != 0)
        give_up(w, "cannot start the load's threads");
    chaos_say(w,
              "load: %d messages a second published (task updates, 1 in 20 a measurement), %d "
              "task updates a second requested, %d feed readers, the deadline service's clock "
              "from %s to %s in %.0f s; seed %u",
              w->opt.rate, q->per_second, w->readers.n, CHAOS_CLOCK_FROM, CHAOS_CLOCK_TO,
              (double)planned_ms / 1000.0, w->opt.seed);
}

/* ---- faults ---- */

typedef enum {
    FAULT_BAD,
    FAULT_KILL_REGISTRY,
    FAULT_KILL_DEADLINE,
    FAULT_KILL_NOTIFY,
    FAULT_KILL_SCORING,
    FAULT_PG_RESTART,
    FAULT_STOP_DEADLINE,
    FAULT_STOP_NOTIFY,
    FAULT_STOP_REGISTRY,      /* past the publisher's and the requester's attempt timeouts */
    FAULT_KILL_DURING_PG,     /* a service killed while PostgreSQL is down */
    FAULT_KILL_WHILE_STOPPED, /* the registry killed while the deadline service is stopped */
    FAULT_KILL_SWEEPING,      /* the deadline service killed as a clock jump's sweep runs */
    FAULT_KILL_CATCHING_UP    /* notify stopped, continued, killed as it catches up */
} fault_t;

static harness_service_t *service_of(chaos_t *w, int k)
{
    harness_service_t *all[] = {&w->registry, &w->deadline, &w->notify, &w->scoring};
    return all[k % 4];
}

/* Every service still runs (none died by itself). */
static void check_alive(chaos_t *w)
{
    for (int k = 0; k < 4; k++) {
        harness_service_t *s = service_of(w, k);
        int status;
        if (s->pid > 0 && waitpid(s->pid, &status, WNOHANG) == s->pid) {
            w->violations++;
            s->pid = 0;
            chaos_say(w, "BROKEN: %s exited by itself (%s %d); log %s", s->name,
                      WIFSIGNALED(status) ? "signal" : "status",
                      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), s->log);
            if (harness_service_restart(s) < 0)
                give_up(w, "%s did not start again", s->name);
        }
    }
}

/* The load runs on its own for ms. */
static void settle(chaos_t *w, int ms)
{
    for (int64_t until = chaos_now_ms() + ms; chaos_now_ms() < until && !interrupted;)
        chaos_sleep_ms(100);
    check_alive(w);
}

static void kill_service(chaos_t *w, harness_service_t *s)
{
    if (s == &w->deadline)
        atomic_store(&w->clock.hold, true);
    harness_service_stop(s, SIGKILL);
}

/* Starts a killed service again; returns the seconds it took. */
static double restart(chaos_t *w, harness_service_t *s)
{
    int64_t t = chaos_now_ms();
    if (harness_service_restart(s) < 0)
        give_up(w, "%s did not start again (log %s)", s->name, s->log);
    if (s == &w->deadline)
        atomic_store(&w->clock.hold, false);
    return (double)(chaos_now_ms() - t) / 1000.0;
}

static void fault_kill(chaos_t *w, harness_service_t *s)
{
    pid_t old = s->pid;
    kill_service(w, s);
    double took = restart(w, s);
    chaos_say(w,
              "SIGKILL %s (pid %d) and start it again: serving after %.2f s (pid %d); %ld "
              "messages in flight when it came back",
              s->name, (int)old, took, (int)s->pid,
              atomic_load(&w->pub.sent) - atomic_load(&w->pub.acked));
}

static void pg_stop(chaos_t *w)
{
    atomic_store(&w->pg_stopped, true);
    if (harness_pg_ctl("stop") != 0)
        give_up(w, "cannot stop PostgreSQL ($PARTRACK_TEST_PGCTL stop)");
}

static double pg_start(chaos_t *w)
{
    int64_t t = chaos_now_ms();
    if (harness_pg_ctl("start") != 0 || !harness_pg_restore())
        give_up(w, "cannot start PostgreSQL again");
    atomic_store(&w->pg_stopped, false);
    return (double)(chaos_now_ms() - t) / 1000.0;
}

static void fault_pg(chaos_t *w, harness_service_t *victim)
{
    int64_t t = chaos_now_ms();
    pg_stop(w);
    long acked = atomic_load(&w->pub.acked);
    pid_t old = 0;
    if (victim) {
        chaos_sleep_ms(w->opt.pg_down_ms / 3);
        old = victim->pid;
        kill_service(w, victim);
    }
    chaos_sleep_ms(victim ? w->opt.pg_down_ms * 2 / 3 : w->opt.pg_down_ms);
    long acked_down = atomic_load(&w->pub.acked) - acked;
    double down = (double)(chaos_now_ms() - t) / 1000.0;
    double up = pg_start(w);
    double took = victim ? restart(w, victim) : 0;
    if (victim)
        chaos_say(w,
                  "PostgreSQL stopped (immediate) for %.1f s, %s (pid %d) killed with SIGKILL "
                  "meanwhile; PostgreSQL up again in %.1f s, %s serving after %.2f s (pid %d); "
                  "%ld acknowledgements came while it was down",
                  down, victim->name, (int)old, up, victim->name, took, (int)victim->pid,
                  acked_down);
    else
        chaos_say(w,
                  "PostgreSQL stopped (immediate) for %.1f s and started again in %.1f s; %ld "
                  "acknowledgements came while it was down",
                  down, up, acked_down);
}

/* The database sessions of a service ("pid,pid"). */
static void sessions(chaos_t *w, const harness_service_t *s, char *out, size_t len)
{
    char q[512];
    snprintf(q, sizeof q,
             "SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), 'none') FROM "
             "pg_stat_activity WHERE datname = '%s' AND application_name = 'partrack-%s'",
             w->db, s->name);
    size_t n = 0;
    uint8_t *v = harness_sql_bytes(w->db, q, &n);
    snprintf(out, len, "%.*s", v ? (int)n : 1, v ? (const char *)v : "?");
    free(v);
}

/* Waits until s answers a ping; returns the seconds it took. */
static double answering(chaos_t *w, const harness_service_t *s)
{
    int64_t t = chaos_now_ms();
    void *ctx = zmq_ctx_new();
    char err[256];
    msg_envelope_t *pong = rpc_call(ctx, s->endpoint, PARTRACK__MESSAGE_TYPE__MSG_PING, NULL, NULL,
                                    30000, err, sizeof err);
    bool ok = pong && pong->type == PARTRACK__MESSAGE_TYPE__MSG_PONG;
    msg_close(&pong);
    zmq_ctx_term(ctx);
    if (!ok)
        give_up(w, "%s does not answer after SIGCONT: %s (log %s)", s->name, err, s->log);
    return (double)(chaos_now_ms() - t) / 1000.0;
}

/* Stops s with SIGSTOP past its timeouts and continues it; meanwhile
 * also_kill (if any) is killed and started again; with kill_after_ms >= 0,
 * s itself is killed that long after SIGCONT, as it catches up. */
static void fault_stop(chaos_t *w, harness_service_t *s, harness_service_t *also_kill,
                       int kill_after_ms)
{
    char before[128], after[128];
    long waiting = 0;
    if (s == &w->deadline) {
        /* Acknowledgements pile up, so that notify has escalations to pass
         * on to the stopped service when they come. */
        atomic_store(&w->readers.hold_acks, true);
        settle(w, 1500);
        char q[256];
        snprintf(q, sizeof q,
                 "SELECT count(*) FROM notify.entry WHERE person_id IN ('%s', '%s') AND level IN "
                 "('due', 'overdue') AND acked_at IS NULL",
                 w->readers.r[0].person, w->readers.r[CHAOS_READERS - 1].person);
        waiting = harness_sql_long(w->db, q);
    }
    sessions(w, s, before, sizeof before);
    long refused = 0, asks = 0, duplicates = atomic_load(&w->pub.duplicates);
    for (int k = 0; k < w->readers.n; k++) {
        refused += w->readers.r[k].acks_refused + w->readers.r[k].acks_lost;
        asks += w->readers.r[k].asks;
    }
    kill(s->pid, SIGSTOP);
    atomic_store(&w->readers.hold_acks, false);
    double killed = 0;
    pid_t old = 0;
    if (also_kill) {
        chaos_sleep_ms(w->opt.pause_ms / 3);
        old = also_kill->pid;
        kill_service(w, also_kill);
        killed = restart(w, also_kill);
        settle(w, w->opt.pause_ms * 2 / 3);
    } else {
        settle(w, w->opt.pause_ms);
    }
    kill(s->pid, SIGCONT);
    if (kill_after_ms >= 0) {
        chaos_sleep_ms(kill_after_ms);
        char cursors[128];
        long behind =
            harness_sql_long(w->db, "SELECT (SELECT last_seq FROM registry.event_counter) "
                                    "- (SELECT last_seq FROM notify.event_cursor WHERE "
                                    "producer = 'registry')");
        pid_t old_pid = s->pid;
        kill_service(w, s);
        double took = restart(w, s);
        snprintf(cursors, sizeof cursors, "%ld", behind);
        chaos_say(w,
                  "SIGSTOP %s for %.1f s, SIGCONT, and %d ms later, %s registry events behind, "
                  "SIGKILL (pid %d): serving again after %.2f s (pid %d)",
                  s->name, (double)w->opt.pause_ms / 1000.0, kill_after_ms, cursors, (int)old_pid,
                  took, (int)s->pid);
        return;
    }
    double back = answering(w, s);
    chaos_sleep_ms(500); /* its loop finds its session gone and connects again */
    sessions(w, s, after, sizeof after);
    long refused_after = 0, asks_after = 0;
    for (int k = 0; k < w->readers.n; k++) {
        refused_after += w->readers.r[k].acks_refused + w->readers.r[k].acks_lost;
        asks_after += w->readers.r[k].asks;
    }
    const char *past =
        s == &w->deadline ? "past notify's 5 s wait for it and PostgreSQL's 4 s idle limits"
        : s == &w->notify ? "past the readers' 2 s silence and PostgreSQL's 4 s idle limits"
                          : "past the publisher's and the requester's 2 s attempts";
    char extra[256] = "";
    size_t used = 0;
    if (s == &w->deadline)
        used +=
            (size_t)snprintf(extra, sizeof extra,
                             "; %ld escalations awaited acknowledgement when it stopped", waiting);
    if (s == &w->registry)
        used += (size_t)snprintf(extra + used, sizeof extra - used,
                                 "; %ld messages sent again were answered as duplicates",
                                 atomic_load(&w->pub.duplicates) - duplicates);
    if (also_kill)
        snprintf(extra + used, sizeof extra - used,
                 "; meanwhile %s (pid %d) killed and serving again after %.2f s", also_kill->name,
                 (int)old, killed);
    /* The consumers have PostgreSQL cut their idle sessions (PGOPTIONS). */
    char cut[300] = "";
    if (s != &w->registry)
        snprintf(cut, sizeof cut, "; database sessions %s -> %s%s", before, after,
                 strcmp(before, after) ? " (cut, reconnected)" : " (kept)");
    chaos_say(w,
              "SIGSTOP %s for %.1f s (%s), then SIGCONT: answering after %.2f s%s; readers asked "
              "again %ld times, %ld acknowledgements refused or unanswered%s",
              s->name, (double)w->opt.pause_ms / 1000.0, past, back, cut, asks_after - asks,
              refused_after - refused, extra);
}

/* The clock held for a while, then moved in one jump to where it should
 * be (many levels fall due at once), and the deadline service killed a few
 * milliseconds into the sweep that follows: whatever it had not committed
 * is done again after the restart, once. */
static void fault_kill_sweeping(chaos_t *w)
{
    atomic_store(&w->clock.hold, true);
    settle(w, 3000);
    int64_t target = chaos_clock_position(&w->clock);
    char text[32], q[256];
    chaos_instant_text(target, text);
    snprintf(q, sizeof q,
             "SELECT count(*) FROM deadline.occurrence WHERE next_at <= '%s:00+07'::timestamptz",
             text);
    long due = harness_sql_long(w->db, q);
    long before = harness_sql_long(w->db, "SELECT count(*) FROM deadline.transition");
    void *ctx = zmq_ctx_new();
    void *d = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(d, w->deadline.endpoint);
    Partrack__ClockRequest r = PARTRACK__CLOCK_REQUEST__INIT;
    r.set = text;
    size_t len;
    uint8_t *frame = msg_pack(PARTRACK__MESSAGE_TYPE__MSG_CLOCK, "chaos-jump", NULL, &r.base, &len);
    int after_ms = random_below(w, 12);
    if (!frame || zmq_send(d, frame, len, 0) != (int)len)
        give_up(w, "cannot send the clock's jump");
    free(frame);
    chaos_sleep_ms(after_ms);
    pid_t old = w->deadline.pid;
    kill_service(w, &w->deadline);
    zmq_close(d);
    zmq_ctx_term(ctx);
    long committed = harness_sql_long(w->db, "SELECT count(*) FROM deadline.transition") - before;
    double took = restart(w, &w->deadline);
    chaos_say(w,
              "clock held 3 s, then set to %s at once (%ld occurrences past their next level), "
              "SIGKILL deadline (pid %d) %d ms later: %ld transitions had been committed; "
              "serving again after %.2f s (pid %d)",
              text, due, (int)old, after_ms, committed, took, (int)w->deadline.pid);
}

static void run_fault(chaos_t *w, fault_t f, int round)
{
    switch (f) {
    case FAULT_BAD: chaos_bad_burst(w); break;
    case FAULT_KILL_REGISTRY: fault_kill(w, &w->registry); break;
    case FAULT_KILL_DEADLINE: fault_kill(w, &w->deadline); break;
    case FAULT_KILL_NOTIFY: fault_kill(w, &w->notify); break;
    case FAULT_KILL_SCORING: fault_kill(w, &w->scoring); break;
    case FAULT_PG_RESTART: fault_pg(w, NULL); break;
    case FAULT_STOP_DEADLINE: fault_stop(w, &w->deadline, NULL, -1); break;
    case FAULT_STOP_NOTIFY: fault_stop(w, &w->notify, NULL, -1); break;
    case FAULT_STOP_REGISTRY: fault_stop(w, &w->registry, NULL, -1); break;
    case FAULT_KILL_DURING_PG: fault_pg(w, service_of(w, round + 1)); break;
    case FAULT_KILL_WHILE_STOPPED: fault_stop(w, &w->deadline, &w->registry, -1); break;
    case FAULT_KILL_SWEEPING: fault_kill_sweeping(w); break;
    case FAULT_KILL_CATCHING_UP: fault_stop(w, &w->notify, NULL, random_below(w, 80)); break;
    }
}

/* Round 1 in a fixed order; later rounds shuffled, with the combined faults. */
static int schedule(const chaos_options_t *o, int round, fault_t *out)
{
    /* Each service killed once, the deadline service as it sweeps; notify
     * stopped, then killed as it catches up; the registry stopped. */
    static const fault_t first[] = {
        FAULT_BAD,           FAULT_KILL_REGISTRY,    FAULT_KILL_SWEEPING,
        FAULT_STOP_DEADLINE, FAULT_KILL_NOTIFY,      FAULT_KILL_SCORING,
        FAULT_PG_RESTART,    FAULT_KILL_CATCHING_UP, FAULT_STOP_REGISTRY};
    static const fault_t later[] = {
        FAULT_BAD,           FAULT_KILL_REGISTRY,    FAULT_KILL_DEADLINE,  FAULT_KILL_NOTIFY,
        FAULT_KILL_SCORING,  FAULT_PG_RESTART,       FAULT_STOP_DEADLINE,  FAULT_STOP_NOTIFY,
        FAULT_KILL_SWEEPING, FAULT_KILL_CATCHING_UP, FAULT_KILL_DURING_PG, FAULT_KILL_WHILE_STOPPED,
        FAULT_STOP_REGISTRY};
    if (round == 0) {
        memcpy(out, first, sizeof first);
        return (int)(sizeof first / sizeof *first);
    }
    int n = (int)(sizeof later / sizeof *later);
    memcpy(out, later, sizeof later);
    unsigned x = o->seed * 2654435761u + (unsigned)round;
    for (int k = n - 1; k > 0; k--) {
        x = x * 1103515245u + 12345u;
        int j = (int)((x >> 8) % (unsigned)(k + 1));
        fault_t t = out[k];
        out[k] = out[j];
        out[j] = t;
    }
    return n;
}

/* Roughly how long the faults take, for the clock's pace. */
static int64_t planned_ms(const chaos_options_t *o)
{
    int64_t ms = 0;
    for (int round = 0; round < o->rounds; round++) {
        fault_t f[16];
        int n = schedule(o, round, f);
        for (int k = 0; k < n; k++) {
            ms += o->gap_ms;
            switch (f[k]) {
            case FAULT_BAD: ms += 4000; break;
            case FAULT_PG_RESTART:
            case FAULT_KILL_DURING_PG: ms += o->pg_down_ms + 2000; break;
            case FAULT_STOP_DEADLINE: ms += o->pause_ms + 2500; break;
            case FAULT_STOP_NOTIFY:
            case FAULT_STOP_REGISTRY:
            case FAULT_KILL_CATCHING_UP:
            case FAULT_KILL_WHILE_STOPPED: ms += o->pause_ms + 1000; break;
            case FAULT_KILL_SWEEPING: ms += 4000; break;
            default: ms += 1000;
            }
        }
    }
    return ms + o->gap_ms;
}

/* ---- the end ---- */

static void stop_load(chaos_t *w)
{
    atomic_store(&w->pub.stop, true);
    atomic_store(&w->req.stop, true);
    pthread_join(w->pub_thread, NULL);
    pthread_join(w->req_thread, NULL);
    atomic_store(&w->clock.stop, true);
    pthread_join(w->clock_thread, NULL);
    publish_client_destroy(&w->pub.client);
    zmq_ctx_term(w->pub_ctx);
}

static void stop_readers(chaos_t *w)
{
    atomic_store(&w->readers.stop, true);
    pthread_join(w->readers_thread, NULL);
}

static void tear_down(chaos_t *w, bool passed)
{
    harness_service_t *all[] = {&w->notify, &w->scoring, &w->deadline, &w->registry};
    for (int k = 0; k < 4; k++)
        harness_service_stop(all[k], SIGTERM);
    char command[256];
    snprintf(command, sizeof command, "rm -rf '%s'", w->dir);
    if (system(command) != 0)
        fprintf(stderr, "chaos: could not remove %s\n", w->dir);
    if (passed && !w->opt.keep_logs) {
        for (int k = 0; k < 4; k++)
            unlink(all[k]->log);
        PGconn *conn = harness_pg("postgres");
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", w->db);
        PQclear(PQexec(conn, sql));
        PQfinish(conn);
    } else {
        printf("chaos: kept: database %s, logs %s %s %s %s\n", w->db, w->registry.log,
               w->deadline.log, w->notify.log, w->scoring.log);
    }
}

int main(int argc, char **argv)
{
    chaos_t *w = &world;
    parse_options(&w->opt, argc, argv);
    const char *pgctl = getenv("PARTRACK_TEST_PGCTL");
    if (!pgctl || !*pgctl || !getenv("PARTRACK_TEST_PGHOST") || !getenv("PARTRACK_TEST_PGPORT")) {
        fprintf(stderr,
                "partrack-chaos: PARTRACK_TEST_PGHOST, PARTRACK_TEST_PGPORT and "
                "PARTRACK_TEST_PGCTL must name a throwaway PostgreSQL: run scripts/chaos\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    harness_on_failure(on_harness_failure);
    w->t0_ms = chaos_now_ms();
    w->random = w->opt.seed;
    printf("chaos: %s mode: %d round%s of faults, %d messages a second, seed %u\n",
           w->opt.quick ? "quick" : "full", w->opt.rounds, w->opt.rounds > 1 ? "s" : "",
           w->opt.rate, w->opt.seed);

    int64_t planned = planned_ms(&w->opt);
    w->opt.max_seconds = w->opt.quick ? 170 : (int)(planned / 1000) + 300;
    pthread_t guard;
    if (pthread_create(&guard, NULL, watchdog, w) != 0 || pthread_detach(guard) != 0)
        give_up(w, "cannot start the watchdog");
    make_world(w);
    chaos_say(w,
              "world: database %s, registry %s (ingest %s), deadline %s, notify %s (feeds %s), "
              "scoring %s; %d tasks updated, %d with due dates to cross",
              w->db, w->registry.endpoint, w->registry.ingest, w->deadline.endpoint,
              w->notify.endpoint, w->notify.feed, w->scoring.endpoint, CHAOS_LOAD_TASKS,
              CHAOS_DEADLINE_TASKS);
    start_load(w, planned);
    answer_consultations(w);
    settle(w, w->opt.gap_ms);
    for (int round = 0; round < w->opt.rounds && !interrupted; round++) {
        fault_t f[16];
        int n = schedule(&w->opt, round, f);
        chaos_say(w, "round %d of %d: %d faults", round + 1, w->opt.rounds, n);
        for (int k = 0; k < n && !interrupted; k++) {
            run_fault(w, f[k], round);
            settle(w, w->opt.gap_ms);
        }
    }
    if (interrupted)
        give_up(w, "interrupted");

    int64_t t_stop = chaos_now_ms();
    stop_load(w);
    chaos_say(w,
              "load stopped: %ld messages published, %ld acknowledged, %ld failed (drained in "
              "%.1f s); %ld requests; %ld clock ticks (%ld unanswered), %ld transitions by the "
              "ticks",
              atomic_load(&w->pub.sent), atomic_load(&w->pub.acked), atomic_load(&w->pub.failed),
              (double)(chaos_now_ms() - t_stop) / 1000.0, atomic_load(&w->req.sent),
              atomic_load(&w->clock.ticks), atomic_load(&w->clock.failures),
              atomic_load(&w->clock.transitions));
    harness_run_t r;
    cli_ok(w, "clock set", &r,
           harness_cli(&r, w->registry.endpoint, "--deadline", w->deadline.endpoint, "--timeout",
                       "30", "clock", "set", CHAOS_CLOCK_TO, NULL));
    long waited = chaos_wait_caught_up(w, w->opt.catch_up_ms, true);
    if (waited < 0)
        w->violations++;
    else
        chaos_say(w, "every consumer and reader caught up %.1f s after the clock's last move",
                  (double)waited / 1000.0);
    stop_readers(w);
    /* The readers' last acknowledgements changed nothing that flows on. */
    if (chaos_wait_caught_up(w, 10000, false) < 0)
        w->violations++;
    chaos_say(w, "checking");
    int64_t t_check = chaos_now_ms();
    int broken = chaos_check_all(w);
    chaos_say(w, "checked in %.1f s", (double)(chaos_now_ms() - t_check) / 1000.0);
    bool passed = w->violations == 0;
    tear_down(w, passed);
    double total = (double)(chaos_now_ms() - w->t0_ms) / 1000.0;
    if (passed)
        printf("chaos: PASS: every invariant held (%.1f s)\n", total);
    else
        printf("chaos: FAIL: %d check%s broken, %d violation%s in all (%.1f s)\n", broken,
               broken == 1 ? "" : "s", w->violations, w->violations == 1 ? "" : "s", total);
    return passed ? 0 : 1;
}
