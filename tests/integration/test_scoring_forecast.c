/* test_scoring_forecast.c - the scoring service's forecast and city-wide ranks
 *
 * The real registry and partrack-scoring on a fresh database with the
 * sample city and the sample scheme (hanoi-ward, 2023), through the real
 * `partrack` command.
 *
 * Forecast: Phú Lãm's first quarter of 2024 (phulam-2024-q1.json: 2024 so
 * far and 2023) imported as facts. The store has no 2024 scheme, so the
 * service forecasts under the latest older one, 2023's, and says so - as
 * `score compute --forecast` does offline with the 2023 scheme file on the
 * same data. Both are run and must print the same forecast, to the line.
 *
 * Ranks: the 17 Hà Đông wards and two Tây Hồ wards made from Phú Lãm's 2023
 * facts (one better, one worse), ranked under their parent and, with
 * --level ward, across the city (HN), last year's ranks in the same group.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static harness_service_t registry, scoring;
static char db[64];

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

static const char *scheme_file(void)
{
    return harness_source("deploy/sample/schemes/hanoi-ward.json");
}

static const char *q1_file(void)
{
    return harness_source("tests/fixtures/scoring/phulam-2024-q1.json");
}

static void import_facts(const char *path)
{
    harness_run_t r;
    score(&r, "facts", "import", path, "--by", "tester");
    ok(&r);
    harness_run_free(&r);
}

static void start(void)
{
    snprintf(db, sizeof db, "forecast_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
    cr_assert_eq(harness_scoring_start(&scoring, db, "PARTRACK_SCORING_POLL_MS=50", NULL), 0,
                 "scoring did not start (log %s)", scoring.log);
    harness_run_t r;
    harness_cli(&r, registry.endpoint, "unit", "import", harness_source("deploy/sample/units.csv"),
                harness_source("deploy/sample/people.csv"), NULL);
    ok(&r);
    harness_run_free(&r);
    score(&r, "scheme", "import", scheme_file());
    ok(&r);
    harness_run_free(&r);
}

static void stop(void)
{
    harness_service_stop(&scoring, SIGTERM);
    harness_service_stop(&registry, SIGTERM);
}

TestSuite(forecast, .init = start, .fini = stop, .timeout = 180);

/* The first element's forecast (or current) score of a --json output. */
static double score_of(const char *out, bool offline, const char *which)
{
    json_t *o = json_loads(out, 0, NULL);
    cr_assert_not_null(o, "%s", out);
    json_t *unit = offline ? json_array_get(json_object_get(o, "units"), 0) : json_array_get(o, 0);
    json_t *x = json_object_get(json_object_get(unit, which), "score");
    cr_assert(json_is_number(x), "%s", out);
    double v = json_number_value(x);
    json_decref(o);
    return v;
}

Test(forecast, phulam_q1_as_offline)
{
    import_facts(q1_file());
    long audits = sql("SELECT count(*) FROM scoring.audit");
    long events = sql("SELECT count(*) FROM scoring.event_log");

    harness_run_t online, offline;
    score(&online, "forecast", "HN.HADONG.PHULAM", "--year", "2024");
    ok(&online);
    harness_cli(&offline, registry.endpoint, "score", "compute", "--scheme", scheme_file(),
                "--data", q1_file(), "--forecast", NULL);
    ok(&offline);
    cr_assert_str_eq(online.out, offline.out, "service:\n%s\noffline:\n%s", online.out,
                     offline.out);
    cr_assert(strstr(online.out, "số liệu đến ngày 31/03/2024"), "%s", online.out);
    cr_assert(strstr(online.out, "Dự báo cuối năm — Tổng: 95,59/100 điểm"), "%s", online.out);
    cr_assert(strstr(online.out, "Giả định ("), "%s", online.out);
    cr_assert(strstr(online.out, "Chấm theo bộ tiêu chí năm 2023 (hanoi-ward) cho năm 2024"), "%s",
              online.out);
    cr_assert(strstr(online.out, "2.2.1 Kế hoạch rà soát VBQPPL: quá hạn"), "%s", online.out);
    harness_run_free(&online);
    harness_run_free(&offline);

    /* The same with every criterion, and as of another day. */
    score(&online, "forecast", "HN.HADONG.PHULAM", "--year", "2024", "--as-of", "2024-02-15",
          "--explain");
    ok(&online);
    harness_cli(&offline, registry.endpoint, "score", "compute", "--scheme", scheme_file(),
                "--data", q1_file(), "--forecast", "--as-of", "2024-02-15", "--explain", NULL);
    ok(&offline);
    cr_assert_str_eq(online.out, offline.out, "service:\n%s\noffline:\n%s", online.out,
                     offline.out);
    cr_assert(strstr(online.out, "số liệu đến ngày 15/02/2024"), "%s", online.out);
    harness_run_free(&online);
    harness_run_free(&offline);

    /* JSON: the same totals; where the date came from; the assumptions. */
    score(&online, "forecast", "HN.HADONG.PHULAM", "--year", "2024", "--json");
    ok(&online);
    harness_cli(&offline, registry.endpoint, "score", "compute", "--scheme", scheme_file(),
                "--data", q1_file(), "--forecast", "--json", NULL);
    ok(&offline);
    cr_assert_float_eq(score_of(online.out, false, "forecast"),
                       score_of(offline.out, true, "forecast"), 1e-9);
    cr_assert_float_eq(score_of(online.out, false, "forecast"), 95.59, 1e-9);
    cr_assert_float_eq(score_of(online.out, false, "current"),
                       score_of(offline.out, true, "current"), 1e-9);
    json_t *o = json_loads(online.out, 0, NULL);
    json_t *f = json_array_get(o, 0);
    cr_assert_str_eq(json_string_value(json_object_get(f, "as_of")), "2024-03-31");
    cr_assert_str_eq(json_string_value(json_object_get(f, "as_of_from")), "facts");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(f, "scheme"), "year")), 2023);
    json_t *assumptions = json_object_get(json_object_get(f, "forecast"), "assumptions");
    cr_assert_gt(json_array_size(assumptions), 5, "%s", online.out);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(assumptions, 0), "kind")),
                     "scheme");
    json_decref(o);
    harness_run_free(&online);
    harness_run_free(&offline);

    /* A read: nothing audited, nothing published. */
    cr_assert_eq(sql("SELECT count(*) FROM scoring.audit"), audits);
    cr_assert_eq(sql("SELECT count(*) FROM scoring.event_log"), events);
}

Test(forecast, refuses_what_cannot_be_forecast)
{
    import_facts(q1_file());
    harness_run_t r;
    score(&r, "forecast", "HN.NOWHERE", "--year", "2024");
    cr_assert_eq(r.status, 1, "%s", r.out);
    cr_assert(strstr(r.err, "no unit HN.NOWHERE"), "%s", r.err);
    harness_run_free(&r);
    score(&r, "forecast", "HN.HADONG.VANQUAN", "--year", "2024");
    cr_assert_eq(r.status, 1, "%s", r.out);
    cr_assert(strstr(r.err, "no facts for 2024"), "%s", r.err);
    harness_run_free(&r);
    score(&r, "forecast", "HN.HADONG.PHULAM", "--year", "2024", "--as-of", "2023-12-31");
    cr_assert_eq(r.status, 1, "%s", r.out);
    cr_assert(strstr(r.err, "1 January 2024"), "%s", r.err);
    harness_run_free(&r);
    /* No scheme of 2022 or before. */
    score(&r, "forecast", "HN.HADONG.PHULAM", "--year", "2024", "--scheme", "other");
    cr_assert_eq(r.status, 1, "%s", r.out);
    cr_assert(strstr(r.err, "no scheme other"), "%s", r.err);
    harness_run_free(&r);
    score(&r, "forecast", "HN.HADONG.PHULAM");
    cr_assert_eq(r.status, 2, "%s", r.out);
    harness_run_free(&r);
}

/* Two Tây Hồ wards from Phú Lãm's 2023 facts: Bưởi with the initiative
 * recognised (1.6: 2 points, 97,6) and 99 points reported for 2022; Nhật
 * Tân with half the survey (80,6) and no 2022. */
static const char *tayho_wards(void)
{
    json_error_t error;
    json_t *src =
        json_load_file(harness_source("tests/fixtures/scoring/phulam-2023.json"), 0, &error);
    cr_assert_not_null(src, "%s", error.text);
    json_t *year = json_object_get(
        json_object_get(json_array_get(json_object_get(src, "units"), 0), "years"), "2023");
    json_t *buoi = json_deep_copy(year), *nhattan = json_deep_copy(year);
    json_object_del(buoi, "reported");
    json_object_del(nhattan, "reported");
    json_object_set_new(json_object_get(buoi, "manual"), "1.6", json_integer(2));
    json_object_set_new(nhattan, "survey", json_integer(50));
    json_t *file = json_pack(
        "{s:i, s:[{s:s, s:s, s:s, s:s, s:{s:o, s:{s:{s:i}}}}, {s:s, s:s, s:s, s:s, s:{s:o}}]}",
        "format", 1, "units", "code", "HN.TAYHO.BUOI", "name", "Phường Bưởi", "kind", "ward",
        "parent", "HN.TAYHO", "years", "2023", buoi, "2022", "reported", "total", 99, "code",
        "HN.TAYHO.NHATTAN", "name", "Phường Nhật Tân", "kind", "ward", "parent", "HN.TAYHO",
        "years", "2023", nhattan);
    cr_assert_not_null(file);
    char *text = json_dumps(file, JSON_INDENT(2));
    const char *path = harness_write_temp("tayho-wards.json", text, strlen(text));
    free(text);
    json_decref(file);
    json_decref(src);
    return path;
}

/* The JSON of `score show --year 2023 --unit CODE [--level ward]`. */
static json_t *shown(const char *unit, bool level)
{
    harness_run_t r;
    if (level)
        score(&r, "show", "--year", "2023", "--unit", unit, "--level", "ward", "--json");
    else
        score(&r, "show", "--year", "2023", "--unit", unit, "--json");
    ok(&r);
    json_t *a = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_array_size(a), 1, "%s", r.out);
    json_t *u = json_incref(json_array_get(a, 0));
    json_decref(a);
    harness_run_free(&r);
    return u;
}

static int int_at(json_t *o, const char *a, const char *b)
{
    json_t *x = b ? json_object_get(json_object_get(o, a), b) : json_object_get(o, a);
    cr_assert(json_is_integer(x), "%s.%s", a, b ? b : "");
    return (int)json_integer_value(x);
}

Test(forecast, ranks_across_the_city_with_a_level)
{
    import_facts(harness_source("tests/fixtures/scoring/hadong-wards.json"));
    import_facts(tayho_wards());
    harness_run_t r;
    /* Under their parent, as before. */
    score(&r, "rank", "--year", "2023", "--parent", "HN.TAYHO");
    ok(&r);
    cr_assert(strstr(r.out, "1/2    Phường Bưởi"), "%s", r.out);
    cr_assert(strstr(r.out, "2/2    Phường Nhật Tân"), "%s", r.out);
    harness_run_free(&r);
    score(&r, "rank", "--year", "2023", "--parent", "HN.HADONG");
    ok(&r);
    cr_assert(strstr(r.out, "1/17   Phường Phú Lãm"), "%s", r.out);
    cr_assert(strstr(r.out, "tăng 6 bậc, +7,54 điểm"), "%s", r.out);
    harness_run_free(&r);

    /* Every ward of the city: both districts' in one ranking. */
    score(&r, "rank", "--year", "2023", "--level", "ward");
    ok(&r);
    cr_assert(strstr(r.out, "Xếp hạng toàn thành phố: các đơn vị loại ward của HN"), "%s", r.out);
    cr_assert(strstr(r.out, "1/19   Phường Bưởi"), "%s", r.out);
    cr_assert(strstr(r.out, "2/19   Phường Phú Lãm"), "%s", r.out);
    cr_assert(strstr(r.out, "3/19   Phường Văn Quán"), "%s", r.out);
    cr_assert(strstr(r.out, "19/19  Phường Nhật Tân"), "%s", r.out);
    harness_run_free(&r);
    /* --level with --parent: Tây Hồ's wards, ranked city-wide. */
    score(&r, "rank", "--year", "2023", "--level", "ward", "--parent", "HN.TAYHO");
    ok(&r);
    cr_assert(strstr(r.out, "1/19   Phường Bưởi"), "%s", r.out);
    cr_assert(!strstr(r.out, "Phú Lãm"), "%s", r.out);
    harness_run_free(&r);

    score(&r, "show", "--year", "2023", "--unit", "HN.HADONG.PHULAM", "--level", "ward");
    ok(&r);
    cr_assert(strstr(r.out, "Hạng: 2/19 (toàn thành phố: các đơn vị loại ward của HN)"), "%s",
              r.out);
    harness_run_free(&r);

    /* Last year in the same group: under the parent, the rank its facts
     * report (7/17); city-wide, ranked among 2022's totals of the city's
     * wards (Bưởi's 99 first, Nhật Tân has none): 8/18. */
    json_t *u = shown("HN.HADONG.PHULAM", false);
    cr_assert_eq(int_at(u, "rank", NULL), 1);
    cr_assert_eq(int_at(u, "of", NULL), 17);
    cr_assert_eq(int_at(u, "previous", "rank"), 7);
    cr_assert_eq(int_at(u, "previous", "of"), 17);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(u, "peers"), "by")),
                     "parent");
    json_decref(u);
    u = shown("HN.HADONG.PHULAM", true);
    cr_assert_eq(int_at(u, "rank", NULL), 2);
    cr_assert_eq(int_at(u, "of", NULL), 19);
    cr_assert_eq(int_at(u, "previous", "rank"), 8);
    cr_assert_eq(int_at(u, "previous", "of"), 18);
    json_t *peers = json_object_get(u, "peers");
    cr_assert_str_eq(json_string_value(json_object_get(peers, "by")), "level");
    cr_assert_str_eq(json_string_value(json_object_get(peers, "kind")), "ward");
    cr_assert_str_eq(json_string_value(json_object_get(peers, "within")), "HN");
    json_decref(u);
    u = shown("HN.TAYHO.BUOI", true);
    cr_assert_eq(int_at(u, "previous", "rank"), 1);
    cr_assert_eq(int_at(u, "previous", "of"), 18);
    json_decref(u);

    /* Another kind has no scores: nothing to rank. */
    score(&r, "rank", "--year", "2023", "--level", "district");
    ok(&r);
    cr_assert(strstr(r.out, "không có điểm"), "%s", r.out);
    harness_run_free(&r);
}
