/* test_scoring_outcomes.c - deliverables and plan completion from the deadline service
 *
 * The real registry, deadline service (manual clock) and partrack-scoring on
 * a fresh database with the sample city; the sample scheme and the 17 Hà
 * Đông wards' facts (then Phú Lãm's own) made 2024's, and a small 2024 plan
 * of Phú Lãm: the plan (due 31/01/2024), an inspection plan (29/02), a
 * review of procedures (31/03, a Sunday: 01/04) and the year's report
 * (before 15/12: 16/12). Scheme keys are bound to the tasks and the plan
 * with `partrack score bind`; task updates in the registry then move the
 * leaves through the deadline service's OccurrenceClosed events: on time,
 * late, the plan's share, a task still open when the year is over missing;
 * only the unit bound is recomputed; a locked score does not move.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static harness_service_t registry, deadline, scoring;
static char db[64];

static const char plan[] =
    "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
    "1\tBan hành Kế hoạch CCHC năm 2024\tVăn phòng UBND\ttrước ngày 01/02/2024\n"
    "2\tKế hoạch kiểm tra CCHC\tBộ phận Một cửa\ttrước ngày 01/3/2024\n"
    "3\tRà soát thủ tục hành chính\tBộ phận Một cửa\ttrước ngày 01/4/2024\n"
    "4\tBáo cáo CCHC năm 2024\tVăn phòng UBND\ttrước ngày 15/12/2024\n";

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

#define score(r, ...)                                                                              \
    harness_cli(r, registry.endpoint, "--scoring", scoring.endpoint, "score", __VA_ARGS__, NULL)

static void ok(harness_run_t *r)
{
    cr_assert_eq(r->status, 0, "exit %d\nstdout: %s\nstderr: %s", r->status, r->out, r->err);
}

static void clock_set(const char *when)
{
    harness_run_t r;
    harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "clock", "set", when, NULL);
    ok(&r);
    harness_run_free(&r);
}

/* A fixture with every `from` made `to` (2023 made 2024: the scheme's
 * year, a data file's year keys), written to a temporary file. */
static const char *as_2024(const char *fixture, const char *from, const char *to)
{
    FILE *f = fopen(harness_source(fixture), "r");
    cr_assert_not_null(f, "%s", fixture);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    cr_assert_eq(strlen(from), strlen(to));
    cr_assert_not_null(strstr(text, from), "%s has no %s", fixture, from);
    for (char *at = text; (at = strstr(at, from)) != NULL; at += strlen(to))
        memcpy(at, to, strlen(to));
    char name[64];
    snprintf(name, sizeof name, "2024-%s", strrchr(fixture, '/') + 1);
    return harness_write_temp(name, text, n);
}

/* The task id of the plan's task `ordinal`. */
static char *task_id(const char *ordinal)
{
    static char ids[8][24];
    int k = atoi(ordinal) % 8;
    char query[256];
    snprintf(query, sizeof query, "SELECT task_id FROM deadline.task WHERE ordinal = '%s'",
             ordinal);
    snprintf(ids[k], sizeof ids[k], "%ld", sql(query));
    return ids[k];
}

/* Waits until the query counts at least n. */
static void wait_for(const char *query, long n)
{
    for (int i = 0; i < harness_scale(250) && sql(query) < n; i++)
        usleep(20000);
    cr_assert_geq(sql(query), n, "%s", query);
}

/* The explanation line of node `code` in `score explain`; caller frees. */
static char *line_of(const char *code)
{
    harness_run_t r;
    score(&r, "explain", "HN.HADONG.PHULAM", "--year", "2024");
    ok(&r);
    char prefix[64];
    snprintf(prefix, sizeof prefix, " %s ", code);
    char *at = strstr(r.out, prefix), *line = NULL;
    cr_assert_not_null(at, "%s\n%s", code, r.out);
    line = strndup(at + 1, strcspn(at + 1, "\n"));
    harness_run_free(&r);
    return line;
}

static void assert_line(const char *code, const char *what)
{
    char *line = line_of(code);
    cr_assert(strstr(line, what), "%s: want \"%s\" in: %s", code, what, line);
    free(line);
}

static void bind(const char *key, const char *option, const char *target)
{
    harness_run_t r;
    score(&r, "bind", "HN.HADONG.PHULAM", "--year", "2024", "--key", key, option, target, "--by",
          "sonoivu");
    ok(&r);
    harness_run_free(&r);
}

static void update(const char *ordinal, const char *status, const char *completed)
{
    harness_run_t r;
    if (completed)
        harness_cli(&r, registry.endpoint, "task", "update", task_id(ordinal), "--status", status,
                    "--completed", completed, NULL);
    else
        harness_cli(&r, registry.endpoint, "task", "update", task_id(ordinal), "--status", status,
                    NULL);
    ok(&r);
    harness_run_free(&r);
}

/* The sum of every other unit's computation instants: unchanged when only
 * Phú Lãm was recomputed. */
static long others_computed(void)
{
    return sql("SELECT coalesce(sum(extract(epoch FROM computed_at) * 1000), 0)::bigint FROM "
               "scoring.score WHERE unit_code <> 'HN.HADONG.PHULAM'");
}

static void start(void)
{
    snprintf(db, sizeof db, "outcomes_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
    char registry_events[128], deadline_events[128];
    snprintf(registry_events, sizeof registry_events, "PARTRACK_REGISTRY_EVENTS=%s",
             registry.events);
    cr_assert_eq(harness_deadline_start(&deadline, db, "PARTRACK_DEADLINE_CLOCK=manual",
                                        "PARTRACK_DEADLINE_POLL_MS=50", registry_events, NULL),
                 0, "deadline service did not start (log %s)", deadline.log);
    snprintf(deadline_events, sizeof deadline_events, "PARTRACK_DEADLINE_EVENTS=%s",
             deadline.events);
    cr_assert_eq(harness_scoring_start(&scoring, db, registry_events, deadline_events,
                                       "PARTRACK_SCORING_POLL_MS=50", NULL),
                 0, "scoring did not start (log %s)", scoring.log);
    harness_run_t r;
    harness_cli(&r, registry.endpoint, "unit", "import", harness_source("deploy/sample/units.csv"),
                harness_source("deploy/sample/people.csv"), NULL);
    ok(&r);
    harness_run_free(&r);
    clock_set("2024-01-02");
    const char *file = harness_write_temp("outcomes-plan.tsv", plan, strlen(plan));
    harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", "HN.HADONG.PHULAM",
                "--year", "2024", "--number", "104/KH-UBND", "--title", "Kế hoạch CCHC 2024", NULL);
    ok(&r);
    harness_run_free(&r);
    wait_for("SELECT count(*) FROM deadline.occurrence", 4);

    score(&r, "scheme", "import",
          as_2024("deploy/sample/schemes/hanoi-ward.json", "\"year\": 2023", "\"year\": 2024"));
    ok(&r);
    harness_run_free(&r);
    score(&r, "facts", "import",
          as_2024("tests/fixtures/scoring/hadong-wards.json", "\"2023\": {", "\"2024\": {"));
    ok(&r);
    harness_run_free(&r);
    score(&r, "facts", "import",
          as_2024("tests/fixtures/scoring/phulam-2023.json", "\"2023\": {", "\"2024\": {"));
    ok(&r);
    harness_run_free(&r);
    /* By hand, the plan on time and 38 of its 40 tasks: 1 + 2 points. */
    assert_line("1.1", "→ 1/1 điểm");
    assert_line("1.2", "38/40");
}

static void stop(void)
{
    harness_service_stop(&scoring, SIGTERM);
    harness_service_stop(&deadline, SIGTERM);
    harness_service_stop(&registry, SIGTERM);
}

TestSuite(outcomes, .init = start, .fini = stop, .timeout = 240);

Test(outcomes, bound_keys_follow_the_deadline_service)
{
    long others = others_computed();
    cr_assert_gt(others, 0, "the other wards are scored");
    /* Bound: the hand-set facts give way; nothing is due yet, so the plan's
     * leaf has no outcome and its share no task. */
    bind("ke_hoach_cchc", "--task", task_id("1"));
    bind("ke_hoach_cchc", "--plan", "104/KH-UBND");
    assert_line("1.1", "→ 0/1 điểm");
    assert_line("1.1", "(theo dõi thời hạn)");
    assert_line("1.2", "(theo dõi thời hạn)");
    cr_assert_eq(sql("SELECT count(*) FROM scoring.audit WHERE what = 'binding' AND actor = "
                     "'cli:sonoivu' AND node = 'ke_hoach_cchc'"),
                 2);
    /* A bound fact cannot be set by hand. */
    harness_run_t r;
    score(&r, "set", "HN.HADONG.PHULAM", "--year", "2024", "--outcome", "ke_hoach_cchc", "--is",
          "on_time");
    cr_assert_eq(r.status, 1, "%s", r.out);
    cr_assert(strstr(r.err, "bound"), "%s", r.err);
    harness_run_free(&r);

    /* Done on 20/01, due 31/01: on time, 1 point; the plan 1 of 4. */
    update("1", "done", "2024-01-20T10:00:00+07:00");
    wait_for("SELECT count(*) FROM scoring.audit WHERE actor = 'deadline' AND what = 'outcome' "
             "AND node = 'ke_hoach_cchc' AND to_value = 'on_time'",
             1);
    wait_for("SELECT count(*) FROM scoring.binding WHERE kind = 'plan' AND plan_on_time = 1", 1);
    assert_line("1.1", "→ 1/1 điểm");
    assert_line("1.2", "1/4");
    cr_assert_eq(others_computed(), others, "only Phú Lãm was recomputed");

    /* Another done on time: the share moves to 2 of 4. One done late: the
     * deliverable bound to it is late (0,25 of 0,5), the share stays. */
    bind("bao_cao_cchc_q1", "--task", task_id("3"));
    update("2", "done", "2024-02-28T16:00:00+07:00");
    wait_for("SELECT count(*) FROM scoring.binding WHERE kind = 'plan' AND plan_on_time = 2", 1);
    update("3", "done", "2024-04-03T09:00:00+07:00");
    wait_for("SELECT count(*) FROM scoring.binding WHERE key = 'bao_cao_cchc_q1' AND outcome = "
             "'late'",
             1);
    assert_line("1.2", "2/4");
    char *line = line_of("1.3.1");
    cr_assert(strstr(line, "0,25/0,5"), "%s", line);
    free(line);
    cr_assert_eq(others_computed(), others, "only Phú Lãm was recomputed");

    /* The year's report, still open when the year is over: missing. */
    bind("bao_cao_cchc_nam", "--task", task_id("4"));
    cr_assert_eq(sql("SELECT count(*) FROM scoring.binding WHERE key = 'bao_cao_cchc_nam' AND "
                     "outcome IS NULL"),
                 1, "not due yet: no outcome");
    clock_set("2025-01-02");
    wait_for("SELECT count(*) FROM scoring.binding WHERE key = 'bao_cao_cchc_nam' AND outcome = "
             "'missing'",
             1);
    assert_line("1.3.4", "(theo dõi thời hạn)");

    score(&r, "bind", "HN.HADONG.PHULAM", "--year", "2024", "--json");
    ok(&r);
    json_t *out = json_loads(r.out, 0, NULL);
    cr_assert_not_null(out, "%s", r.out);
    cr_assert_eq(json_array_size(json_object_get(out, "bindings")), 4, "%s", r.out);
    json_decref(out);
    harness_run_free(&r);
}

Test(outcomes, a_locked_score_is_not_moved_by_an_outcome)
{
    bind("ke_hoach_cchc", "--task", task_id("1"));
    harness_run_t r;
    score(&r, "stage", "HN.HADONG.PHULAM", "--year", "2024", "locked");
    ok(&r);
    harness_run_free(&r);
    /* Binding now is a change: refused. */
    score(&r, "bind", "HN.HADONG.PHULAM", "--year", "2024", "--key", "ke_hoach_cchc", "--plan",
          "104/KH-UBND");
    cr_assert_eq(r.status, 1, "%s", r.out);
    cr_assert(strstr(r.err, "locked"), "%s", r.err);
    harness_run_free(&r);
    double before = (double)sql("SELECT (score * 100)::bigint FROM scoring.score WHERE unit_code "
                                "= 'HN.HADONG.PHULAM'");
    update("1", "done", "2024-01-20T10:00:00+07:00");
    /* The service saw the event (its cursor moved past it) and skipped it. */
    wait_for("SELECT count(*) FROM scoring.event_cursor WHERE producer = 'deadline' AND last_seq "
             ">= (SELECT max(seq) FROM deadline.events WHERE type = 'OccurrenceClosed')",
             1);
    cr_assert_eq(sql("SELECT count(*) FROM scoring.binding WHERE outcome IS NOT NULL"), 0);
    cr_assert_eq(sql("SELECT count(*) FROM scoring.audit WHERE actor = 'deadline'"), 0);
    cr_assert_eq((double)sql("SELECT (score * 100)::bigint FROM scoring.score WHERE unit_code = "
                             "'HN.HADONG.PHULAM'"),
                 before);
    FILE *f = fopen(scoring.log, "r");
    cr_assert_not_null(f);
    char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    cr_assert(strstr(text, "outcome skipped") && strstr(text, "reason=locked"), "%s", text);
}
