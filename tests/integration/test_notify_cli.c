/* test_notify_cli.c - `partrack person key`, `follow`, `feed` and `feed ack`
 * against the real notify service
 *
 * The real registry, deadline service (manual clock) and notify service on
 * one fresh database with the sample city and a plan of Phú Lãm, as in
 * test_notify_feeds.c; every command is the real `partrack` binary. A
 * person's key file is private (0600) and names the feed; the feed shows
 * that person's entries, in order, numbered 1..n, from --since on, as text
 * or JSON lines, in pages when there are more than one credit's worth, and
 * live with --follow (across a restart of the service) until SIGINT. A follower gets the followed
 * unit's news. Acknowledging an overdue alert stops its escalation in the deadline service. A
 * replaced key is refused at once (exit 3); one person's key never shows another's entries; an
 * unknown person gets no key.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static harness_service_t registry, deadline, notify;
static char db[64], dir[64];
static pid_t follower; /* a `feed --follow` still running, stopped at the end */

static const char plan[] = "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
                           "1\tTổ chức đối thoại với cá nhân, tổ chức về TTHC\tBộ phận Một "
                           "cửa\ttrước ngày 01/7/2024\n"
                           "2\tRà soát thủ tục hành chính\tVăn phòng UBND\ttrước ngày 20/7/2024\n";

/* The CLI with every service's endpoint, then the arguments. */
#define CLI(r, ...)                                                                                \
    harness_cli(r, registry.endpoint, "--deadline", deadline.endpoint, "--notify",                 \
                notify.endpoint, __VA_ARGS__, NULL)

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

/* A path in the test's directory. */
static const char *in_dir(const char *name)
{
    return harness_path(dir, name);
}

static void clock_set(const char *when)
{
    harness_run_t r;
    int rc = CLI(&r, "clock", "set", when);
    cr_assert_eq(rc, 0, "clock set %s: %s", when, r.err);
    harness_run_free(&r);
}

/* Waits until `query` (a count) reaches n. */
static void wait_for(const char *query, long n)
{
    for (int i = 0; i < harness_scale(500) && sql(query) < n; i++)
        usleep(20000);
    cr_assert_eq(sql(query), n, "%s", query);
}

static long entries_of(const char *person)
{
    char query[160];
    snprintf(query, sizeof query, "SELECT count(*) FROM notify.entry WHERE person_id = '%s'",
             person);
    return sql(query);
}

/* `partrack person key ID --key-file DIR/NAME`; returns the path. */
static const char *make_key(const char *person, const char *name)
{
    const char *path = in_dir(name);
    harness_run_t r;
    int rc = CLI(&r, "person", "key", person, "--key-file", path);
    cr_assert_eq(rc, 0, "person key %s: %s", person, r.err);
    harness_run_free(&r);
    return path;
}

/* `partrack feed --key PATH --json [--since N]`: the lines parsed into a
 * JSON array (caller decrefs); stderr into *err (caller frees) if wanted. */
static json_t *feed_json(const char *key, const char *since, char **err)
{
    harness_run_t r;
    int rc = since ? CLI(&r, "feed", "--key", key, "--json", "--since", since)
                   : CLI(&r, "feed", "--key", key, "--json");
    cr_assert_eq(rc, 0, "feed: %s", r.err);
    json_t *list = json_array();
    char *save = NULL;
    for (char *line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_error_t error;
        json_t *o = json_loads(line, 0, &error);
        cr_assert_not_null(o, "not a JSON line: %s (%s)", line, error.text);
        cr_assert(json_is_object(o));
        json_array_append_new(list, o);
    }
    if (err) {
        *err = r.err;
        r.err = NULL;
    }
    harness_run_free(&r);
    return list;
}

static long long jint(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void start(void)
{
    snprintf(db, sizeof db, "notify_cli_%d", (int)getpid());
    snprintf(dir, sizeof dir, "/tmp/partrack-notify-cli-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
    cr_assert_eq(harness_deadline_start(&deadline, db, "PARTRACK_DEADLINE_CLOCK=manual",
                                        "PARTRACK_DEADLINE_POLL_MS=50", NULL),
                 0, "deadline service did not start");
    char reg[128], dl[128], dle[128];
    snprintf(reg, sizeof reg, "PARTRACK_REGISTRY_EVENTS=%s", registry.events);
    snprintf(dl, sizeof dl, "PARTRACK_DEADLINE_EVENTS=%s", deadline.events);
    snprintf(dle, sizeof dle, "PARTRACK_DEADLINE_ENDPOINT=%s", deadline.endpoint);
    /* Daily digests are looked for at the start and then once an hour, not
     * every minute: none of these tests is about them, and a digest written
     * into a feed while a test compares it with what it read (a test taking
     * over a minute, as under valgrind) would fail it. */
    cr_assert_eq(harness_notify_start(&notify, db, reg, dl, dle, "PARTRACK_NOTIFY_POLL_MS=50",
                                      "PARTRACK_DIGEST_CHECK_SECONDS=3600", NULL),
                 0, "notify did not start (log %s)", notify.log);
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "unit", "import",
                         harness_source("deploy/sample/units.csv"),
                         harness_source("deploy/sample/people.csv"), NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    clock_set("2024-06-01");
    const char *file = harness_write_temp("notify-cli-plan.tsv", plan, strlen(plan));
    rc = harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", "HN.HADONG.PHULAM",
                     "--year", "2024", "--number", "104/KH-UBND", "--title", "Kế hoạch CCHC 2024",
                     NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    wait_for("SELECT count(*) FROM deadline.task", 2);
    /* The heads of the lead units hear of the new tasks. */
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'assigned'", 2);
}

static void stop(void)
{
    if (follower > 0) {
        kill(follower, SIGKILL);
        waitpid(follower, NULL, 0);
    }
    harness_service_stop(&notify, SIGTERM);
    harness_service_stop(&deadline, SIGTERM);
    harness_service_stop(&registry, SIGTERM);
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(notify_cli, .init = start, .fini = stop, .timeout = 150);

Test(notify_cli, person_key_writes_a_private_key_file)
{
    const char *path = in_dir("giang.key");
    harness_run_t r;
    int rc = CLI(&r, "person", "key", "P00127", "--key-file", path);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "only copy"), "%s", r.out);
    cr_assert(strstr(r.out, "no longer works"), "%s", r.out);
    harness_run_free(&r);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
    size_t len;
    char *text = NULL;
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    text = calloc(1, 4096);
    len = fread(text, 1, 4095, f);
    fclose(f);
    cr_assert(len > 0);
    cr_assert(strstr(text, "Ngô Đức Giang"), "the person's name: %s", text);
    cr_assert(strstr(text, notify.feed), "the feed endpoint %s: %s", notify.feed, text);
    cr_assert(strstr(text, "server-key"), "%s", text);
    cr_assert(strstr(text, "secret-key"), "%s", text);
    free(text);
    cr_assert_eq(sql("SELECT count(*) FROM notify.person_key WHERE person_id = 'P00127'"), 1);
    /* An existing path is refused before anything is sent: the key stays. */
    long before = sql("SELECT extract(epoch FROM created_at) * 1000000 FROM notify.person_key "
                      "WHERE person_id = 'P00127'");
    rc = CLI(&r, "person", "key", "P00127", "--key-file", path);
    cr_assert_eq(rc, 2, "%s", r.err);
    cr_assert(strstr(r.err, "never overwritten"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT extract(epoch FROM created_at) * 1000000 FROM notify.person_key "
                     "WHERE person_id = 'P00127'"),
                 before);
    /* --json. */
    rc = CLI(&r, "person", "key", "P00124", "--key-file", in_dir("loan.key"), "--json");
    cr_assert_eq(rc, 0, "%s", r.err);
    json_error_t error;
    json_t *o = json_loads(r.out, 0, &error);
    cr_assert_not_null(o, "%s", r.out);
    cr_assert_str_eq(jstr(o, "person_id"), "P00124");
    cr_assert_str_eq(jstr(o, "name"), "Lê Thu Loan");
    cr_assert_str_eq(jstr(o, "feed_endpoint"), notify.feed);
    cr_assert_eq(strlen(jstr(o, "server_key")), 40);
    json_decref(o);
    harness_run_free(&r);
}

Test(notify_cli, an_unknown_person_gets_no_key)
{
    const char *path = in_dir("nobody.key");
    harness_run_t r;
    int rc = CLI(&r, "person", "key", "P99999", "--key-file", path);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, "P99999"), "%s", r.err);
    harness_run_free(&r);
    struct stat st;
    cr_assert_neq(stat(path, &st), 0, "no key file");
    cr_assert_eq(sql("SELECT count(*) FROM notify.person_key"), 0);
    /* Nor can an unknown person follow, or anyone follow an unknown unit. */
    rc = CLI(&r, "follow", "HN.HADONG.PHULAM.MC", "--person", "P99999");
    cr_assert_eq(rc, 1, "%s", r.err);
    harness_run_free(&r);
    rc = CLI(&r, "follow", "HN.NOWHERE", "--person", "P00131");
    cr_assert_eq(rc, 1, "%s", r.err);
    harness_run_free(&r);
}

Test(notify_cli, the_feed_shows_the_entries_in_order)
{
    /* 25/6: task 1 (due Monday 1/7) is due soon for everyone of the one-stop
     * section: its head (P00127) has assigned, due_soon. */
    clock_set("2024-06-25T09:00");
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'due_soon' AND person_id = 'P00127'",
             1);
    const char *key = make_key("P00127", "giang.key");
    long n = entries_of("P00127");
    cr_assert_geq(n, 2);
    /* Text: #1, #2... in order, times dd/mm/yyyy HH:MM. */
    harness_run_t r;
    int rc = CLI(&r, "feed", "--key", key);
    cr_assert_eq(rc, 0, "%s", r.err);
    char *at = r.out;
    for (long seq = 1; seq <= n; seq++) {
        char head[32];
        snprintf(head, sizeof head, "#%ld  ", seq);
        cr_assert_eq(strncmp(at, head, strlen(head)), 0, "entry %ld at: %s", seq, at);
        /* "dd/mm/yyyy HH:MM" after the number. */
        const char *when = at + strlen(head);
        cr_assert(when[2] == '/' && when[5] == '/' && when[10] == ' ' && when[13] == ':', "%s",
                  when);
        at = strchr(at, '\n');
        cr_assert_not_null(at);
        at++;
    }
    cr_assert_eq(*at, '\0', "nothing more: %s", at);
    cr_assert(strstr(r.out, "  assigned  "), "%s", r.out);
    cr_assert(strstr(r.out, "  due_soon  "), "%s", r.out);
    char next[64];
    snprintf(next, sizeof next, "next time: --since %ld", n);
    cr_assert(strstr(r.err, next), "%s", r.err);
    harness_run_free(&r);
    /* JSON lines: every field, seq 1..n, the same as the table. */
    json_t *list = feed_json(key, NULL, NULL);
    cr_assert_eq((long)json_array_size(list), n);
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *o = json_array_get(list, i);
        cr_assert_eq(jint(o, "seq"), (long long)i + 1);
        const char *fields[] = {"seq",   "kind",    "text",      "created_at", "occurrence_id",
                                "level", "task_id", "unit_code", "acked"};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
            cr_assert(json_object_get(o, fields[f]), "field %s", fields[f]);
        cr_assert(json_is_false(json_object_get(o, "acked")));
        char query[512];
        snprintf(query, sizeof query,
                 "SELECT count(*) FROM notify.entry WHERE person_id = 'P00127' AND seq = %zu AND "
                 "kind = '%s' AND task_id = %lld",
                 i + 1, jstr(o, "kind"), jint(o, "task_id"));
        cr_assert_eq(sql(query), 1, "%s", query);
    }
    cr_assert_str_eq(jstr(json_array_get(list, 0), "kind"), "assigned");
    json_decref(list);
    /* --since skips what the reader has. */
    char since[24];
    snprintf(since, sizeof since, "%ld", n - 1);
    list = feed_json(key, since, NULL);
    cr_assert_eq(json_array_size(list), 1);
    cr_assert_eq(jint(json_array_get(list, 0), "seq"), n);
    json_decref(list);
    char *err = NULL;
    snprintf(since, sizeof since, "%ld", n);
    list = feed_json(key, since, &err);
    cr_assert_eq(json_array_size(list), 0);
    cr_assert(strstr(err, next), "%s", err);
    free(err);
    json_decref(list);
}

Test(notify_cli, a_long_feed_comes_in_pages_and_stops_at_the_limit)
{
    /* 2,500 entries for a person of another ward (more than two credits). */
    PGconn *pg = harness_pg(db);
    PGresult *res = PQexec(
        pg, "INSERT INTO notify.entry (person_id, seq, kind, dedupe, source, text) SELECT "
            "'P00139', g, 'recomputed', 'test:' || g, 'test:' || g, 'Mục thử ' || g FROM "
            "generate_series(1, 2500) g; INSERT INTO notify.feed_head VALUES ('P00139', 2500)");
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(pg));
    PQclear(res);
    PQfinish(pg);
    const char *key = make_key("P00139", "khanh.key");
    json_t *list = feed_json(key, NULL, NULL);
    cr_assert_eq(json_array_size(list), 2500);
    for (size_t i = 0; i < json_array_size(list); i++)
        cr_assert_eq(jint(json_array_get(list, i), "seq"), (long long)i + 1);
    json_decref(list);
    harness_run_t r;
    int rc = CLI(&r, "feed", "--key", key, "--since", "100", "--limit", "1500");
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert_eq(strncmp(r.out, "#101  ", 6), 0, "%.40s", r.out);
    long lines = 0;
    for (const char *c = r.out; *c; c++)
        lines += *c == '\n';
    cr_assert_eq(lines, 1500);
    cr_assert(strstr(r.out, "\n#1600  "), "the last one");
    cr_assert(strstr(r.err, "next time: --since 1600"), "%s", r.err);
    harness_run_free(&r);
}

Test(notify_cli, a_follower_gets_the_units_news)
{
    /* The head of the culture section follows the one-stop section. */
    harness_run_t r;
    int rc = CLI(&r, "follow", "HN.HADONG.PHULAM.MC", "--person", "P00131");
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "HN.HADONG.PHULAM.MC"), "%s", r.out);
    harness_run_free(&r);
    rc = CLI(&r, "follow", "HN.HADONG.PHULAM.TPHT", "--person", "P00131", "--json");
    cr_assert_eq(rc, 0, "%s", r.err);
    json_error_t error;
    json_t *o = json_loads(r.out, 0, &error);
    cr_assert_not_null(o, "%s", r.out);
    cr_assert_eq(json_array_size(json_object_get(o, "units")), 2, "%s", r.out);
    json_decref(o);
    harness_run_free(&r);
    rc = CLI(&r, "follow", "HN.HADONG.PHULAM.TPHT", "--person", "P00131", "--stop");
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "follows 1 unit"), "%s", r.out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM notify.follow WHERE person_id = 'P00131'"), 1);
    /* 25/6: task 1 of the one-stop section is due soon: the follower hears. */
    const char *key = make_key("P00131", "thai.key");
    clock_set("2024-06-25T09:00");
    wait_for("SELECT count(*) FROM notify.entry WHERE person_id = 'P00131'", 1);
    json_t *list = feed_json(key, NULL, NULL);
    cr_assert_eq(json_array_size(list), 1);
    o = json_array_get(list, 0);
    cr_assert_str_eq(jstr(o, "kind"), "due_soon");
    cr_assert_str_eq(jstr(o, "unit_code"), "HN.HADONG.PHULAM.MC");
    cr_assert(strstr(jstr(o, "text"), "Tổ chức đối thoại"), "%s", jstr(o, "text"));
    json_decref(list);
}

Test(notify_cli, acknowledging_an_overdue_alert_stops_its_escalation)
{
    const char *key = make_key("P00127", "giang.key");
    /* 2/7 09:00: task 1 (due 1/7) is due, then overdue. */
    clock_set("2024-07-02T09:00");
    wait_for("SELECT count(*) FROM notify.entry WHERE person_id = 'P00127' AND kind = 'overdue'",
             1);
    long n = entries_of("P00127");
    char seq[24];
    snprintf(seq, sizeof seq, "%ld", n);
    harness_run_t r;
    int rc = CLI(&r, "feed", "ack", "--key", key, seq, "--json");
    cr_assert_eq(rc, 0, "%s", r.err);
    json_error_t error;
    json_t *o = json_loads(r.out, 0, &error);
    cr_assert_not_null(o, "%s", r.out);
    cr_assert_eq(jint(o, "seq"), n);
    cr_assert_eq(jint(o, "acknowledged"), n);
    cr_assert_geq(jint(o, "escalations_stopped"), 1, "%s", r.out);
    json_decref(o);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE person_id = 'P00127' AND acked_at "
                     "IS NULL"),
                 0);
    cr_assert_geq(sql("SELECT min(o.acked_level) FROM deadline.occurrence o JOIN registry.task rt "
                      "ON rt.id = o.task_id WHERE rt.ordinal = '1'"),
                  3, "the deadline service holds the acknowledgement");
    /* Again: nothing new to acknowledge. */
    rc = CLI(&r, "feed", "ack", "--key", key, seq);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "0 newly"), "%s", r.out);
    harness_run_free(&r);
    /* The feed marks them read. */
    json_t *list = feed_json(key, NULL, NULL);
    cr_assert_eq((long)json_array_size(list), n);
    for (size_t i = 0; i < json_array_size(list); i++)
        cr_assert(json_is_true(json_object_get(json_array_get(list, i), "acked")));
    json_decref(list);
    rc = CLI(&r, "feed", "--key", key);
    cr_assert(strstr(r.out, "✓ "), "%s", r.out);
    harness_run_free(&r);
    /* 15/7: past the escalation of task 1 (5/7), and task 2 (due 19/7) is
     * due soon for the ward office: the sweep went by; task 1 was not
     * escalated. */
    clock_set("2024-07-15T09:00");
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'due_soon' AND person_id = 'P00124' "
             "AND task_id = (SELECT id FROM registry.task WHERE ordinal = '2')",
             1);
    harness_pause(300);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind = 'escalated'"), 0);
    cr_assert_eq(sql("SELECT max(o.level) FROM deadline.occurrence o JOIN registry.task rt ON "
                     "rt.id = o.task_id WHERE rt.ordinal = '1'"),
                 3, "task 1 stays overdue, not escalated");
}

Test(notify_cli, a_replaced_key_is_refused_at_once)
{
    const char *old_key = make_key("P00127", "old.key");
    const char *new_key = make_key("P00127", "new.key");
    harness_run_t r;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = CLI(&r, "feed", "--key", old_key);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert_eq(rc, 3, "%s", r.err);
    cr_assert(strstr(r.err, "the feed refused this key: unknown, or replaced by a newer"), "%s",
              r.err);
    cr_assert_eq(r.out[0], '\0', "%s", r.out);
    cr_assert_lt(t1.tv_sec - t0.tv_sec, harness_scale(10),
                 "refused at the handshake, not after a timeout");
    harness_run_free(&r);
    rc = CLI(&r, "feed", "ack", "--key", old_key, "1");
    cr_assert_eq(rc, 3, "%s", r.err);
    cr_assert(strstr(r.err, "refused this key"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE acked_at IS NOT NULL"), 0);
    rc = CLI(&r, "feed", "--key", new_key);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert_eq(strncmp(r.out, "#1  ", 4), 0, "%s", r.out);
    harness_run_free(&r);
}

Test(notify_cli, one_persons_key_never_shows_anothers_entries)
{
    /* 5/7: the section's head has assigned, due_soon, due, overdue; the
     * ward's chairman only the escalation. */
    clock_set("2024-07-05T09:00");
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'escalated' AND person_id = 'P00121'",
             1);
    const char *chairman = make_key("P00121", "hung.key");
    const char *head = make_key("P00127", "giang.key");
    json_t *list = feed_json(chairman, NULL, NULL);
    cr_assert_eq((long)json_array_size(list), entries_of("P00121"));
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *o = json_array_get(list, i);
        cr_assert_str_eq(jstr(o, "kind"), "escalated");
        char query[256];
        snprintf(query, sizeof query,
                 "SELECT count(*) FROM notify.entry WHERE person_id = 'P00121' AND seq = %lld "
                 "AND kind = 'escalated'",
                 jint(o, "seq"));
        cr_assert_eq(sql(query), 1);
    }
    json_decref(list);
    list = feed_json(head, NULL, NULL);
    cr_assert_eq((long)json_array_size(list), entries_of("P00127"));
    for (size_t i = 0; i < json_array_size(list); i++)
        cr_assert_str_neq(jstr(json_array_get(list, i), "kind"), "escalated");
    json_decref(list);
    /* Acknowledging with one key touches only its own feed. */
    harness_run_t r;
    int rc = CLI(&r, "feed", "ack", "--key", chairman, "100");
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE acked_at IS NOT NULL AND person_id "
                     "<> 'P00121'"),
                 0);
}

/* Lines in a file. */
static long file_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    long n = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        n += c == '\n';
    fclose(f);
    return n;
}

Test(notify_cli, follow_shows_new_entries_until_interrupted)
{
    const char *key = make_key("P00127", "giang.key");
    long before = entries_of("P00127");
    const char *out = in_dir("follow.out"), *err = in_dir("follow.err");
    pid_t pid = follower = harness_cli_spawn(registry.endpoint, out, err, "feed", "--key", key,
                                             "--follow", "--json", NULL);
    for (int i = 0; i < harness_scale(250) && file_lines(out) < before; i++)
        usleep(20000);
    cr_assert_eq(file_lines(out), before, "the stored entries first");
    /* The service restarts: the command reconnects and asks again. */
    harness_service_stop(&notify, SIGTERM);
    cr_assert_eq(harness_service_restart(&notify), 0, "notify did not restart");
    /* New entries arrive while it follows. */
    clock_set("2024-07-02T09:00");
    wait_for("SELECT count(*) FROM notify.entry WHERE person_id = 'P00127' AND kind = 'overdue'",
             1);
    long after = entries_of("P00127");
    cr_assert_gt(after, before);
    for (int i = 0; i < harness_scale(250) && file_lines(out) < after; i++)
        usleep(20000);
    cr_assert_eq(file_lines(out), after, "the new ones, live");
    kill(pid, SIGINT);
    int status = 0;
    for (int i = 0; i < harness_scale(250) && waitpid(pid, &status, WNOHANG) == 0; i++)
        usleep(20000);
    cr_assert(WIFEXITED(status), "ended by itself after SIGINT");
    follower = 0;
    cr_assert_eq(WEXITSTATUS(status), 0);
    FILE *f = fopen(err, "r");
    char text[1024] = "";
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    char next[64];
    snprintf(next, sizeof next, "next time: --since %ld", after);
    cr_assert(strstr(text, next), "%s", text);
}
