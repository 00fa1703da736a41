/* chaos_check.c - the invariants after the chaos run, each printed with its
 * numbers
 *
 * Published updates: every message answered once and acknowledged; each
 * acknowledged task update is the one row holding its note, each
 * measurement the one row holding its value, at the id its acknowledgement
 * gave, and the request log holds that same acknowledgement under its key;
 * nothing else of the publisher's is stored. Events: every producer's log
 * numbered 1..n, one event per stored update and measurement, every
 * consumer's cursor at its producer's end. Effects: each task's status its
 * last update's; the status news the stored updates call for, no more, no
 * less; every feed numbered 1..n with no subject told twice; every
 * measurement audited once by scoring; every published score in its unit
 * head's feed once. Deadlines: no (occurrence, level) transition recorded
 * or emitted twice, every DueTransition event recorded and in some feed,
 * and the tasks whose due dates the clock crossed went through every level
 * once each: due soon, due, overdue, then escalated unless an
 * acknowledgement stopped it; each consultation not answered deemed agreed
 * once (both heads told), none of the answered. Requests to the registry:
 * each answered, stored once, its reply logged once. Readers: nothing out of order, and each
 * caught up with its feed. Services: each alive and answering a real
 * request; the malformed traffic answered as it should be.
 */
#include "chaos.h"

#include "consult.pb-c.h"
#include "deadline.pb-c.h"
#include "ingest.pb-c.h"
#include "invariants.h"
#include "msg.h"
#include "rpc.h"

#include <libpq-fe.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#define CHAOS_STR_(x) #x
#define CHAOS_STR(x)  CHAOS_STR_(x)

static int failed_checks;

/* Prints one check: "check  WHAT: DETAILS ... ok" or "BROKEN". */
static bool verdict(chaos_t *w, bool ok, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool verdict(chaos_t *w, bool ok, const char *what, const char *fmt, ...)
{
    char details[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(details, sizeof details, fmt, ap);
    va_end(ap);
    printf("chaos: check %-56s %s: %s\n", what, ok ? "ok" : "BROKEN", details);
    fflush(stdout);
    if (!ok) {
        failed_checks++;
        w->violations++;
    }
    return ok;
}

static long sql(const chaos_t *w, const char *query)
{
    return harness_sql_long(w->db, query);
}

/* ---- waiting ---- */

static const char *const pairs[][2] = {
    {"deadline", "registry"}, {"scoring", "registry"}, {"scoring", "deadline"},
    {"notify", "registry"},   {"notify", "deadline"},  {"notify", "scoring"},
};
#define NPAIRS (sizeof pairs / sizeof pairs[0])

static bool consumers_caught_up(chaos_t *w, char *behind, size_t len)
{
    *behind = '\0';
    for (size_t k = 0; k < NPAIRS; k++) {
        inv_cursor_t c;
        if (inv_cursor(w->db, pairs[k][0], pairs[k][1], &c) < 0 ||
            (c.cursor != c.last && !(c.last == 0 && c.cursor == -1))) {
            snprintf(behind, len, "%s at %ld of %s's %ld", pairs[k][0], c.cursor, pairs[k][1],
                     c.last);
            return false;
        }
    }
    /* The sweep has nothing left to do at the clock's time. */
    long due = sql(w, "SELECT count(*) FROM deadline.occurrence WHERE next_at <= (SELECT now FROM "
                      "deadline.clock)");
    if (due != 0) {
        snprintf(behind, len, "%ld occurrences past their next level", due);
        return false;
    }
    return true;
}

/* The readers hold everything their feeds hold, the digest of the clock's
 * last day included (notify looks for due digests every second). */
static bool readers_caught_up(chaos_t *w, char *behind, size_t len)
{
    char q[256], day[32];
    chaos_instant_text(chaos_instant(CHAOS_CLOCK_TO), day);
    snprintf(q, sizeof q,
             "SELECT count(*) FROM notify.entry WHERE dedupe = 'digest:%.10s' AND person_id IN "
             "('%s', '%s')",
             day, w->readers.r[0].person, w->readers.r[CHAOS_READERS - 1].person);
    if (sql(w, q) != w->readers.n) {
        snprintf(behind, len, "the digests of %.10s are not written", day);
        return false;
    }
    for (int k = 0; k < w->readers.n; k++) {
        chaos_reader_t *r = &w->readers.r[k];
        char q[256];
        snprintf(
            q, sizeof q,
            "SELECT coalesce((SELECT last_seq FROM notify.feed_head WHERE person_id = '%s'), 0)",
            r->person);
        long head = sql(w, q);
        if ((long)atomic_load(&r->seen) != head) {
            snprintf(behind, len, "reader %s at %llu of %ld", r->person,
                     (unsigned long long)atomic_load(&r->seen), head);
            return false;
        }
    }
    return true;
}

long chaos_wait_caught_up(chaos_t *w, int max_ms, bool readers)
{
    int64_t t0 = chaos_now_ms();
    char behind[256] = "";
    for (;;) {
        if (consumers_caught_up(w, behind, sizeof behind) &&
            (!readers || readers_caught_up(w, behind, sizeof behind))) {
            /* Twice, a moment apart: nothing was still on its way. */
            chaos_sleep_ms(300);
            if (consumers_caught_up(w, behind, sizeof behind) &&
                (!readers || readers_caught_up(w, behind, sizeof behind)))
                return (long)(chaos_now_ms() - t0);
        }
        if (chaos_now_ms() - t0 > max_ms) {
            printf("chaos: not caught up after %d ms: %s\n", max_ms, behind);
            return -1;
        }
        chaos_sleep_ms(100);
    }
}

/* ---- published messages ---- */

static void check_publisher(chaos_t *w)
{
    chaos_pub_t *p = &w->pub;
    long sent = atomic_load(&p->sent), once = 0, never = 0, twice = 0;
    for (long i = 0; i < sent; i++) {
        once += p->answers[i] == 1;
        never += p->answers[i] == 0;
        twice += p->answers[i] > 1;
    }
    verdict(w,
            once == sent && atomic_load(&p->acked) == sent && atomic_load(&p->failed) == 0 &&
                p->send_failures == 0,
            "every message answered once, and stored",
            "%ld sent, %ld acknowledged (%ld resent, %ld answered as duplicates), %ld failed, %ld "
            "never answered, %ld answered twice%s%s",
            sent, atomic_load(&p->acked), atomic_load(&p->resent), atomic_load(&p->duplicates),
            atomic_load(&p->failed), never, twice, atomic_load(&p->failed) ? "; first: " : "",
            p->first_failure);
}

static void check_updates(chaos_t *w)
{
    chaos_pub_t *p = &w->pub;
    long sent = atomic_load(&p->sent);
    int64_t *ids = calloc((size_t)sent + 1, sizeof *ids);
    inv_notes_t n;
    if (!ids || inv_updates_by_note(w->db, CHAOS_PUBLISHER, CHAOS_NOTE, sent, ids, &n) < 0) {
        verdict(w, false, "acknowledged updates stored once", "cannot read the updates");
        free(ids);
        return;
    }
    long acked = 0, wrong = 0, unacked_stored = 0;
    char first[200] = "";
    for (long i = 0; i < sent; i++) {
        if (chaos_msg_kind(i) == CHAOS_MSG_MEASUREMENT) {
            if (ids[i])
                wrong++;
            continue;
        }
        if (p->code[i] == 0 && p->answers[i]) {
            acked++;
            if (ids[i] != p->stored_id[i] && wrong++ == 0)
                snprintf(first, sizeof first, "; message %ld acknowledged as %lld, stored as %lld",
                         i, (long long)p->stored_id[i], (long long)ids[i]);
        } else if (ids[i]) {
            unacked_stored++;
        }
    }
    verdict(w,
            n.rows == acked && n.notes == acked && n.repeated == 0 && n.strays == 0 && wrong == 0 &&
                unacked_stored == 0,
            "acknowledged task updates stored once",
            "%ld acknowledged, %ld rows, %ld distinct notes, %ld notes twice, %ld rows of no "
            "message, %ld stored elsewhere than acknowledged, %ld stored without an "
            "acknowledgement%s",
            acked, n.rows, n.notes, n.repeated, n.strays, wrong, unacked_stored, first);
    free(ids);
}

static void check_measurements(chaos_t *w)
{
    chaos_pub_t *p = &w->pub;
    long sent = atomic_load(&p->sent);
    PGconn *conn = harness_pg(w->db);
    PGresult *res = PQexec(
        conn, "SELECT id, value FROM registry.measurement WHERE publisher = '" CHAOS_PUBLISHER "'");
    long rows = PQntuples(res), strays = 0, repeated = 0, wrong = 0, acked = 0, unacked_stored = 0;
    int64_t *ids = calloc((size_t)sent + 1, sizeof *ids);
    for (long r = 0; ids && r < rows; r++) {
        long m = chaos_measurement_of_value(strtod(PQgetvalue(res, (int)r, 1), NULL));
        long i = m * 20 + 19;
        if (m < 0 || i >= sent) {
            strays++;
            continue;
        }
        if (ids[i])
            repeated++;
        ids[i] = strtoll(PQgetvalue(res, (int)r, 0), NULL, 10);
    }
    for (long i = 0; ids && i < sent; i++) {
        if (chaos_msg_kind(i) != CHAOS_MSG_MEASUREMENT)
            continue;
        if (p->code[i] == 0 && p->answers[i]) {
            acked++;
            wrong += ids[i] != p->stored_id[i];
        } else if (ids[i]) {
            unacked_stored++;
        }
    }
    verdict(w,
            PQresultStatus(res) == PGRES_TUPLES_OK && ids && rows == acked && strays == 0 &&
                repeated == 0 && wrong == 0 && unacked_stored == 0,
            "acknowledged measurements stored once",
            "%ld acknowledged, %ld rows, %ld values twice, %ld rows of no message, %ld stored "
            "elsewhere than acknowledged, %ld stored without an acknowledgement",
            acked, rows, repeated, strays, wrong, unacked_stored);
    free(ids);
    PQclear(res);
    PQfinish(conn);
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The acknowledgement a stored key gives again: a task update's is its row
 * (task_update's key), a measurement's is in request_log. -1: none. */
static int64_t stored_ack_id(PGresult *res, int r)
{
    if (!PQgetisnull(res, r, 3))
        return strtoll(PQgetvalue(res, r, 3), NULL, 10);
    if (atoi(PQgetvalue(res, r, 1)) != PARTRACK__MESSAGE_TYPE__MSG_INGEST_ACK)
        return -1;
    const char *h = PQgetvalue(res, r, 2);
    size_t len = strlen(h) / 2;
    uint8_t *bytes = malloc(len + 1);
    for (size_t k = 0; bytes && k < len; k++)
        bytes[k] = (uint8_t)(hex(h[2 * k]) << 4 | hex(h[2 * k + 1]));
    Partrack__IngestAck *a = bytes ? partrack__ingest_ack__unpack(NULL, len, bytes) : NULL;
    int64_t id = a ? a->id : -1;
    if (a)
        partrack__ingest_ack__free_unpacked(a, NULL);
    free(bytes);
    return id;
}

/* Each acknowledged message's key is stored once, with the acknowledgement
 * given. */
static void check_stored_keys(chaos_t *w)
{
    chaos_pub_t *p = &w->pub;
    long sent = atomic_load(&p->sent);
    PGconn *conn = harness_pg(w->db);
    PGresult *res = PQexec(conn, "SELECT idempotency_key, NULL, NULL, id FROM registry.task_update "
                                 "WHERE actor = '" CHAOS_PUBLISHER "' AND idempotency_key IS NOT "
                                 "NULL UNION ALL SELECT idempotency_key, reply_type, encode(reply, "
                                 "'hex'), NULL FROM registry.request_log WHERE publisher = "
                                 "'" CHAOS_PUBLISHER "'");
    long rows = PQntuples(res), agree = 0, disagree = 0, strays = 0, acked = 0;
    unsigned char *seen = calloc((size_t)sent + 1, 1);
    for (long r = 0; seen && r < rows; r++) {
        long i = -1;
        if (sscanf(PQgetvalue(res, (int)r, 0), "chaos-%ld", &i) != 1 || i < 0 || i >= sent ||
            seen[i]++) {
            strays++;
            continue;
        }
        if (p->code[i] == 0 && stored_ack_id(res, (int)r) == p->stored_id[i])
            agree++;
        else
            disagree++;
    }
    for (long i = 0; i < sent; i++)
        acked += p->code[i] == 0 && p->answers[i];
    verdict(w,
            PQresultStatus(res) == PGRES_TUPLES_OK && seen && rows == acked && agree == acked &&
                disagree == 0 && strays == 0,
            "every acknowledged key is stored once",
            "%ld keys stored for %ld acknowledged messages: %ld with the acknowledgement given, "
            "%ld with another, %ld of no message",
            rows, acked, agree, disagree, strays);
    free(seen);
    PQclear(res);
    PQfinish(conn);
}

/* Requests to the registry: each answered, stored once, logged once. */
static void check_requests(chaos_t *w)
{
    chaos_req_t *q = &w->req;
    long sent = atomic_load(&q->sent), ok = 0, errors = 0, silent = 0, unanswered_stored = 0;
    long imports = 0, imported = 0;
    int64_t *ids = calloc((size_t)sent + 1, sizeof *ids);
    inv_notes_t n = {0};
    bool read = ids && inv_updates_by_note(w->db, "cli", CHAOS_REQUEST_NOTE, sent, ids, &n) == 0;
    for (long i = 0; i < sent; i++) {
        if (chaos_request_is_import(i)) {
            imports++;
            imported += q->outcome[i] == CHAOS_REQ_OK;
            continue;
        }
        ok += q->outcome[i] == CHAOS_REQ_OK;
        errors += q->outcome[i] == CHAOS_REQ_ERROR;
        silent += q->outcome[i] == CHAOS_REQ_SILENT;
        unanswered_stored += q->outcome[i] != CHAOS_REQ_OK && ids && ids[i];
    }
    long logged = sql(w, "SELECT count(*) FROM registry.request_log WHERE publisher = 'cli' AND "
                         "idempotency_key LIKE 'chaos-request-%'");
    verdict(w,
            read && ok + imported == sent && n.rows == ok && n.notes == ok && n.repeated == 0 &&
                n.strays == 0 && logged == sent,
            "every request answered once, stored once",
            "%ld task updates requested: %ld answered (%ld requests after a retry), %ld refused, "
            "%ld never answered%s%s; %ld rows, %ld notes twice, %ld rows of no request, %ld stored "
            "without an answer; %ld replies logged for %ld requests",
            sent - imports, ok, q->resent, errors, silent, q->first_problem[0] ? "; first: " : "",
            q->first_problem, n.rows, n.repeated, n.strays, unanswered_stored, logged, sent);
    /* Each plan imported once, whole, each task assigned (and taken in) once. */
    long plans = sql(w, "SELECT count(*) FROM registry.plan WHERE number LIKE 'C%/KH-UBND'");
    long current = sql(w, "SELECT count(DISTINCT number) FROM registry.plan WHERE number LIKE "
                          "'C%/KH-UBND' AND replaced_at IS NULL");
    long partial =
        sql(w, "SELECT count(*) FROM registry.plan p WHERE number LIKE 'C%/KH-UBND' AND "
               "(SELECT count(*) FROM registry.task t WHERE t.plan_id = p.id) <> " CHAOS_STR(
                   CHAOS_IMPORT_TASKS));
    long tasks = sql(w, "SELECT count(*) FROM registry.task t JOIN registry.plan p ON p.id = "
                        "t.plan_id WHERE p.number LIKE 'C%/KH-UBND'");
    long taken = sql(w, "SELECT count(*) FROM deadline.task WHERE plan_number LIKE 'C%/KH-UBND'");
    /* No task is reassigned in this run: one TaskAssigned each. */
    long all_tasks = sql(w, "SELECT count(*) FROM registry.task");
    long assigned = sql(w, "SELECT count(*) FROM registry.event_log WHERE type = 'TaskAssigned'");
    verdict(
        w,
        imported == imports && plans == imported && current == imported && partial == 0 &&
            tasks == imported * CHAOS_IMPORT_TASKS && taken == tasks && assigned == all_tasks,
        "every plan import applied once, whole",
        "%ld plans imported by request: %ld answered, %ld stored (%ld current), %ld not whole; "
        "%ld tasks, %ld taken in by the deadline service; %ld TaskAssigned for %ld tasks in all",
        imports, imported, plans, current, partial, tasks, taken, assigned, all_tasks);
    free(ids);
}

/* ---- events and effects ---- */

static void check_event_logs(chaos_t *w)
{
    static const char *const producers[] = {"registry", "deadline", "scoring"};
    char details[512] = "";
    size_t used = 0;
    bool ok = true;
    for (size_t k = 0; k < 3; k++) {
        inv_event_log_t log;
        bool whole = inv_event_log(w->db, producers[k], &log) == 0 && inv_event_log_whole(&log);
        ok = ok && whole;
        used += (size_t)snprintf(details + used, sizeof details - used,
                                 "%s%s %ld events %ld..%ld%s", k ? "; " : "", producers[k],
                                 log.events, log.first, log.last, whole ? "" : " (NOT 1..n)");
    }
    long updates = sql(w, "SELECT count(*) FROM registry.task_update");
    long updated = sql(w, "SELECT count(*) FROM registry.event_log WHERE type = 'TaskUpdated'");
    long measurements = sql(w, "SELECT count(*) FROM registry.measurement");
    long recorded =
        sql(w, "SELECT count(*) FROM registry.event_log WHERE type = 'MeasurementRecorded'");
    verdict(w, ok, "every event log numbered 1..n without a gap", "%s", details);
    verdict(w, updates == updated && measurements == recorded,
            "one event per stored update and measurement",
            "%ld task updates, %ld TaskUpdated; %ld measurements, %ld MeasurementRecorded", updates,
            updated, measurements, recorded);
    char cursors[512] = "";
    used = 0;
    ok = true;
    for (size_t k = 0; k < NPAIRS; k++) {
        inv_cursor_t c;
        bool at_end = inv_cursor(w->db, pairs[k][0], pairs[k][1], &c) == 0 &&
                      (c.cursor == c.last || (c.last == 0 && c.cursor == -1));
        ok = ok && at_end;
        used += (size_t)snprintf(cursors + used, sizeof cursors - used, "%s%s<-%s %ld/%ld",
                                 k ? ", " : "", pairs[k][0], pairs[k][1], c.cursor, c.last);
    }
    verdict(w, ok, "every consumer at its producer's end", "%s", cursors);
}

static void check_effects(chaos_t *w)
{
    long off = inv_tasks_off_last_status(w->db);
    verdict(w, off == 0, "each task's status its last update's", "%ld tasks, %ld otherwise",
            sql(w, "SELECT count(*) FROM registry.task"), off);
    inv_status_news_t n;
    bool ok = inv_status_news(w->db, &n) == 0;
    verdict(w, ok && n.missing == 0 && n.extra == 0 && n.stored == n.expected && n.changes > 0,
            "status news exactly as the stored updates call for",
            "%ld status changes call for %ld entries: %ld stored, %ld missing, %ld extra",
            n.changes, n.expected, n.stored, n.missing, n.extra);
    inv_feeds_t f;
    ok = inv_feeds(w->db, &f) == 0;
    verdict(w, ok && f.gaps == 0 && f.bad_heads == 0 && f.repeats == 0 && f.entries > 0,
            "every feed 1..n, no subject told twice",
            "%ld feeds, %ld entries: %ld with a gap, %ld heads astray, %ld subjects twice",
            f.people, f.entries, f.gaps, f.bad_heads, f.repeats);
    long measurements =
        sql(w, "SELECT count(*) FROM registry.measurement WHERE publisher = '" CHAOS_PUBLISHER "'");
    long audits = sql(w, "SELECT count(*) FROM scoring.audit WHERE what = 'measurement' AND actor "
                         "= 'registry:" CHAOS_PUBLISHER "'");
    long distinct = sql(w, "SELECT count(DISTINCT evidence) FROM scoring.audit WHERE what = "
                           "'measurement' AND actor = 'registry:" CHAOS_PUBLISHER "'");
    long unmatched =
        sql(w, "SELECT count(*) FROM registry.measurement m WHERE publisher = '" CHAOS_PUBLISHER
               "' AND NOT EXISTS (SELECT 1 FROM scoring.audit a WHERE a.what = "
               "'measurement' AND a.evidence = 'measurement ' || m.id)");
    verdict(w, audits == measurements && distinct == measurements && unmatched == 0,
            "every measurement applied by scoring once",
            "%ld measurements, %ld audited (%ld distinct), %ld not audited", measurements, audits,
            distinct, unmatched);
    long published = sql(w, "SELECT count(*) FROM scoring.event_log WHERE type = 'ScorePublished'");
    long told = sql(w, "SELECT count(*) FROM notify.entry WHERE kind = 'score_published'");
    long untold =
        sql(w, "SELECT count(*) FROM (SELECT 'score:HN.HADONG.PHULAM:2023:hanoi-ward:' || "
               "seq FROM scoring.event_log WHERE type = 'ScorePublished' EXCEPT SELECT "
               "dedupe FROM notify.entry WHERE person_id = 'P00121' AND kind = "
               "'score_published') u");
    verdict(w, published > 0 && told == published && untold == 0,
            "every published score told to the ward's head once",
            "%ld ScorePublished, %ld feed entries, %ld not told", published, told, untold);
}

/* ---- deadlines ---- */

typedef struct {
    int64_t occurrence;
    char level[16];
} step_t;

static int step_cmp(const void *a, const void *b)
{
    const step_t *x = a, *y = b;
    if (x->occurrence != y->occurrence)
        return x->occurrence < y->occurrence ? -1 : 1;
    return strcmp(x->level, y->level);
}

static const char *level_name(int level)
{
    static const char *const names[] = {"long_term", "due_soon",  "due",
                                        "overdue",   "escalated", "stale"};
    return level >= 0 && level <= 5 ? names[level] : "?";
}

/* Loads (occurrence, level) pairs; returns how many (-1 on failure). */
static long load_steps(PGconn *conn, const char *query, bool from_events, step_t **out)
{
    PGresult *res = PQexecParams(conn, query, 0, NULL, NULL, NULL, NULL, from_events ? 1 : 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "chaos: %s: %s\n", query, PQerrorMessage(conn));
        PQclear(res);
        return -1;
    }
    long n = PQntuples(res), k = 0;
    step_t *s = calloc((size_t)n + 1, sizeof *s);
    for (long r = 0; s && r < n; r++) {
        if (from_events) {
            Partrack__DueTransition *t =
                partrack__due_transition__unpack(NULL, (size_t)PQgetlength(res, (int)r, 0),
                                                 (const uint8_t *)PQgetvalue(res, (int)r, 0));
            if (!t)
                continue;
            s[k].occurrence = t->occurrence_id;
            snprintf(s[k].level, sizeof s[k].level, "%s", t->level);
            partrack__due_transition__free_unpacked(t, NULL);
        } else {
            s[k].occurrence = strtoll(PQgetvalue(res, (int)r, 0), NULL, 10);
            snprintf(s[k].level, sizeof s[k].level, "%s",
                     level_name(atoi(PQgetvalue(res, (int)r, 1))));
        }
        k++;
    }
    PQclear(res);
    qsort(s, (size_t)k, sizeof *s, step_cmp);
    *out = s;
    return k;
}

static long repeats(const step_t *s, long n)
{
    long r = 0;
    for (long k = 1; k < n; k++)
        r += step_cmp(&s[k - 1], &s[k]) == 0;
    return r;
}

/* Pairs of a not in b (both sorted). */
static long missing_from(const step_t *a, long na, const step_t *b, long nb)
{
    long miss = 0;
    for (long i = 0, j = 0; i < na; i++) {
        while (j < nb && step_cmp(&b[j], &a[i]) < 0)
            j++;
        miss += !(j < nb && step_cmp(&b[j], &a[i]) == 0);
    }
    return miss;
}

static void check_transitions(chaos_t *w)
{
    PGconn *conn = harness_pg(w->db);
    step_t *events = NULL, *rows = NULL, *told = NULL;
    long ne = load_steps(
        conn, "SELECT payload FROM deadline.event_log WHERE type = 'DueTransition'", true, &events);
    long nr =
        load_steps(conn, "SELECT occurrence_id, level FROM deadline.transition", false, &rows);
    /* Feed entries about an occurrence's level: "occ:ID:LEVEL". */
    PGresult *res = PQexec(conn, "SELECT DISTINCT dedupe FROM notify.entry WHERE dedupe ~ "
                                 "'^occ:[0-9]+:[a-z_]+$'");
    long nt = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) : -1;
    told = calloc((size_t)(nt > 0 ? nt : 1), sizeof *told);
    for (long r = 0; told && r < nt; r++) {
        long long occ;
        char level[16];
        if (sscanf(PQgetvalue(res, (int)r, 0), "occ:%lld:%15s", &occ, level) == 2) {
            told[r].occurrence = occ;
            snprintf(told[r].level, sizeof told[r].level, "%s", level);
        }
    }
    PQclear(res);
    if (told && nt > 0)
        qsort(told, (size_t)nt, sizeof *told, step_cmp);
    bool loaded = ne >= 0 && nr >= 0 && nt >= 0 && events && rows && told;
    long ev_twice = loaded ? repeats(events, ne) : -1, rows_twice = loaded ? repeats(rows, nr) : -1;
    long unrecorded = loaded ? missing_from(events, ne, rows, nr) : -1;
    long unemitted = loaded ? missing_from(rows, nr, events, ne) : -1;
    long untold = loaded ? missing_from(events, ne, told, nt) : -1;
    long unfounded = loaded ? missing_from(told, nt, events, ne) : -1;
    verdict(w, loaded && ne > 0 && ev_twice == 0 && rows_twice == 0,
            "each deadline transition emitted once",
            "%ld DueTransition events, %ld recorded transitions: %ld (occurrence, level) emitted "
            "twice, %ld recorded twice",
            ne, nr, ev_twice, rows_twice);
    verdict(w, loaded && unrecorded == 0 && unemitted == 0 && untold == 0 && unfounded == 0,
            "every transition recorded, emitted and told",
            "%ld events not recorded, %ld recorded not emitted, %ld not in any feed, %ld feed "
            "subjects of no event",
            unrecorded, unemitted, untold, unfounded);
    free(events);
    free(rows);
    free(told);
    /* The tasks whose due dates the clock crossed: every level once. */
    char ids[CHAOS_DEADLINE_TASKS * 24 + 8];
    size_t used = (size_t)snprintf(ids, sizeof ids, "{");
    for (int k = 0; k < CHAOS_DEADLINE_TASKS; k++)
        used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%lld", k ? "," : "",
                                 (long long)w->deadline_tasks[k]);
    snprintf(ids + used, sizeof ids - used, "}");
    const char *p[] = {ids};
    res = PQexecParams(
        conn,
        "SELECT count(*), count(*) FILTER (WHERE level = 4), count(*) FILTER (WHERE level = 3 AND "
        "acked_level >= 2), count(*) FILTER (WHERE state <> 'open' OR level NOT IN (3, 4) OR "
        "(level = 3 AND acked_level < 2) OR (SELECT count(*) FROM deadline.transition x WHERE "
        "x.occurrence_id = o.id) <> level OR (SELECT count(DISTINCT x.level) FROM "
        "deadline.transition x WHERE x.occurrence_id = o.id AND x.level BETWEEN 1 AND o.level) "
        "<> level OR (next_at IS NOT NULL AND next_at <= (SELECT now FROM deadline.clock))), "
        "(SELECT count(*) FROM deadline.task WHERE task_id = ANY($1::bigint[])) FROM "
        "deadline.occurrence o WHERE task_id = ANY($1::bigint[]) AND kind = 'due'",
        1, NULL, p, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    long occ = ok ? atol(PQgetvalue(res, 0, 0)) : -1,
         escalated = ok ? atol(PQgetvalue(res, 0, 1)) : -1,
         stopped = ok ? atol(PQgetvalue(res, 0, 2)) : -1,
         wrong = ok ? atol(PQgetvalue(res, 0, 3)) : -1,
         tasks = ok ? atol(PQgetvalue(res, 0, 4)) : -1;
    PQclear(res);
    verdict(w,
            ok && tasks == CHAOS_DEADLINE_TASKS && occ >= CHAOS_DEADLINE_TASKS && wrong == 0 &&
                escalated > 0,
            "crossed due dates went through every level once",
            "%ld tasks, %ld occurrences: %ld escalated, %ld stopped at overdue by an "
            "acknowledgement, %ld otherwise (a level missing, twice, or left behind)",
            tasks, occ, escalated, stopped, wrong);
    PQfinish(conn);
}

/* Consultations: each unanswered one deemed agreed once, and both units'
 * heads told; none of the answered. */
static void check_consultations(chaos_t *w)
{
    PGconn *conn = harness_pg(w->db);
    PGresult *res = PQexecParams(conn,
                                 "SELECT payload FROM deadline.event_log WHERE type = "
                                 "'ConsultationDeemedAgreed'",
                                 0, NULL, NULL, NULL, NULL, 1);
    int deemed[CHAOS_CONSULTATIONS] = {0};
    long strays = 0, events = PQntuples(res);
    for (int r = 0; r < PQntuples(res); r++) {
        Partrack__ConsultationDeemedAgreed *d = partrack__consultation_deemed_agreed__unpack(
            NULL, (size_t)PQgetlength(res, r, 0), (const uint8_t *)PQgetvalue(res, r, 0));
        int k = 0;
        while (d && k < CHAOS_CONSULTATIONS && w->consultations[k] != d->id)
            k++;
        if (d && k < CHAOS_CONSULTATIONS)
            deemed[k]++;
        else
            strays++;
        if (d)
            partrack__consultation_deemed_agreed__free_unpacked(d, NULL);
    }
    PQclear(res);
    PQfinish(conn);
    long once = 0, answered_deemed = 0, wrong = 0, untold = 0;
    for (int k = 0; k < CHAOS_CONSULTATIONS; k++) {
        bool answered = k >= CHAOS_CONSULTATIONS - CHAOS_ANSWERED;
        if (answered)
            answered_deemed += deemed[k] != 0;
        else if (deemed[k] == 1)
            once++;
        else
            wrong++;
        char q[256];
        snprintf(q, sizeof q,
                 "SELECT count(*) FROM notify.entry WHERE dedupe = 'consult:%lld:deemed' AND "
                 "person_id IN ('P00124', 'P00127')",
                 (long long)w->consultations[k]);
        long told = sql(w, q);
        untold += answered ? told != 0 : told != 2;
    }
    verdict(w,
            once == CHAOS_CONSULTATIONS - CHAOS_ANSWERED && answered_deemed == 0 && wrong == 0 &&
                strays == 0 && untold == 0,
            "each consultation deemed agreed once, or answered",
            "%d consultations, %d answered: %ld deemed agreed once, %ld not once, %ld answered "
            "ones deemed, %ld events of no consultation (%ld in all), %ld not told to both heads "
            "as they should be",
            CHAOS_CONSULTATIONS, CHAOS_ANSWERED, once, wrong, answered_deemed, strays, events,
            untold);
}

/* ---- readers and services ---- */

static void check_readers(chaos_t *w)
{
    for (int k = 0; k < w->readers.n; k++) {
        chaos_reader_t *r = &w->readers.r[k];
        char q[256], what[64];
        snprintf(
            q, sizeof q,
            "SELECT coalesce((SELECT last_seq FROM notify.feed_head WHERE person_id = '%s'), 0)",
            r->person);
        long head = sql(w, q);
        snprintf(what, sizeof what, "reader %s read its feed in order, to the end", r->person);
        verdict(w, r->gaps == 0 && (long)r->last == head && head > 0, what,
                "%ld entries of %ld, %ld out of order%s%s, %ld sent again; %ld asks, %ld new "
                "connections; %ld acknowledgements (%ld refused while the deadline service or "
                "the database was away, %ld unanswered), %ld escalations stopped; %ld other "
                "replies or failed sends",
                r->entries, head, r->gaps, r->gaps ? ": " : "", r->first_gap, r->redelivered,
                r->asks, r->reconnects, r->acks_ok, r->acks_refused, r->acks_lost,
                r->escalations_stopped, r->errors);
    }
}

/* Each service alive, answering a ping and a real request. */
static void check_services(chaos_t *w)
{
    harness_service_t *all[] = {&w->registry, &w->deadline, &w->notify, &w->scoring};
    char details[512] = "";
    size_t used = 0;
    bool ok = true;
    for (int k = 0; k < 4; k++) {
        harness_service_t *s = all[k];
        int status;
        bool alive = s->pid > 0 && waitpid(s->pid, &status, WNOHANG) == 0;
        harness_run_t r;
        int rc = -1;
        const char *pk = s->endpoint;
        if (k == 0)
            rc = harness_cli(&r, pk, "--timeout", "10", "unit", "show", "HN.HADONG.PHULAM", NULL);
        else if (k == 1)
            rc = harness_cli(&r, w->registry.endpoint, "--deadline", pk, "--timeout", "10", "due",
                             "--unit", "HN.HADONG.PHULAM.MC", NULL);
        else if (k == 2)
            rc = harness_cli(&r, w->registry.endpoint, "--notify", pk, "--timeout", "10", "person",
                             "digest", "P00127", NULL);
        else
            rc = harness_cli(&r, w->registry.endpoint, "--scoring", pk, "--timeout", "10", "score",
                             "show", "--year", "2023", "--unit", "HN.HADONG.PHULAM", NULL);
        harness_run_free(&r);
        harness_run_t pr;
        int ping = harness_cli(&pr, s->endpoint, "--timeout", "10", "ping", NULL);
        harness_run_free(&pr);
        ok = ok && alive && rc == 0 && ping == 0;
        used += (size_t)snprintf(details + used, sizeof details - used, "%s%s %s", k ? ", " : "",
                                 s->name,
                                 !alive                 ? "DEAD"
                                 : rc != 0 || ping != 0 ? "NOT ANSWERING"
                                                        : "serving");
    }
    verdict(w, ok, "every service back to serving", "%s (a real request and a ping each)", details);
    verdict(
        w, w->bad.unexpected == 0, "malformed traffic answered as it should be",
        "%ld sent: %ld answered with the right error, %ld dropped or refused, %ld otherwise%s%s",
        w->bad.frames, w->bad.answered, w->bad.silent, w->bad.unexpected,
        w->bad.unexpected ? "; first: " : "", w->bad.first_unexpected);
}

int chaos_check_all(chaos_t *w)
{
    failed_checks = 0;
    /* Fresh statistics: the tables grew under load faster than autovacuum
     * looks, and a plan made for empty tables can take minutes. */
    PGconn *conn = harness_pg(w->db);
    PQclear(PQexec(conn, "ANALYZE"));
    PQfinish(conn);
    check_publisher(w);
    check_updates(w);
    check_measurements(w);
    check_stored_keys(w);
    check_requests(w);
    check_event_logs(w);
    check_effects(w);
    check_transitions(w);
    check_consultations(w);
    check_readers(w);
    check_services(w);
    return failed_checks;
}
