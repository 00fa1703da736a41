/* test_score_cli.c - `partrack score compute`, offline, on the shipped samples
 *
 * The real binary with the sample scheme and the seed 002 fixtures; no
 * service runs (the registry endpoint given is never contacted). Phú Lãm in
 * detail, the 17 wards as a table and as JSON, and the exit codes: 0
 * computed, 1 unusable scheme or data or unknown unit, 2 usage.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#define NOWHERE "tcp://127.0.0.1:1"

static const char *scheme(void)
{
    return harness_source("deploy/sample/schemes/hanoi-ward.json");
}

static const char *fixture(const char *name)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 512, "%s", harness_source("tests/fixtures/scoring/"));
    strncat(p, name, 511 - strlen(p));
    return p;
}

Test(score_cli, phulam_in_detail)
{
    harness_run_t r;
    int rc = harness_cli(&r, NOWHERE, "score", "compute", "--scheme", scheme(), "--data",
                         fixture("phulam-2023.json"), NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "2 Cải cách thể chế: 2,5/3 điểm"), "%s", r.out);
    cr_assert(strstr(r.out, "Tổng: 95,6/100 điểm (thẩm định 65,6/70; điều tra xã hội học 30/30)"));
    cr_assert(strstr(r.out, "Tổng điểm báo cáo 95,06 nhưng các phần cộng lại 95,6 (lệch 0,54)"));
    cr_assert_null(strstr(r.out, "3.3.4")); /* leaves only with --explain */
    harness_run_free(&r);
    rc = harness_cli(&r, NOWHERE, "score", "compute", "--scheme", scheme(), "--data",
                     fixture("phulam-2023.json"), "--explain", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "3.3.4 Tỷ lệ hồ sơ TTHC trực tuyến mức độ 3: 762/4080 = 18,67% < "
                            "chỉ tiêu 40%"),
              "%s", r.out);
    harness_run_free(&r);
}

Test(score_cli, seventeen_wards)
{
    harness_run_t r;
    int rc = harness_cli(&r, NOWHERE, "score", "compute", "--scheme", scheme(), "--data",
                         fixture("hadong-wards.json"), NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    const char *line = strstr(r.out, "\n1/17");
    cr_assert(line, "%s", r.out);
    cr_assert(strstr(line, "Phường Phú Lãm") < strchr(line + 1, '\n'));
    cr_assert(strstr(line, "tăng 6 bậc") < strchr(line + 1, '\n'));
    harness_run_free(&r);
    rc = harness_cli(&r, NOWHERE, "score", "compute", "--scheme", scheme(), "--data",
                     fixture("hadong-wards.json"), "--unit", "Phường Phú Lãm", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_error_t e;
    json_t *o = json_loads(r.out, 0, &e);
    cr_assert(o, "%s", e.text);
    json_t *units = json_object_get(o, "units");
    cr_assert_eq(json_array_size(units), 1);
    json_t *u = json_array_get(units, 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(u, "unit"), "code")),
                     "HN.HADONG.PHULAM");
    cr_assert_eq(json_integer_value(json_object_get(u, "rank")), 1);
    cr_assert_eq(json_integer_value(json_object_get(u, "of")), 17);
    json_t *p = json_object_get(u, "previous");
    cr_assert_eq(json_integer_value(json_object_get(p, "rank")), 7);
    cr_assert_eq(json_integer_value(json_object_get(p, "change_places")), 6);
    cr_assert_str_eq(json_string_value(json_object_get(p, "change_text")), "tăng 6 bậc");
    cr_assert_float_eq(json_number_value(json_object_get(u, "points")), 95.6, 1e-9);
    cr_assert_str_eq(json_string_value(json_object_get(u, "grade")), "A");
    json_t *checks = json_object_get(u, "checks");
    cr_assert_eq(json_array_size(checks), 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(checks, 0), "kind")),
                     "reported_total");
    json_decref(o);
    harness_run_free(&r);
}

Test(score_cli, exit_codes)
{
    harness_run_t r;
    cr_assert_eq(harness_cli(&r, NOWHERE, "score", "compute", "--help", NULL), 0);
    cr_assert(strstr(r.out, "--scheme FILE"));
    harness_run_free(&r);
    cr_assert_eq(harness_cli(&r, NOWHERE, "score", "compute", "--scheme", scheme(), NULL), 2);
    harness_run_free(&r);
    cr_assert_eq(harness_cli(&r, NOWHERE, "score", "frobnicate", NULL), 2);
    harness_run_free(&r);
    cr_assert_eq(harness_cli(&r, NOWHERE, "score", "compute", "--scheme", scheme(), "--data",
                             fixture("phulam-2023.json"), "--peers", "city", NULL),
                 2);
    harness_run_free(&r);
    const char *bad = harness_write_temp("bad-scheme.json", "{\"format\":2}", 12);
    cr_assert_eq(harness_cli(&r, NOWHERE, "score", "compute", "--scheme", bad, "--data",
                             fixture("phulam-2023.json"), NULL),
                 1);
    cr_assert(strstr(r.err, "bad-scheme.json: format: must be a number between 1 and 1"), "%s",
              r.err);
    harness_run_free(&r);
    const char *data = harness_write_temp(
        "bad-data.json",
        "{\"format\":1,\"units\":[{\"code\":\"U\",\"name\":\"U\",\"kind\":\"ward\",\"years\":"
        "{\"2023\":{\"manual\":{\"9.9\":1}}}}]}",
        strlen("{\"format\":1,\"units\":[{\"code\":\"U\",\"name\":\"U\",\"kind\":\"ward\","
               "\"years\":{\"2023\":{\"manual\":{\"9.9\":1}}}}]}"));
    cr_assert_eq(
        harness_cli(&r, NOWHERE, "score", "compute", "--scheme", scheme(), "--data", data, NULL),
        1);
    cr_assert(strstr(r.err, "units[0].years.2023.manual.9.9: no criterion 9.9"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(harness_cli(&r, NOWHERE, "score", "compute", "--scheme", scheme(), "--data",
                             fixture("hadong-wards.json"), "--unit", "HN.NOWHERE", NULL),
                 1);
    harness_run_free(&r);
}
