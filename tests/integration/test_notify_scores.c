/* test_notify_scores.c - a unit's published score reaches its head's feed
 *
 * The real registry, scoring and notify services on one fresh database with
 * the sample city and scheme: Phú Lãm's 2023 facts are imported (its first
 * score, published as it moves), the survey drops (a move over the
 * threshold), the score is locked; the ward's chairman hears each once, in
 * Vietnamese with decimal commas, and nothing more after a notify restart.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static harness_service_t registry, scoring, notify;
static char db[64];

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

static void wait_for(const char *query, long n)
{
    for (int i = 0; i < harness_scale(500) && sql(query) < n; i++)
        usleep(20000);
    cr_assert_eq(sql(query), n, "%s", query);
}

#define score(r, ...)                                                                              \
    harness_cli(r, registry.endpoint, "--scoring", scoring.endpoint, "score", __VA_ARGS__, NULL)

static void ok(harness_run_t *r)
{
    cr_assert_eq(r->status, 0, "exit %d\nstdout: %s\nstderr: %s", r->status, r->out, r->err);
    harness_run_free(r);
}

static void start(void)
{
    snprintf(db, sizeof db, "notify_scores_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
    char reg[128], sco[128];
    snprintf(reg, sizeof reg, "PARTRACK_REGISTRY_EVENTS=%s", registry.events);
    cr_assert_eq(harness_scoring_start(&scoring, db, reg, "PARTRACK_SCORING_POLL_MS=50", NULL), 0,
                 "scoring did not start (log %s)", scoring.log);
    snprintf(sco, sizeof sco, "PARTRACK_SCORING_EVENTS=%s", scoring.events);
    cr_assert_eq(harness_notify_start(&notify, db, reg, sco, "PARTRACK_NOTIFY_POLL_MS=50", NULL), 0,
                 "notify did not start (log %s)", notify.log);
    harness_run_t r;
    harness_cli(&r, registry.endpoint, "unit", "import", harness_source("deploy/sample/units.csv"),
                harness_source("deploy/sample/people.csv"), NULL);
    ok(&r);
    score(&r, "scheme", "import", harness_source("deploy/sample/schemes/hanoi-ward.json"));
    ok(&r);
}

static void stop(void)
{
    harness_service_stop(&notify, SIGTERM);
    harness_service_stop(&scoring, SIGTERM);
    harness_service_stop(&registry, SIGTERM);
}

TestSuite(notify_scores, .init = start, .fini = stop, .timeout = 120);

Test(notify_scores, the_head_hears_a_move_and_the_lock_once_each)
{
    harness_run_t r;
    score(&r, "facts", "import", harness_source("tests/fixtures/scoring/phulam-2023.json"), "--by",
          "tester");
    ok(&r);
    /* Survey 100% → 50%: 95,6 → 80,6, over the threshold: published. */
    score(&r, "set", "HN.HADONG.PHULAM", "--year", "2023", "--survey", "50");
    ok(&r);
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'score_published' AND person_id = "
             "'P00121' AND text LIKE 'Điểm Chỉ số CCHC năm 2023 của Phường Phú Lãm giảm từ 95,6 "
             "xuống 80,6 điểm (xếp loại B).'",
             1);
    score(&r, "stage", "HN.HADONG.PHULAM", "--year", "2023", "locked");
    ok(&r);
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'score_published' AND person_id = "
             "'P00121' AND text = 'Chỉ số CCHC năm 2023 của Phường Phú Lãm đã được chốt: 80,6 "
             "điểm, xếp loại B.'",
             1);
    /* Only the ward's head (and no one twice); a restart repeats nothing. */
    long all = sql("SELECT count(*) FROM notify.entry WHERE kind = 'score_published'");
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind = 'score_published' AND "
                     "person_id <> 'P00121'"),
                 0);
    cr_assert_eq(sql("SELECT count(*) FROM scoring.event_log"), all,
                 "one entry per published score");
    harness_service_stop(&notify, SIGKILL);
    cr_assert_eq(harness_service_restart(&notify), 0);
    harness_pause(400);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind = 'score_published'"), all);
}
