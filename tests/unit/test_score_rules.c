/* test_score_rules.c - every rule kind, N/A areas, survey scaling, grades
 *
 * Each test computes one unit of the small scheme in score_test_util.h with
 * facts chosen to land on a rule's edges: at the target, just below it, on a
 * band's threshold, without data. Explanation lines are checked where their
 * wording is the point (decimal commas, the reason given).
 */
#include "score_test_util.h"

#define BASE_MANUAL "\"manual\":{\"2.2\":{\"points\":8,\"evidence\":\"QĐ 1\"},\"3.1\":5}"

Test(score_rules, ratio_at_and_below_target)
{
    /* 40% exactly: full points in all three ratio leaves */
    computed_t c = compute_year(test_scheme, "{\"measurements\":{\"n\":36,\"d\":90}}");
    assert_near(node_points(&c, "1.1"), 2);
    assert_near(node_points(&c, "1.2"), 2);
    assert_near(node_points(&c, "1.3"), 2);
    char line[512];
    cr_assert_str_eq(node_line(&c, "1.1", line, sizeof line),
                     "1.1 tỷ lệ: 36/90 = 40% ≥ chỉ tiêu 40% → 2/2 điểm");
    computed_free(&c);
    /* 762/4080 = 18,67%: zero; proportional; the band of 10% */
    c = compute_year(test_scheme, "{\"measurements\":{\"n\":762,\"d\":4080}}");
    assert_near(node_points(&c, "1.1"), 0);
    assert_near(node_points(&c, "1.2"), 2 * (100.0 * 762 / 4080) / 40);
    assert_near(node_points(&c, "1.3"), 0.5);
    cr_assert_str_eq(node_line(&c, "1.1", line, sizeof line),
                     "1.1 tỷ lệ: 762/4080 = 18,67% < chỉ tiêu 40% → 0/2 điểm");
    cr_assert_str_eq(node_line(&c, "1.2", line, sizeof line),
                     "1.2 tỷ lệ theo tỷ lệ: 762/4080 = 18,67% < chỉ tiêu 40%, tính theo tỷ lệ "
                     "18,67/40 → 0,93/2 điểm");
    cr_assert_str_eq(node_line(&c, "1.3", line, sizeof line),
                     "1.3 tỷ lệ theo mức: 762/4080 = 18,67% < chỉ tiêu 40%, đạt mức ≥ 10% → "
                     "0,5/2 điểm");
    computed_free(&c);
}

Test(score_rules, ratio_without_data_or_denominator)
{
    computed_t c = compute_year(test_scheme, "{\"measurements\":{\"n\":5}}");
    cr_assert_eq(c.r->nodes[score_scheme_find(c.scheme, "1.1")].state, SCORE_STATE_NO_DATA);
    assert_near(node_points(&c, "1.1"), 0);
    char line[512];
    cr_assert_str_eq(node_line(&c, "1.1", line, sizeof line),
                     "1.1 tỷ lệ: không có số liệu (n, d) → 0/2 điểm");
    computed_free(&c);
    c = compute_year(test_scheme, "{\"measurements\":{\"n\":0,\"d\":0}}");
    cr_assert_str_eq(node_line(&c, "1.1", line, sizeof line),
                     "1.1 tỷ lệ: d = 0, không tính được tỷ lệ → 0/2 điểm");
    computed_free(&c);
}

Test(score_rules, ratio_over_100_and_contradiction_are_checked)
{
    computed_t c = compute_year(test_scheme, "{\"measurements\":{\"n\":50,\"d\":40}}");
    assert_near(node_points(&c, "1.1"), 2);
    cr_assert(has_check(c.r, SCORE_CHECK_OVER_100));
    cr_assert(has_check(c.r, SCORE_CHECK_CONTRADICTION)); /* consistency: n <= d */
    bool found = false;
    for (size_t i = 0; i < c.r->nchecks; i++)
        found = found || strstr(c.r->checks[i].message, "50/40 = 125% vượt 100%");
    cr_assert(found, "%s", c.r->checks[0].message);
    computed_free(&c);
}

Test(score_rules, bands_at_least_and_above)
{
    const char *cases[][2] = {{"95", "2"}, {"90", "1"}, {"90.5", "2"}, {"70", "1"}, {"69.9", "0"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char year[128];
        snprintf(year, sizeof year, "{\"measurements\":{\"m\":%s}}", cases[i][0]);
        computed_t c = compute_year(test_scheme, year);
        assert_near(node_points(&c, "1.4"), atof(cases[i][1]));
        computed_free(&c);
    }
}

Test(score_rules, deliverable_on_time_late_missing_unknown)
{
    const char *cases[][3] = {{"on_time", "2", "gửi đúng hạn → 2/2 điểm"},
                              {"late", "1", "gửi trễ hạn → 1/2 điểm"},
                              {"missing", "0", "không gửi → 0/2 điểm"}};
    char line[512];
    for (size_t i = 0; i < 3; i++) {
        char year[128];
        snprintf(year, sizeof year, "{\"deliverables\":{\"k\":\"%s\"}}", cases[i][0]);
        computed_t c = compute_year(test_scheme, year);
        assert_near(node_points(&c, "1.5"), atof(cases[i][1]));
        cr_assert(strstr(node_line(&c, "1.5", line, sizeof line), cases[i][2]), "%s", line);
        computed_free(&c);
    }
    computed_t c = compute_year(test_scheme, "{}");
    assert_near(node_points(&c, "1.5"), 0);
    cr_assert(strstr(node_line(&c, "1.5", line, sizeof line), "không có kết quả theo dõi (k)"));
    computed_free(&c);
}

Test(score_rules, plan_completion_bands)
{
    /* > 90% → 2; 70-90% (90 included) → 1; below 70% → 0 */
    const char *cases[][2] = {{"38", "2"}, {"36", "1"}, {"28", "1"}, {"27", "0"}};
    for (size_t i = 0; i < 4; i++) {
        char year[128];
        snprintf(year, sizeof year, "{\"plans\":{\"p\":{\"tasks\":40,\"on_time\":%s}}}",
                 cases[i][0]);
        computed_t c = compute_year(test_scheme, year);
        assert_near(node_points(&c, "2.1"), atof(cases[i][1]));
        computed_free(&c);
    }
    computed_t c = compute_year(test_scheme, "{\"plans\":{\"p\":{\"tasks\":40,\"on_time\":38}}}");
    char line[512];
    cr_assert_str_eq(node_line(&c, "2.1", line, sizeof line),
                     "2.1 hoàn thành: 38/40 nhiệm vụ hoàn thành đúng hạn = 95%, đạt mức > 90% "
                     "→ 2/2 điểm");
    computed_free(&c);
    c = compute_year(test_scheme, "{\"plans\":{\"p\":{\"tasks\":40,\"on_time\":41}}}");
    cr_assert(has_check(c.r, SCORE_CHECK_CONTRADICTION));
    computed_free(&c);
}

Test(score_rules, manual_points_with_evidence)
{
    computed_t c = compute_year(test_scheme, "{\"manual\":{\"2.2\":{\"points\":6.5,\"evidence\":"
                                             "\"Biên bản thẩm định\"}}}");
    assert_near(node_points(&c, "2.2"), 6.5);
    char line[512];
    cr_assert_str_eq(node_line(&c, "2.2", line, sizeof line),
                     "2.2 thẩm định: thẩm định 6,5/8 điểm (căn cứ: Biên bản thẩm định)");
    cr_assert_str_eq(node_line(&c, "3.1", line, sizeof line), "3.1 c: chưa thẩm định → 0/5 điểm");
    computed_free(&c);
}

Test(score_rules, survey_proportional)
{
    computed_t c = compute_year(test_scheme, "{\"survey\":99.5}");
    assert_near(node_points(&c, "9.1"), 25 * 0.995);
    cr_assert(c.r->has_survey);
    cr_assert_not(c.r->survey_scaled);
    assert_near(c.r->survey_points, 24.875);
    computed_free(&c);
}

Test(score_rules, deductions_penalties_bonus_with_caps)
{
    computed_t c = compute_year(
        test_scheme, "{" BASE_MANUAL ",\"measurements\":{\"n\":4,\"d\":10,\"m\":95},"
                     "\"deliverables\":{\"k\":\"on_time\"},"
                     "\"adjustments\":{\"1.6\":[{\"points\":0.5,\"reason\":\"trễ báo cáo\"},"
                     "{\"points\":0.75}],\"2.3\":[{\"points\":1.5}],"
                     "\"2.4\":[{\"points\":4,\"reason\":\"vi phạm\"}]}}");
    assert_near(node_points(&c, "1.6"), -1);  /* 1,25 capped at 1 */
    assert_near(node_points(&c, "2.3"), 1.5); /* bonus */
    assert_near(node_points(&c, "2.4"), -3);  /* 4 capped at 3 */
    /* area 1: 2+2+2+2+2-1 = 9; area 2: 0+8+1,5-3 = 6,5 */
    assert_near(node_points(&c, "1"), 9);
    assert_near(node_points(&c, "2"), 6.5);
    char line[512];
    cr_assert_str_eq(node_line(&c, "1.6", line, sizeof line),
                     "1.6 điểm trừ: trừ 1,25 điểm (2 lần: trễ báo cáo…), tối đa 1 → -1 điểm");
    computed_free(&c);
    /* a bonus cannot lift an area over its max */
    c = compute_year(test_scheme, "{" BASE_MANUAL ",\"plans\":{\"p\":{\"tasks\":1,\"on_time\":1}},"
                                  "\"adjustments\":{\"2.3\":[{\"points\":2}]}}");
    assert_near(node_points(&c, "2"), 10);
    computed_free(&c);
}

Test(score_rules, not_applicable_area_scores_on_remaining_max)
{
    computed_t c = compute_year(test_scheme, "{" BASE_MANUAL ",\"survey\":100,"
                                             "\"not_applicable\":[\"1\"]}");
    /* area 1 (max 10) out: 8 + 5 + 25 of 40 */
    assert_near(c.r->max, 40);
    assert_near(c.r->points, 38);
    assert_near(c.r->index, 95);
    assert_near(c.r->score, 47.5); /* on the scheme's 50 */
    cr_assert_eq(c.r->nodes[score_scheme_find(c.scheme, "1.1")].state, SCORE_STATE_NA);
    char line[512];
    cr_assert_str_eq(node_line(&c, "1", line, sizeof line),
                     "1 A: không áp dụng → không tính (bớt 10 điểm khỏi điểm tối đa)");
    computed_free(&c);
    /* a leaf N/A takes its max out of its area */
    c = compute_year(test_scheme, "{" BASE_MANUAL ",\"not_applicable\":[\"2.1\"]}");
    assert_near(c.r->nodes[score_scheme_find(c.scheme, "2")].max, 8);
    assert_near(node_points(&c, "2"), 8);
    computed_free(&c);
}

Test(score_rules, without_survey_the_appraisal_is_scaled)
{
    computed_t c = compute_year(test_scheme, "{" BASE_MANUAL "}");
    cr_assert_not(c.r->has_survey);
    cr_assert(c.r->survey_scaled);
    assert_near(c.r->max, 25);
    assert_near(c.r->points, 13);
    assert_near(c.r->index, 52);
    assert_near(c.r->score, 26);
    char line[512];
    score_explain_total(c.r, line, sizeof line);
    cr_assert(strstr(line, "không có điều tra xã hội học → quy về thang 50: 26 điểm"), "%s", line);
    computed_free(&c);
}

Test(score_rules, grades)
{
    cr_assert_eq(score_grade(100), SCORE_GRADE_A);
    cr_assert_eq(score_grade(90), SCORE_GRADE_A);
    cr_assert_eq(score_grade(89.996), SCORE_GRADE_A); /* published as 90,00 */
    cr_assert_eq(score_grade(89.99), SCORE_GRADE_B);
    cr_assert_eq(score_grade(80), SCORE_GRADE_B);
    cr_assert_eq(score_grade(79.99), SCORE_GRADE_C);
    cr_assert_eq(score_grade(70), SCORE_GRADE_C);
    cr_assert_eq(score_grade(69.99), SCORE_GRADE_D);
    cr_assert_str_eq(score_grade_name(SCORE_GRADE_B), "B");
}

Test(score_rules, numbers_have_decimal_commas)
{
    char b[24];
    cr_assert_str_eq(score_format_number(18.666, b, sizeof b), "18,67");
    cr_assert_str_eq(score_format_number(2.5, b, sizeof b), "2,5");
    cr_assert_str_eq(score_format_number(30, b, sizeof b), "30");
    cr_assert_str_eq(score_format_number(-0.5, b, sizeof b), "-0,5");
    cr_assert_str_eq(score_format_number(-0.001, b, sizeof b), "0");
    cr_assert_str_eq(score_format_percent(100.0 * 762 / 4080, b, sizeof b), "18,67");
    cr_assert_str_eq(score_format_percent(100.0 * 36 / 90, b, sizeof b), "40");
}

Test(score_rules, incremental_update_of_one_measurement)
{
    computed_t c = compute_year(test_scheme, "{\"measurements\":{\"n\":10,\"d\":100}}");
    assert_near(node_points(&c, "1.1"), 0);
    cr_assert_eq(score_input_set_measurement(c.in, "n", 45), 3); /* three ratio leaves */
    cr_assert_eq(score_input_set_measurement(c.in, "unused", 1), 0);
    score_compute(c.in, c.r);
    assert_near(node_points(&c, "1.1"), 2);
    assert_near(node_points(&c, "1"), 6);
    cr_assert_eq(score_input_set_outcome(c.in, "k", SCORE_OUTCOME_LATE), 1);
    cr_assert_eq(score_input_set_plan(c.in, "p", 10, 10), 1);
    cr_assert_eq(score_input_set_manual(c.in, "2.2", 3, "x"), 1);
    cr_assert_eq(score_input_set_manual(c.in, "2.1", 3, "x"), 0); /* not appraised */
    score_input_set_survey(c.in, true, 80);
    score_compute(c.in, c.r);
    assert_near(node_points(&c, "1.5"), 1);
    assert_near(node_points(&c, "2"), 5);
    assert_near(node_points(&c, "9"), 20);
    computed_free(&c);
}
