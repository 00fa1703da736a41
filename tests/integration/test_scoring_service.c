/* test_scoring_service.c - the scoring service with the registry
 *
 * The real registry and partrack-scoring on a fresh database with the
 * sample city; the sample scheme (hanoi-ward 2023) imported and Phú Lãm's
 * facts (or the 17 Hà Đông wards') from the fixtures, all through the real
 * `partrack` command: the score seed 002 gives (95,6), the explanation
 * lines, stages going forward only, a locked score refusing changes, the
 * audit trail, a measurement published into the registry's ingest endpoint
 * recomputing only its unit, and ScorePublished on lock and on a move over
 * the threshold but not under it.
 */
#include "events.pb-c.h"
#include "harness.h"
#include "ingest.pb-c.h"
#include "keyfile.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static harness_service_t registry, scoring;
static char db[64];

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

/* Runs `partrack --scoring ENDPOINT score ARGS...` into r; returns status. */
#define score(r, ...)                                                                              \
    harness_cli(r, registry.endpoint, "--scoring", scoring.endpoint, "score", __VA_ARGS__, NULL)

static void ok(harness_run_t *r)
{
    cr_assert_eq(r->status, 0, "exit %d\nstdout: %s\nstderr: %s", r->status, r->out, r->err);
}

static void import_facts(const char *fixture)
{
    harness_run_t r;
    score(&r, "facts", "import", harness_source(fixture), "--by", "tester");
    ok(&r);
    harness_run_free(&r);
}

static void start(void)
{
    snprintf(db, sizeof db, "scoring_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start (log %s)",
                 registry.log);
    char events[128];
    snprintf(events, sizeof events, "PARTRACK_REGISTRY_EVENTS=%s", registry.events);
    cr_assert_eq(harness_scoring_start(&scoring, db, events, "PARTRACK_SCORING_POLL_MS=50", NULL),
                 0, "scoring did not start (log %s)", scoring.log);
    harness_run_t r;
    harness_cli(&r, registry.endpoint, "unit", "import", harness_source("deploy/sample/units.csv"),
                harness_source("deploy/sample/people.csv"), NULL);
    ok(&r);
    harness_run_free(&r);
    score(&r, "scheme", "import", harness_source("deploy/sample/schemes/hanoi-ward.json"));
    ok(&r);
    cr_assert(strstr(r.out, "hanoi-ward 2023 (ward) stored"), "%s", r.out);
    harness_run_free(&r);
}

static void stop(void)
{
    harness_service_stop(&scoring, SIGTERM);
    harness_service_stop(&registry, SIGTERM);
}

TestSuite(scoring, .init = start, .fini = stop, .timeout = 180);

Test(scoring, phulam_scores_95_6_and_explains_every_point)
{
    import_facts("tests/fixtures/scoring/phulam-2023.json");
    harness_run_t r;
    score(&r, "show", "--year", "2023", "--unit", "HN.HADONG.PHULAM");
    ok(&r);
    cr_assert(strstr(r.out, "Phường Phú Lãm (HN.HADONG.PHULAM), 2023"), "%s", r.out);
    cr_assert(strstr(r.out, "1 Chỉ đạo điều hành CCHC: 18/20 điểm"), "%s", r.out);
    cr_assert(strstr(r.out, "Tổng: 95,6/100 điểm"), "%s", r.out);
    cr_assert(strstr(r.out, "xếp loại A"), "%s", r.out);
    cr_assert(strstr(r.out, "giai đoạn: tự chấm"), "%s", r.out);
    cr_assert(strstr(r.out, "Tổng điểm báo cáo 95,06 nhưng các phần cộng lại 95,6"), "%s", r.out);
    harness_run_free(&r);

    score(&r, "explain", "HN.HADONG.PHULAM", "--year", "2023");
    ok(&r);
    cr_assert(strstr(r.out, "3.3.4 Tỷ lệ hồ sơ TTHC trực tuyến mức độ 3: 762/4080 = 18,67% < chỉ "
                            "tiêu 40%"),
              "%s", r.out);
    cr_assert(strstr(r.out, "→ 0/1 điểm"), "%s", r.out);
    cr_assert(strstr(r.out, "1.6 Sáng kiến"), "%s", r.out);
    harness_run_free(&r);

    score(&r, "show", "--year", "2023", "--unit", "HN.HADONG.PHULAM", "--json");
    ok(&r);
    cr_assert(strstr(r.out, "\"score\": 95.6"), "%s", r.out);
    cr_assert(strstr(r.out, "\"stage\": \"self\""), "%s", r.out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM scoring.score"), 1);
}

Test(scoring, stages_go_forward_and_a_locked_score_refuses_changes)
{
    import_facts("tests/fixtures/scoring/phulam-2023.json");
    harness_run_t r;
    /* Appraisal: the initiative is recognised after all (1.6: 0 → 1). */
    score(&r, "stage", "HN.HADONG.PHULAM", "--year", "2023", "appraisal", "--by", "sonoivu");
    ok(&r);
    cr_assert(strstr(r.out, "giai đoạn: thẩm định"), "%s", r.out);
    harness_run_free(&r);
    score(&r, "set", "HN.HADONG.PHULAM", "--year", "2023", "--node", "1.6", "--points", "1",
          "--evidence", "QĐ công nhận sáng kiến", "--by", "sonoivu");
    ok(&r);
    cr_assert(strstr(r.out, "Tổng: 96,6/100 điểm"), "%s", r.out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM scoring.audit WHERE unit_code = 'HN.HADONG.PHULAM' "
                     "AND what = 'manual' AND node = '1.6' AND from_value = '0' AND to_value "
                     "= '1' AND actor = 'cli:sonoivu' AND evidence = 'QĐ công "
                     "nhận sáng kiến'"),
                 1);
    /* A node that is not appraised by hand is refused, with nothing changed. */
    score(&r, "set", "HN.HADONG.PHULAM", "--year", "2023", "--node", "3.3.4", "--points", "1");
    cr_assert_eq(r.status, 1, "%s", r.out);
    harness_run_free(&r);
    /* Stages only go forward. */
    score(&r, "stage", "HN.HADONG.PHULAM", "--year", "2023", "self");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "stages only go forward"), "%s", r.err);
    harness_run_free(&r);
    score(&r, "stage", "HN.HADONG.PHULAM", "--year", "2023", "explanation", "--note",
          "giải trình 1.6");
    ok(&r);
    harness_run_free(&r);
    score(&r, "stage", "HN.HADONG.PHULAM", "--year", "2023", "locked");
    ok(&r);
    cr_assert(strstr(r.out, "giai đoạn: đã khóa"), "%s", r.out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM scoring.event_log WHERE type = 'ScorePublished' AND "
                     "unit_code = 'HN.HADONG.PHULAM'"),
                 1);
    size_t len;
    uint8_t *payload = harness_sql_bytes(
        db, "SELECT payload FROM scoring.event_log WHERE type = 'ScorePublished'", &len);
    cr_assert_not_null(payload);
    Partrack__ScorePublished *p = partrack__score_published__unpack(NULL, len, payload);
    cr_assert_not_null(p);
    cr_assert_str_eq(p->reason, "locked");
    cr_assert_str_eq(p->stage, "locked");
    cr_assert_float_eq(p->score, 96.6, 1e-9);
    partrack__score_published__free_unpacked(p, NULL);
    free(payload);

    /* Locked: no fact, no stage, no re-import changes it. */
    score(&r, "set", "HN.HADONG.PHULAM", "--year", "2023", "--survey", "50");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "locked"), "%s", r.err);
    harness_run_free(&r);
    score(&r, "stage", "HN.HADONG.PHULAM", "--year", "2023", "reappraisal");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "locked"), "%s", r.err);
    harness_run_free(&r);
    score(&r, "facts", "import", harness_source("tests/fixtures/scoring/phulam-2023.json"));
    cr_assert_eq(r.status, 1);
    harness_run_free(&r);
    score(&r, "scheme", "import", harness_source("deploy/sample/schemes/hanoi-ward.json"));
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "locked"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT round(score::numeric, 2) * 100 FROM scoring.score"), 9660);

    /* The trail: import, stage, manual, stage, stage. */
    cr_assert_eq(sql("SELECT count(*) FROM scoring.audit WHERE unit_code = 'HN.HADONG.PHULAM' "
                     "AND what = 'stage'"),
                 3);
    score(&r, "show", "--year", "2023", "--unit", "HN.HADONG.PHULAM", "--audit");
    ok(&r);
    cr_assert(strstr(r.out, "cli:sonoivu manual 1.6"), "%s", r.out);
    cr_assert(strstr(r.out, "stage: explanation → locked"), "%s", r.out);
    harness_run_free(&r);
}

Test(scoring, ranks_among_the_wards_of_a_parent)
{
    import_facts("tests/fixtures/scoring/hadong-wards.json");
    harness_run_t r;
    score(&r, "rank", "--year", "2023", "--parent", "HN.HADONG");
    ok(&r);
    cr_assert(strstr(r.out, "1/17   Phường Phú Lãm"), "%s", r.out);
    cr_assert(strstr(r.out, "6/17"), "%s", r.out);
    /* On 2022 (reported 88,06, 7th of 17): up 6 places. */
    cr_assert(strstr(r.out, "tăng 6 bậc, +7,54 điểm"), "%s", r.out);
    harness_run_free(&r);
    score(&r, "show", "--year", "2023", "--unit", "HN.HADONG.VANQUAN");
    ok(&r);
    cr_assert(strstr(r.out, "Hạng: 2/17"), "%s", r.out);
    /* Its facts report 2022's total only: ranked among the reported totals. */
    cr_assert(strstr(r.out, "Năm 2022: 88,9 điểm, hạng 5/17 (báo cáo) → tăng 3 bậc, +6,5 điểm"),
              "%s", r.out);
    harness_run_free(&r);
    score(&r, "show", "--year", "2023", "--unit", "HN.HADONG.PHULAM", "--json");
    ok(&r);
    cr_assert(strstr(r.out, "\"previous\": {"), "%s", r.out);
    cr_assert(strstr(r.out, "\"rank\": 7"), "%s", r.out);
    harness_run_free(&r);
}

/* Scores move: over the threshold they are published, under it not. */
Test(scoring, a_move_over_the_threshold_is_published)
{
    import_facts("tests/fixtures/scoring/phulam-2023.json");
    harness_run_t r;
    /* 1.6: 0 → 0.5: half a point, under the default threshold of 1. */
    score(&r, "set", "HN.HADONG.PHULAM", "--year", "2023", "--node", "1.6", "--points", "0.5");
    ok(&r);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM scoring.event_log"), 0);
    /* Survey 100% → 50%: 30 → 15 points. */
    score(&r, "set", "HN.HADONG.PHULAM", "--year", "2023", "--survey", "50");
    ok(&r);
    cr_assert(strstr(r.out, "Tổng: 81,1/100 điểm"), "%s", r.out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM scoring.event_log WHERE type = 'ScorePublished'"), 1);
    size_t len;
    uint8_t *payload = harness_sql_bytes(db, "SELECT payload FROM scoring.event_log", &len);
    Partrack__ScorePublished *p = partrack__score_published__unpack(NULL, len, payload);
    cr_assert_not_null(p);
    cr_assert_str_eq(p->reason, "moved");
    cr_assert_float_eq(p->score, 81.1, 1e-9);
    cr_assert_float_eq(p->previous_score, 95.6, 1e-9);
    partrack__score_published__free_unpacked(p, NULL);
    free(payload);
    /* Setting the same value again changes nothing: no audit row. */
    long audits = sql("SELECT count(*) FROM scoring.audit");
    score(&r, "set", "HN.HADONG.PHULAM", "--year", "2023", "--survey", "50");
    ok(&r);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM scoring.audit"), audits);
}

static bool phulam_l3_recomputed(void *arg)
{
    (void)arg;
    return sql("SELECT count(*) FROM scoring.score WHERE unit_code = 'HN.HADONG.PHULAM' AND "
               "result @> '{\"nodes\": [{\"code\": \"3.3.4\", \"points\": 1}]}'") == 1;
}

Test(scoring, a_published_measurement_recomputes_only_its_unit)
{
    import_facts("tests/fixtures/scoring/hadong-wards.json");
    long before = sql("SELECT count(*) FROM scoring.score WHERE unit_code <> 'HN.HADONG.PHULAM'");
    cr_assert_eq(before, 16);
    /* Stamp the others: a recompute would change computed_at. */
    cr_assert_eq(sql("WITH u AS (UPDATE scoring.score SET computed_at = '2000-01-01' RETURNING 1) "
                     "SELECT count(*) FROM u"),
                 17);
    keyfile_t k;
    cr_assert_eq(keyfile_generate(&k), 0);
    char query[512];
    snprintf(query, sizeof query,
             "INSERT INTO registry.publisher (name, public_key, scope) VALUES ('hadong-onestop', "
             "'%s', '{HN.HADONG}') RETURNING 1",
             k.public_key);
    cr_assert_eq(sql(query), 1);
    size_t len;
    uint8_t *key = harness_sql_bytes(db, "SELECT public_key::bytea FROM registry.ingest_key", &len);
    cr_assert_not_null(key);
    char server_key[KEYFILE_Z85_LEN + 1];
    snprintf(server_key, sizeof server_key, "%.*s", (int)len, (const char *)key);
    free(key);
    void *s = harness_curve_dealer(registry.ingest, server_key, k.public_key, k.secret_key);
    Partrack__Measurement m = PARTRACK__MEASUREMENT__INIT;
    m.unit = "HN.HADONG.PHULAM";
    m.indicator = "dossiers_online_l3";
    m.period = "2023";
    m.has_value = 1;
    m.value = 2000; /* 2000/4080 = 49% >= 40%: 3.3.4 earns its point */
    cr_assert(harness_send_envelope(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT, &m.base,
                                    "m-1", 0));
    Partrack__Envelope *env = harness_recv_envelope(s, 10000);
    cr_assert_not_null(env);
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_INGEST_ACK);
    partrack__envelope__free_unpacked(env, NULL);
    zmq_close(s);
    cr_assert(harness_wait(phulam_l3_recomputed, NULL, 10000), "Phú Lãm was not recomputed");
    cr_assert_eq(sql("SELECT count(*) FROM scoring.score WHERE computed_at = '2000-01-01'"), 16);
    cr_assert_eq(sql("SELECT count(*) FROM scoring.audit WHERE what = 'measurement' AND actor = "
                     "'registry:hadong-onestop' AND node = 'dossiers_online_l3' AND from_value = "
                     "'762' AND to_value = '2000'"),
                 1);
    cr_assert_eq(sql("SELECT last_seq FROM scoring.event_cursor WHERE producer = 'registry'") > 0,
                 1);
    harness_run_t r;
    score(&r, "explain", "HN.HADONG.PHULAM", "--year", "2023");
    ok(&r);
    cr_assert(strstr(r.out, "2000/4080 = 49,01%"), "%s", r.out);
    harness_run_free(&r);
}
