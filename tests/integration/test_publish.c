/* test_publish.c - `partrack publish` and the publish library against the
 * real registry
 *
 * A fresh database with the sample city and a small plan of Phú Lãm; each
 * publisher registered with the real `partrack publisher add`, whose key
 * file carries the ingest endpoint and the server key. The command: a file
 * of task updates and a measurement stored, then sent again as duplicates
 * with nothing stored twice (also as --json); a line out of scope refused
 * while the others are stored; a bad file refused whole with nothing sent;
 * a revoked key, an unknown key and a wrong endpoint: nothing sent, exit 3.
 * The library: 5,000 messages through a window of 10 while the registry is
 * stopped (SIGSTOP) for 2 seconds and resumed: each stored exactly once.
 */
#include "harness.h"
#include "ingest.pb-c.h"
#include "keyfile.h"
#include "msg.h"
#include "publish_client.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static harness_service_t registry;
static char db[64], dir[64];

static const char plan[] = "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
                           "1\tTổ chức đối thoại với cá nhân, tổ chức về TTHC\tBộ phận Một "
                           "cửa\ttrước ngày 30/6/2024\n"
                           "2\tRà soát thủ tục hành chính\tVăn phòng UBND\tQuý III/2024\n"
                           "3\tTriển khai phần mềm mới\tVăn phòng UBND\tSau khi Sở Nội vụ triển "
                           "khai\n";

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

static long task_id(const char *ordinal)
{
    char query[256];
    snprintf(query, sizeof query, "SELECT id FROM registry.task WHERE ordinal = '%s'", ordinal);
    return sql(query);
}

/* A path in the test's directory. */
static const char *in_dir(const char *name)
{
    return harness_path(dir, name);
}

static void start(void)
{
    snprintf(db, sizeof db, "publish_%d", (int)getpid());
    snprintf(dir, sizeof dir, "/tmp/partrack-publish-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start (log %s)",
                 registry.log);
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "unit", "import",
                         harness_source("deploy/sample/units.csv"),
                         harness_source("deploy/sample/people.csv"), NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    const char *file = harness_write_temp("publish-plan.tsv", plan, strlen(plan));
    rc = harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", "HN.HADONG.PHULAM",
                     "--year", "2024", "--number", "104/KH-UBND", "--title", "Kế hoạch CCHC 2024",
                     NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
}

static void stop(void)
{
    harness_service_stop(&registry, SIGTERM);
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(publish, .init = start, .fini = stop, .timeout = 180);

/* `partrack publisher add NAME --scope SCOPE --key-file DIR/NAME.key`;
 * returns the key file's path (static buffer). */
static const char *add_publisher(const char *name, const char *scope)
{
    static char path[256];
    char file[80];
    snprintf(file, sizeof file, "%s.key", name);
    snprintf(path, sizeof path, "%s", in_dir(file));
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "publisher", "add", name, "--scope", scope,
                         "--key-file", path, NULL);
    cr_assert_eq(rc, 0, "publisher add %s: %s", name, r.err);
    harness_run_free(&r);
    return path;
}

/* Writes lines to DIR/name; returns its path (static buffer). */
static const char *write_file(const char *name, const char *content)
{
    static char path[256];
    snprintf(path, sizeof path, "%s", in_dir(name));
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(content, f);
    fclose(f);
    return path;
}

/* Three task updates (by id, by plan reference) and a measurement. */
static const char *good_file(void)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"type\":\"task_update\",\"key\":\"mc-1\",\"task_id\":%ld,\"progress\":40,"
             "\"note\":\"Đã tổ chức 1 buổi đối thoại\"}\n"
             "{\"type\":\"task_update\",\"key\":\"mc-2\",\"plan_number\":\"104/KH-UBND\","
             "\"plan_unit\":\"HN.HADONG.PHULAM\",\"ordinal\":\"2\",\"status\":\"done\","
             "\"completed_at\":\"2024-06-28T16:00:00+07:00\",\"evidence\":[\"12/BC-UBND\"]}\n"
             "\n"
             "{\"type\":\"measurement\",\"key\":\"mc-3\",\"unit\":\"HN.HADONG.PHULAM\","
             "\"indicator\":\"dossiers_online_l3\",\"period\":\"2024\",\"numerator\":762,"
             "\"denominator\":4080}\n"
             "{\"type\":\"task_update\",\"key\":\"mc-4\",\"task_id\":%ld,\"progress\":60}\n",
             task_id("1"), task_id("1"));
    return write_file("good.jsonl", text);
}

static int publish(harness_run_t *r, const char *file, const char *key, const char *extra1,
                   const char *extra2)
{
    return harness_cli(r, registry.endpoint, "publish", file, "--key", key, extra1, extra2, NULL);
}

Test(publish, a_file_is_stored_then_sent_again_as_duplicates)
{
    const char *key = add_publisher("phulam-mc", "HN.HADONG.PHULAM");
    char key_path[256];
    snprintf(key_path, sizeof key_path, "%s", key);
    const char *file = good_file();
    char file_path[256];
    snprintf(file_path, sizeof file_path, "%s", file);
    harness_run_t r;
    int rc = publish(&r, file_path, key_path, NULL, NULL);
    cr_assert_eq(rc, 0, "exit %d\n%s\n%s", rc, r.out, r.err);
    char expect[128];
    snprintf(expect, sizeof expect, "line 1: stored (update ");
    cr_assert(strstr(r.out, expect), "%s", r.out);
    snprintf(expect, sizeof expect, ", task %ld)\nline 2: stored (update ", task_id("1"));
    cr_assert(strstr(r.out, expect), "%s", r.out);
    cr_assert(strstr(r.out, "line 4: stored (measurement "), "%s", r.out);
    cr_assert(strstr(r.out, "line 5: stored (update "), "%s", r.out);
    cr_assert_null(strstr(r.out, "line 3:"), "the blank line is no message: %s", r.out);
    /* Results in the file's order. */
    cr_assert_lt(strstr(r.out, "line 1:"), strstr(r.out, "line 2:"));
    cr_assert_lt(strstr(r.out, "line 4:"), strstr(r.out, "line 5:"));
    cr_assert(strstr(r.err, "4 lines: 4 stored, 0 duplicate, 0 refused, 0 failed"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update WHERE actor = 'phulam-mc'"), 3);
    cr_assert_eq(sql("SELECT count(*) FROM registry.measurement WHERE publisher = 'phulam-mc' AND "
                     "numerator = 762 AND denominator = 4080 AND period = '2024'"),
                 1);
    cr_assert_eq(sql("SELECT progress FROM registry.task WHERE ordinal = '1'"), 60);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task WHERE ordinal = '2' AND status = 'done' "
                     "AND completed_at = '2024-06-28 16:00+07'"),
                 1);
    long first_update = sql("SELECT min(id) FROM registry.task_update");

    /* The same file again: every line a duplicate, nothing stored twice. */
    rc = publish(&r, file_path, key_path, NULL, NULL);
    cr_assert_eq(rc, 0, "exit %d\n%s\n%s", rc, r.out, r.err);
    snprintf(expect, sizeof expect, "line 1: duplicate of an earlier send (update %ld, task %ld)",
             first_update, task_id("1"));
    cr_assert(strstr(r.out, expect), "%s", r.out);
    cr_assert(strstr(r.out, "line 4: duplicate of an earlier send (measurement "), "%s", r.out);
    cr_assert(strstr(r.err, "4 lines: 0 stored, 4 duplicate, 0 refused, 0 failed"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update"), 3);
    cr_assert_eq(sql("SELECT count(*) FROM registry.measurement"), 1);

    /* And as JSON: one object a line, nothing else on stdout. */
    rc = publish(&r, file_path, key_path, "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    int lines = 0;
    for (char *save = NULL, *line = strtok_r(r.out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save), lines++) {
        json_error_t error;
        json_t *o = json_loads(line, 0, &error);
        cr_assert_not_null(o, "not JSON: %s", line);
        cr_assert_str_eq(json_string_value(json_object_get(o, "status")), "duplicate", "%s", line);
        cr_assert(json_is_integer(json_object_get(o, "id")), "%s", line);
        cr_assert(json_is_null(json_object_get(o, "code")), "%s", line);
        json_int_t n = json_integer_value(json_object_get(o, "line"));
        cr_assert(n == 1 || n == 2 || n == 4 || n == 5, "%s", line);
        cr_assert_eq(json_is_integer(json_object_get(o, "task_id")), n != 4, "%s", line);
        json_decref(o);
    }
    cr_assert_eq(lines, 4);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update"), 3);
}

Test(publish, a_line_out_of_scope_is_refused_and_the_others_stored)
{
    char key[256], file[256], text[1024];
    snprintf(key, sizeof key, "%s", add_publisher("phulam-vp", "HN.HADONG.PHULAM"));
    snprintf(text, sizeof text,
             "{\"type\":\"task_update\",\"key\":\"s-1\",\"task_id\":%ld,\"progress\":10}\n"
             "{\"type\":\"measurement\",\"key\":\"s-2\",\"unit\":\"HN.TAYHO.BUOI\","
             "\"indicator\":\"dossiers_total\",\"period\":\"2024-Q1\",\"value\":12}\n"
             "{\"type\":\"task_update\",\"key\":\"s-3\",\"task_id\":%ld,\"progress\":20}\n",
             task_id("2"), task_id("3"));
    snprintf(file, sizeof file, "%s", write_file("scope.jsonl", text));
    harness_run_t r;
    int rc = publish(&r, file, key, NULL, NULL);
    cr_assert_eq(rc, 1, "exit %d\n%s\n%s", rc, r.out, r.err);
    cr_assert(strstr(r.out, "line 1: stored (update "), "%s", r.out);
    cr_assert(strstr(r.out, "line 2: refused FORBIDDEN: publisher phulam-vp may not publish for "
                            "unit HN.TAYHO.BUOI"),
              "%s", r.out);
    cr_assert(strstr(r.out, "line 3: stored (update "), "%s", r.out);
    cr_assert(strstr(r.err, "3 lines: 2 stored, 0 duplicate, 1 refused, 0 failed"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update WHERE actor = 'phulam-vp'"), 2);
    cr_assert_eq(sql("SELECT count(*) FROM registry.measurement"), 0);
    /* --json says refused with the code. */
    rc = publish(&r, file, key, "--json", NULL);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(r.out, "\"line\":2,\"key\":\"s-2\",\"status\":\"refused\",\"code\":"
                            "\"FORBIDDEN\""),
              "%s", r.out);
    harness_run_free(&r);
}

Test(publish, a_bad_file_sends_nothing)
{
    char key[256], file[256], text[1024];
    snprintf(key, sizeof key, "%s", add_publisher("phulam-bad", "HN.HADONG.PHULAM"));
    snprintf(text, sizeof text,
             "{\"type\":\"task_update\",\"key\":\"b-1\",\"task_id\":%ld,\"progress\":10}\n"
             "{\"type\":\"task_update\",\"key\":\"b-2\",\"task_id\":%ld,\"progress\":\"half\"}\n"
             "{\"type\":\"task_update\",\"key\":\"b-1\",\"task_id\":%ld,\"progress\":20}\n"
             "{\"type\":\"task_update\",\"key\":\"b-4\",\"task_id\":%ld,\"progres\":20}\n",
             task_id("1"), task_id("2"), task_id("3"), task_id("3"));
    snprintf(file, sizeof file, "%s", write_file("bad.jsonl", text));
    harness_run_t r;
    int rc = publish(&r, file, key, NULL, NULL);
    cr_assert_eq(rc, 2, "exit %d\n%s\n%s", rc, r.out, r.err);
    char expect[512];
    snprintf(expect, sizeof expect,
             "%s:2: progress: must be an integer from 0 to 100, not a string", file);
    cr_assert(strstr(r.err, expect), "%s", r.err);
    snprintf(expect, sizeof expect, "%s:4: progres: unknown field of a task_update", file);
    cr_assert(strstr(r.err, expect), "%s", r.err);
    snprintf(expect, sizeof expect, "%s:3: key: \"b-1\" is the key of line 1 too", file);
    cr_assert(strstr(r.err, expect), "%s", r.err);
    cr_assert(strstr(r.err, "nothing was sent"), "%s", r.err);
    cr_assert_str_eq(r.out, "");
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update"), 0);
    cr_assert_eq(sql("SELECT count(*) FROM registry.request_log WHERE publisher = 'phulam-bad'"),
                 0);
    /* Usage errors: exit 2 too. */
    rc = harness_cli(&r, registry.endpoint, "publish", file, NULL);
    cr_assert_eq(rc, 2);
    harness_run_free(&r);
    rc = publish(&r, file, key, "--window", "0");
    cr_assert_eq(rc, 2);
    harness_run_free(&r);
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

Test(publish, a_revoked_or_unknown_key_or_a_wrong_endpoint_sends_nothing)
{
    char key[256], file[256], text[512];
    snprintf(key, sizeof key, "%s", add_publisher("phulam-old", "HN.HADONG.PHULAM"));
    snprintf(text, sizeof text,
             "{\"type\":\"task_update\",\"key\":\"r-1\",\"task_id\":%ld,\"progress\":10}\n"
             "{\"type\":\"task_update\",\"key\":\"r-2\",\"task_id\":%ld,\"progress\":20}\n",
             task_id("1"), task_id("2"));
    snprintf(file, sizeof file, "%s", write_file("revoked.jsonl", text));
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "publisher", "revoke", "phulam-old", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    int64_t t0 = wall_ms();
    rc = publish(&r, file, key, "--timeout", "4");
    int64_t took = wall_ms() - t0;
    cr_assert_eq(rc, 3, "exit %d\n%s\n%s", rc, r.out, r.err);
    cr_assert_lt(took, 4000 + harness_scale(3000), "took %lld ms", (long long)took);
    cr_assert(strstr(r.err, "unknown or revoked"), "%s", r.err);
    cr_assert(strstr(r.out, "line 1: not "), "%s", r.out);
    harness_run_free(&r);

    /* A key the registry never saw, with the right server key. */
    keyfile_t k, stranger;
    char errbuf[256];
    cr_assert_eq(keyfile_read(key, &k, errbuf, sizeof errbuf), 0, "%s", errbuf);
    stranger = k;
    cr_assert_eq(keyfile_generate(&stranger), 0);
    snprintf(stranger.name, sizeof stranger.name, "stranger");
    const char *stranger_path = in_dir("stranger.key");
    cr_assert_eq(keyfile_write_new(stranger_path, &stranger, errbuf, sizeof errbuf), 0, "%s",
                 errbuf);
    t0 = wall_ms();
    rc = publish(&r, file, stranger_path, "--timeout", "4");
    took = wall_ms() - t0;
    cr_assert_eq(rc, 3, "exit %d\n%s\n%s", rc, r.out, r.err);
    cr_assert_lt(took, 4000 + harness_scale(3000), "took %lld ms", (long long)took);
    cr_assert(strstr(r.err, "unknown or revoked"), "%s", r.err);
    harness_run_free(&r);

    /* The right key, a wrong endpoint (nothing listens): silence, then 3. */
    const char *good = add_publisher("phulam-new", "HN.HADONG.PHULAM");
    snprintf(key, sizeof key, "%s", good);
    t0 = wall_ms();
    rc = harness_cli(&r, registry.endpoint, "publish", file, "--key", key, "--endpoint",
                     "tcp://127.0.0.1:9", "--timeout", "2", NULL);
    took = wall_ms() - t0;
    cr_assert_eq(rc, 3, "exit %d\n%s\n%s", rc, r.out, r.err);
    cr_assert_lt(took, 2000 + harness_scale(3000), "took %lld ms", (long long)took);
    cr_assert(strstr(r.err, "no reply from tcp://127.0.0.1:9 in 2 s"), "%s", r.err);
    cr_assert(strstr(r.out, "line 1: not confirmed: no reply in 2 s"), "%s", r.out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update"), 0);
}

/* Stops the registry for two seconds, then lets it go on. */
static void *pause_registry(void *arg)
{
    (void)arg;
    kill(registry.pid, SIGSTOP);
    struct timespec ts = {2, 0};
    nanosleep(&ts, NULL);
    kill(registry.pid, SIGCONT);
    return NULL;
}

Test(publish, the_library_stores_each_message_once_across_a_stopped_registry)
{
    enum { N = 5000 };
    keyfile_t key;
    char errbuf[256];
    cr_assert_eq(
        keyfile_read(add_publisher("bulk", "HN.HADONG.PHULAM"), &key, errbuf, sizeof errbuf), 0,
        "%s", errbuf);
    cr_assert_str_eq(key.endpoint, registry.ingest);
    void *ctx = zmq_ctx_new();
    publish_options_t opt = {
        .window = 10, .attempt_timeout_ms = 500, .deadline_ms = harness_scale(60000)};
    publish_client_t *c = publish_client_new(ctx, &key, NULL, &opt, errbuf, sizeof errbuf);
    cr_assert_not_null(c, "%s", errbuf);
    long ids[2] = {task_id("1"), task_id("2")};
    static bool seen[N];
    int results = 0, acks = 0, duplicates = 0, resent = 0;
    pthread_t pauser;
    bool paused = false;
    publish_result_t r;
    for (int i = 0; i < N; i++) {
        if (i == N / 2) {
            cr_assert_eq(pthread_create(&pauser, NULL, pause_registry, NULL), 0);
            paused = true;
        }
        Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
        u.has_task_id = 1;
        u.task_id = ids[i % 2];
        u.has_progress = 1;
        u.progress = i % 101;
        char k[32];
        snprintf(k, sizeof k, "lib-%d", i);
        cr_assert_eq(publish_client_send(c, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base,
                                         k, (uint64_t)i),
                     0);
        cr_assert_leq(publish_client_in_flight(c), 10);
        while (publish_client_result(c, &r, 0) == 1) {
            cr_assert_eq(r.code, PARTRACK__ERROR_CODE__ERR_NONE, "message %llu: %s",
                         (unsigned long long)r.tag, r.message);
            cr_assert_not(seen[r.tag], "message %llu finished twice", (unsigned long long)r.tag);
            seen[r.tag] = true;
            results++;
            acks += !r.duplicate;
            duplicates += r.duplicate;
            resent += r.attempts > 1;
        }
    }
    while (publish_client_in_flight(c) > 0 || publish_client_pending_results(c) > 0) {
        int got = publish_client_result(c, &r, harness_scale(10000));
        cr_assert_eq(got, 1, "no result with %d in flight", publish_client_in_flight(c));
        cr_assert_eq(r.code, PARTRACK__ERROR_CODE__ERR_NONE, "message %llu: %s",
                     (unsigned long long)r.tag, r.message);
        cr_assert_not(seen[r.tag], "message %llu finished twice", (unsigned long long)r.tag);
        seen[r.tag] = true;
        results++;
        acks += !r.duplicate;
        duplicates += r.duplicate;
        resent += r.attempts > 1;
    }
    if (paused)
        pthread_join(pauser, NULL);
    cr_assert_eq(results, N);
    cr_assert_gt(resent, 0, "the stop made the library send again");
    cr_log_info("%d acks, %d duplicates, %d resent", acks, duplicates, resent);
    cr_assert_eq(publish_client_link(c, NULL), PUBLISH_LINK_UP);
    publish_client_destroy(&c);
    cr_assert_null(c);
    zmq_ctx_term(ctx);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update WHERE actor = 'bulk'"), N);
    cr_assert_eq(sql("SELECT count(DISTINCT idempotency_key) FROM registry.task_update WHERE "
                     "actor = 'bulk' AND idempotency_key LIKE 'lib-%'"),
                 N);
}
