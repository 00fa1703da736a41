/* test_score_scheme.c - reading scheme files and data files, and their errors
 *
 * The shipped Hà Nội ward scheme reads with seed 002's maxima; broken
 * schemes are refused naming the file, the JSON path (or line and column
 * for a syntax error) and what is wrong; data files list every problem.
 */
#include "score_test_util.h"
#include "text.h"
#include "source_tree.h"

#define SAMPLE_SCHEME SOURCE_PATH("deploy/sample/schemes/hanoi-ward.json")

Test(score_scheme, sample_has_seed_002_maxima)
{
    char err[512] = "";
    score_scheme_t *s = scheme_file_load(SAMPLE_SCHEME, err, sizeof err);
    cr_assert(s, "%s", err);
    cr_assert_eq(s->year, 2023);
    cr_assert_str_eq(s->level, "ward");
    assert_near(s->max, 100);
    assert_near(s->survey_max, 30);
    static const double maxima[] = {20, 3, 16, 10, 6, 10, 5, 30};
    size_t areas = 0;
    for (size_t i = 1; i < s->nnodes; i++) {
        if (s->nodes[i].depth != 1)
            continue;
        cr_assert_lt(areas, 8);
        assert_near(s->nodes[i].max, maxima[areas]);
        cr_assert_eq(s->nodes[i].survey, areas == 7);
        areas++;
    }
    cr_assert_eq(areas, 8);
    int leaf = score_scheme_find(s, "3.3.4");
    cr_assert_gt(leaf, 0);
    cr_assert_eq(s->nodes[leaf].rule.kind, SCORE_RULE_RATIO);
    assert_near(s->nodes[leaf].rule.target, 40);
    cr_assert_eq(score_scheme_find(s, "nope"), -1);
    score_scheme_destroy(&s);
    cr_assert_null(s);
    score_scheme_destroy(NULL);
}

static void refused(const char *text, const char *expected)
{
    char err[512] = "";
    score_scheme_t *s = scheme_file_parse(text, strlen(text), "scheme.json", err, sizeof err);
    cr_assert_null(s, "accepted: %s", text);
    cr_assert_str_eq(err, expected);
}

#define HEAD "{\"format\":1,\"code\":\"x\",\"name\":\"X\",\"year\":2023,\"level\":\"ward\","

Test(score_scheme, errors_name_the_json_path)
{
    refused(HEAD "\"areas\":[{\"code\":\"1\",\"name\":\"A\",\"max\":1,\"children\":[{\"code\":"
                 "\"1.1\",\"name\":\"a\",\"max\":1,\"rule\":{\"kind\":\"manual\"}}]},"
                 "{\"code\":\"2\",\"name\":\"B\",\"max\":2,\"children\":[{\"code\":\"2.1\","
                 "\"name\":\"b\",\"max\":2,\"rule\":{\"kind\":\"ratio\",\"numerator\":\"a\","
                 "\"denominator\":\"b\",\"target\":140}}]}]}",
            "scheme.json: areas[1].children[0].rule.target: must be a number between 0 and "
            "100");
    refused(HEAD "\"areas\":[{\"code\":\"1\",\"name\":\"A\",\"max\":10,\"children\":[{\"code\":"
                 "\"1.1\",\"name\":\"a\",\"max\":9,\"rule\":{\"kind\":\"manual\"}}]}]}",
            "scheme.json: areas[0].max: is 10 but its children's maxima add up to 9");
    refused(HEAD "\"areas\":[{\"code\":\"1\",\"name\":\"A\",\"max\":1,\"rule\":{\"kind\":"
                 "\"manuel\"}}]}",
            "scheme.json: areas[0].rule.kind: unknown rule \"manuel\" (ratio, bands, "
            "deliverable, plan_completion, manual, survey, deduction, penalty, bonus)");
    refused(HEAD "\"areas\":[{\"code\":\"1\",\"name\":\"A\",\"max\":1,\"maxx\":2,\"rule\":{"
                 "\"kind\":\"manual\"}}]}",
            "scheme.json: areas[0]: unknown key \"maxx\"");
    refused(HEAD "\"areas\":[{\"code\":\"1\",\"name\":\"A\",\"max\":1,\"rule\":{\"kind\":"
                 "\"manual\"}},{\"code\":\"1\",\"name\":\"B\",\"max\":1,\"rule\":{\"kind\":"
                 "\"manual\"}}]}",
            "scheme.json: areas: the code \"1\" is used twice");
    refused(HEAD "\"areas\":[{\"code\":\"1\",\"name\":\"A\",\"max\":2,\"rule\":{\"kind\":"
                 "\"bands\",\"measurement\":\"m\",\"bands\":[{\"at_least\":70,\"points\":1},"
                 "{\"above\":90,\"points\":2}]}}]}",
            "scheme.json: areas[0].rule.bands[1]: bands must go from the highest threshold "
            "down");
    refused(HEAD "\"areas\":[{\"code\":\"1\",\"name\":\"A\",\"max\":2,\"rule\":{\"kind\":"
                 "\"bands\",\"measurement\":\"m\",\"bands\":[{\"at_least\":70,\"points\":3}]}}]}",
            "scheme.json: areas[0].rule.bands[0].points: must be a number between 0 and 2");
    refused(HEAD "\"areas\":[{\"code\":\"1\",\"name\":\"A\",\"max\":2,\"rule\":{\"kind\":"
                 "\"deduction\",\"cap\":1}}]}",
            "scheme.json: areas[0].rule.max: must be 0 for a deduction (it moves points, it "
            "adds none to the max)");
    refused(HEAD "\"areas\":[{\"code\":\"1\",\"name\":\"A\",\"max\":1,\"rule\":{\"kind\":"
                 "\"ratio\",\"numerator\":\"a\",\"target\":40}}]}",
            "scheme.json: areas[0].rule: needs \"numerator\" and \"denominator\" "
            "(measurements), or a \"measurement\" that is already a %");
    refused(HEAD "\"areas\":[{\"code\":\"1\",\"name\":\"A\",\"max\":1}]}",
            "scheme.json: areas[0]: needs either \"children\" (a group) or a \"rule\" (a leaf)");
    refused("{\"format\":1,\n\"code\":\"x\",,}",
            "scheme.json:2:12: string or '}' expected near ','");
    refused(HEAD "\"areas\":[]}", "scheme.json: areas: must be a non-empty list of areas");
}

/* Found by fuzzing: jansson's context cut "ệ" after a backslash, and the
 * reason (sent back by the scoring service) was not UTF-8. */
Test(score_scheme, reasons_are_utf8)
{
    const char *text = "{\"format\":1,\"name\":\"ab\\ệ\"}";
    char err[512] = "";
    cr_assert_null(scheme_file_parse(text, strlen(text), "scheme.json", err, sizeof err));
    cr_expect(strstr(err, "invalid escape") != NULL, "%s", err);
    cr_expect(text_valid_utf8(err, strlen(err), NULL), "%s", err);
    problems_t *p = calloc(1, sizeof *p);
    cr_assert_null(score_data_parse(text, strlen(text), "d.json", p, err, sizeof err));
    cr_expect(text_valid_utf8(err, strlen(err), NULL), "%s", err);
    problems_clear(p);
    free(p);
}

Test(score_scheme, small_scheme_reads)
{
    score_scheme_t *s = scheme_from(test_scheme);
    assert_near(s->max, 50);
    assert_near(s->survey_max, 25);
    cr_assert_eq(s->nodes[0].end, (int)s->nnodes);
    int a = score_scheme_find(s, "1");
    cr_assert_eq(s->nodes[a].end, score_scheme_find(s, "2"));
    cr_assert_eq(s->nodes[score_scheme_find(s, "1.6")].rule.kind, SCORE_RULE_DEDUCTION);
    cr_assert_eq(s->nodes[score_scheme_find(s, "2.3")].rule.kind, SCORE_RULE_BONUS);
    score_scheme_destroy(&s);
}

Test(score_data, problems_name_their_paths)
{
    const char *text = "{\"format\":1,\"units\":[{\"code\":\"U\",\"name\":\"Phường U\","
                       "\"kind\":\"ward\",\"years\":{\"2023\":{\"measurements\":{\"a\":-1},"
                       "\"deliverables\":{\"k\":\"soon\"},\"survey\":120,\"colour\":1}}}]}";
    problems_t *p = calloc(1, sizeof *p);
    char err[256];
    score_data_t *d = score_data_parse(text, strlen(text), "d.json", p, err, sizeof err);
    cr_assert_null(d);
    cr_assert_str_eq(err, "d.json: 4 problems");
    const char *fields[] = {"units[0].years.2023", "units[0].years.2023.measurements.a",
                            "units[0].years.2023.deliverables.k", "units[0].years.2023.survey"};
    for (size_t i = 0; i < 4; i++) {
        bool found = false;
        for (size_t k = 0; k < p->n; k++)
            found = found || !strcmp(p->items[k].field, fields[i]);
        cr_assert(found, "no problem at %s", fields[i]);
    }
    problems_clear(p);
    free(p);
}

Test(score_data, checked_against_the_scheme)
{
    score_scheme_t *s = scheme_from(test_scheme);
    score_data_t *d =
        unit_data("{\"manual\":{\"1.1\":1,\"2.2\":9,\"7.7\":1},"
                  "\"not_applicable\":[\"8\"],\"adjustments\":{\"2.2\":[{\"points\":1}]}}");
    problems_t *p = calloc(1, sizeof *p);
    cr_assert_eq(score_data_check(d, s, p), 5);
    bool over = false;
    for (size_t k = 0; k < p->n; k++)
        over = over || strstr(p->items[k].message, "9 points is over the max of 8");
    cr_assert(over);
    problems_clear(p);
    free(p);
    score_data_destroy(&d);
    score_scheme_destroy(&s);
}

Test(score_data, units_found_by_code_or_name)
{
    score_data_t *d = data_from(
        "{\"format\":1,\"units\":[{\"code\":\"A\",\"name\":\"Phường Văn Hoá\",\"kind\":\"ward\","
        "\"years\":{}},{\"code\":\"B\",\"name\":\"Phường Phú Lãm\",\"kind\":\"ward\","
        "\"years\":{}}]}");
    cr_assert_str_eq(score_data_find_unit(d, "B")->code, "B");
    cr_assert_str_eq(score_data_find_unit(d, "phường văn hóa")->code, "A");
    cr_assert_str_eq(score_data_find_unit(d, "Phuong Phu Lam")->code, "B");
    cr_assert_null(score_data_find_unit(d, "C"));
    score_data_destroy(&d);
}
