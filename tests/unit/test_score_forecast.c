/* test_score_forecast.c - the year-end forecast: trends, clamping, open items, assumptions
 *
 * Most tests forecast one unit of the small scheme in score_test_util.h
 * (year 2023) from facts written inline, with an as-of date chosen to land
 * before or after a due date; the last ones read the Phú Lãm first-quarter
 * fixture with the sample scheme.
 */
#include "score_forecast.h"
#include "score_period.h"
#include "score_test_util.h"

#include <math.h>

typedef struct {
    score_scheme_t *scheme;
    score_data_t *data;
    score_forecast_t *f;
} forecast_t;

static forecast_t forecast(const char *years, const char *as_of)
{
    forecast_t x = {scheme_from(test_scheme), years_data(years), NULL};
    int day;
    cr_assert(score_date_parse(as_of, &day));
    char err[128];
    const score_unit_t *u = &x.data->units[0];
    x.f = score_forecast_new(x.scheme, score_unit_year(u, 2023), score_unit_year(u, 2022), day, err,
                             sizeof err);
    cr_assert(x.f, "%s", err);
    return x;
}

static void forecast_free(forecast_t *x)
{
    score_forecast_destroy(&x->f);
    score_data_destroy(&x->data);
    score_scheme_destroy(&x->scheme);
}

static double points_of(const forecast_t *x, const char *code)
{
    int i = score_scheme_find(x->scheme, code);
    cr_assert(i > 0, "no node %s", code);
    return x->f->result->nodes[i].points;
}

/* The assumption about node `code` ("" for the general ones: any). */
static const char *assumption(const forecast_t *x, const char *code)
{
    int node = *code ? score_scheme_find(x->scheme, code) : -1;
    for (size_t i = 0; i < x->f->nassumptions; i++)
        if (x->f->assumptions[i].node == node)
            return x->f->assumptions[i].text;
    return NULL;
}

static const score_measurement_t *measured(const forecast_t *x, const char *code)
{
    const score_measurement_t *m = score_facts_measurement(&x->f->facts, code);
    cr_assert(m, "no forecast measurement %s", code);
    return m;
}

Test(score_forecast, linear_trend)
{
    double x[] = {1, 2, 3}, y[] = {18, 24, 29};
    assert_near(score_trend_at(x, y, 3, 4), 23.0 + 2.0 / 3.0 + 2 * 5.5); /* 34,67 */
    assert_near(score_trend_at(x, y, 1, 4), 18);                         /* one point: flat */
    double same[] = {2, 2};
    assert_near(score_trend_at(same, y, 2, 5), 21); /* no spread in x: the mean */
}

Test(score_forecast, series_year_values)
{
    score_series_point_t months[] = {{1, 72}, {2, 55}, {3, 101}};
    score_series_t s = {"n", SCORE_COMBINE_SUM, 12, months, 3};
    score_trend_t how;
    /* 228 so far; months 4..12 on the line 76 + 14,5 (m - 2): 9 x 163 */
    assert_near(score_series_year_value(&s, &how), 228 + 9 * 163);
    cr_assert_eq(how, SCORE_TREND_LINEAR);
    score_series_point_t q1[] = {{1, 31}};
    score_series_t to_date = {"t", SCORE_COMBINE_TO_DATE, 4, q1, 1};
    assert_near(score_series_year_value(&to_date, &how), 124); /* from 0 on 1 January */
    cr_assert_eq(how, SCORE_TREND_LINEAR);
    score_series_t level = {"l", SCORE_COMBINE_LEVEL, 4, q1, 1};
    assert_near(score_series_year_value(&level, &how), 31);
    cr_assert_eq(how, SCORE_TREND_FLAT);
    score_series_point_t falling[] = {{1, 30}, {2, 10}};
    score_series_t down = {"d", SCORE_COMBINE_SUM, 4, falling, 2};
    assert_near(score_series_year_value(&down, &how), 40); /* -10, -30 cut to 0 */
    score_series_point_t all[] = {{1, 1}, {2, 2}, {3, 3}, {4, 4}};
    score_series_t whole = {"w", SCORE_COMBINE_SUM, 4, all, 4};
    assert_near(score_series_year_value(&whole, &how), 10);
    cr_assert_eq(how, SCORE_TREND_EXACT);
}

Test(score_forecast, trend_of_a_ratio_and_its_assumption)
{
    forecast_t x = forecast(
        "\"2023\":{\"series\":{\"n\":{\"values\":{\"2023-Q1\":18,\"2023-Q2\":24,\"2023-Q3\":29}},"
        "\"d\":{\"values\":{\"2023-Q1\":100,\"2023-Q2\":100,\"2023-Q3\":100}}}}",
        "2023-09-30");
    /* Q4: 34,67 of 100 -> the year 105,67/400 = 26,41% */
    assert_near(measured(&x, "n")->value, 71 + 34 + 2.0 / 3.0);
    assert_near(measured(&x, "d")->value, 400);
    cr_assert_str_eq(assumption(&x, "1.1"),
                     "1.1 tỷ lệ: 3 quý (18% → 24% → 29%), dự báo cả năm 105,67/400 = 26,41% "
                     "(tuyến tính)");
    /* the so-far measurement was filled from the series: 71 of 300 */
    assert_near(score_facts_measurement(&x.data->units[0].years[0], "n")->value, 71);
    forecast_free(&x);
}

Test(score_forecast, rates_are_cut_at_100_unless_they_may_exceed)
{
    forecast_t x = forecast("\"2023\":{\"series\":{"
                            "\"n\":{\"values\":{\"2023-01\":10,\"2023-02\":30,\"2023-03\":50}}},"
                            "\"measurements\":{\"d\":100}}",
                            "2023-03-31");
    /* n runs to 10+30+50 + 70..230: far over d = 100 (kept: no series) */
    assert_near(measured(&x, "n")->value, 100);
    assert_near(measured(&x, "d")->value, 100);
    cr_assert(strstr(assumption(&x, "1.1"), "chặn ở 100%"), "%s", assumption(&x, "1.1"));
    cr_assert(strstr(assumption(&x, "1.1"), "d: giữ số liệu đến nay"), "%s", assumption(&x, "1.1"));
    assert_near(points_of(&x, "1.1"), 2);
    forecast_free(&x);
    /* a % measurement that may exceed 100 (tax collected) is not cut */
    const char *scheme_text =
        "{\"format\":1,\"code\":\"t\",\"name\":\"T\",\"year\":2023,\"level\":\"ward\","
        "\"areas\":[{\"code\":\"1\",\"name\":\"A\",\"max\":3,\"children\":["
        "{\"code\":\"1.1\",\"name\":\"thu\",\"max\":1,\"rule\":{\"kind\":\"ratio\","
        "\"measurement\":\"tax\",\"target\":100,\"may_exceed\":true}},"
        "{\"code\":\"1.2\",\"name\":\"ký số\",\"max\":2,\"rule\":{\"kind\":\"ratio\","
        "\"measurement\":\"signed\",\"target\":90,\"below\":\"proportional\"}}]}]}";
    score_scheme_t *s = scheme_from(scheme_text);
    score_data_t *d = years_data(
        "\"2023\":{\"series\":{\"tax\":{\"combine\":\"to_date\",\"values\":{\"2023-Q1\":31}},"
        "\"signed\":{\"combine\":\"level\",\"values\":{\"2023-Q1\":80,\"2023-Q2\":95}}}}");
    int day;
    cr_assert(score_date_parse("2023-06-30", &day));
    char err[128];
    score_forecast_t *f = score_forecast_new(s, &d->units[0].years[0], NULL, day, err, sizeof err);
    cr_assert(f);
    assert_near(score_facts_measurement(&f->facts, "tax")->value, 124);
    assert_near(score_facts_measurement(&f->facts, "signed")->value, 100); /* 125 cut */
    score_forecast_destroy(&f);
    score_data_destroy(&d);
    score_scheme_destroy(&s);
}

/* 9 of 10 plan tasks on time so far: the share is 90%. Deliverable k (1.5)
 * earns 2 on time, 1 late, 0 missing. */
#define SHARE_90 "\"plans\":{\"p\":{\"tasks\":10,\"on_time\":9}}"

Test(score_forecast, open_deliverable_weighted_by_the_share)
{
    forecast_t x = forecast("\"2023\":{" SHARE_90 ",\"deliverables\":{\"k\":{\"due\":"
                            "\"2023-06-30\",\"status\":\"on_track\"}}}",
                            "2023-03-31");
    assert_near(x.f->on_time_share, 0.9);
    assert_near(points_of(&x, "1.5"), 0.9 * 2 + 0.1 * 1);
    cr_assert_str_eq(assumption(&x, "1.5"),
                     "1.5 kế hoạch: chưa đến hạn (hạn 30/06/2023), tính là đúng hạn theo tỷ lệ "
                     "đúng hạn của đơn vị 90% (đến nay 9/10 việc)");
    char line[512];
    score_explain_node(x.f->in, x.f->result, score_scheme_find(x.scheme, "1.5"), line, sizeof line);
    cr_assert_str_eq(line, "1.5 kế hoạch: dự kiến đúng hạn với xác suất 90%, còn lại trễ hạn → "
                           "1,9/2 điểm");
    forecast_free(&x);
}

Test(score_forecast, as_of_before_and_after_the_due_date)
{
    const char *year = "\"2023\":{" SHARE_90 ",\"deliverables\":{\"k\":{\"due\":\"2023-03-19\","
                       "\"status\":\"not_started\"}}}";
    forecast_t x = forecast(year, "2023-03-19"); /* due today: not late yet */
    assert_near(points_of(&x, "1.5"), 1.9);
    cr_assert(strstr(assumption(&x, "1.5"), "chưa đến hạn (hạn 19/03/2023, chưa bắt đầu)"));
    forecast_free(&x);
    x = forecast(year, "2023-03-31");
    assert_near(points_of(&x, "1.5"), 1);
    cr_assert_str_eq(assumption(&x, "1.5"),
                     "1.5 kế hoạch: quá hạn 12 ngày (hạn 19/03/2023), tính là trễ");
    cr_assert_eq(x.f->facts.deliverables[0].outcome, SCORE_OUTCOME_LATE);
    forecast_free(&x);
    /* said overdue without a date */
    x = forecast("\"2023\":{\"deliverables\":{\"k\":{\"status\":\"overdue\"}}}", "2023-03-31");
    assert_near(points_of(&x, "1.5"), 1);
    cr_assert_str_eq(assumption(&x, "1.5"), "1.5 kế hoạch: quá hạn, tính là trễ");
    forecast_free(&x);
}

Test(score_forecast, past_the_year_is_missing)
{
    forecast_t x = forecast("\"2023\":{" SHARE_90 ",\"deliverables\":{\"k\":{\"due\":"
                            "\"2024-01-10\",\"status\":\"on_track\"}}}",
                            "2023-03-31");
    assert_near(points_of(&x, "1.5"), 0);
    cr_assert_str_eq(assumption(&x, "1.5"),
                     "1.5 kế hoạch: hạn 10/01/2024, sau cuối năm: tính là không gửi");
    forecast_free(&x);
    x = forecast("\"2023\":{" SHARE_90 ",\"deliverables\":{\"k\":{\"due\":\"2023-12-15\"}}}",
                 "2024-01-05");
    assert_near(points_of(&x, "1.5"), 0);
    cr_assert_str_eq(assumption(&x, "1.5"),
                     "1.5 kế hoạch: hết năm 2023 vẫn chưa gửi: tính là không gửi");
    forecast_free(&x);
}

Test(score_forecast, known_outcomes_stay_and_set_the_share)
{
    forecast_t x = forecast("\"2023\":{\"deliverables\":{\"k\":\"late\"}}", "2023-03-31");
    assert_near(points_of(&x, "1.5"), 1);
    cr_assert_null(assumption(&x, "1.5"));
    assert_near(x.f->on_time_share, 0); /* 0 of 1 closed on time */
    forecast_free(&x);
    /* nothing closed this year: last year's share; nothing then either: 100% */
    x = forecast("\"2023\":{\"plans\":{\"p\":{\"tasks\":0,\"on_time\":0,\"open\":10}}},"
                 "\"2022\":{\"plans\":{\"p\":{\"tasks\":4,\"on_time\":3}}}",
                 "2023-01-15");
    assert_near(x.f->on_time_share, 0.75);
    cr_assert_eq(x.f->share_year, 2022);
    cr_assert(strstr(assumption(&x, "1.5"), "chưa có trong theo dõi"));
    cr_assert(strstr(assumption(&x, "1.5"), "năm trước 3/4 việc"), "%s", assumption(&x, "1.5"));
    forecast_free(&x);
    x = forecast("\"2023\":{}", "2023-01-15");
    assert_near(x.f->on_time_share, 1);
    cr_assert(strstr(assumption(&x, "1.5"), "chưa có việc nào đến hạn, tính 100%"));
    forecast_free(&x);
}

Test(score_forecast, plan_tasks_not_yet_due)
{
    forecast_t x = forecast("\"2023\":{\"plans\":{\"p\":{\"tasks\":10,\"on_time\":9,\"open\":30}}}",
                            "2023-03-31");
    const score_plan_fact_t *p = score_facts_plan(&x.f->facts, "p");
    assert_near(p->tasks, 40);
    assert_near(p->on_time, 9 + 0.9 * 30);
    assert_near(points_of(&x, "2.1"), 1); /* 90% is not above 90 */
    cr_assert_str_eq(assumption(&x, "2.1"),
                     "2.1 hoàn thành: đến nay 9/10 nhiệm vụ đúng hạn; 30 nhiệm vụ chưa đến hạn "
                     "tính là đúng hạn theo tỷ lệ đúng hạn của đơn vị 90% (đến nay 9/10 việc) → "
                     "cả năm 36/40 = 90%");
    forecast_free(&x);
}

Test(score_forecast, appraisal_and_survey_kept_or_last_years)
{
    forecast_t x = forecast("\"2023\":{\"manual\":{\"3.1\":4}},"
                            "\"2022\":{\"manual\":{\"2.2\":6,\"3.1\":5},\"survey\":90,"
                            "\"measurements\":{\"m\":95}}",
                            "2023-03-31");
    assert_near(points_of(&x, "2.2"), 6);
    assert_near(points_of(&x, "3.1"), 4);
    assert_near(points_of(&x, "9.1"), 22.5);
    assert_near(points_of(&x, "1.4"), 2); /* m from 2022 */
    bool kept = false, last = false;
    for (size_t i = 0; i < x.f->nassumptions; i++) {
        const char *t = x.f->assumptions[i].text;
        kept = kept || !strcmp(t, "Điểm thẩm định đã có năm 2023, giữ nguyên: 3.1 (4/5)");
        last = last || !strcmp(t, "Điểm thẩm định chưa có năm 2023, giữ điểm năm 2022: 2.2 (6/8)");
    }
    cr_assert(kept && last);
    cr_assert_str_eq(assumption(&x, "9.1"),
                     "9.1 SIPAS: chưa có kết quả năm 2023, giữ kết quả năm 2022: 90%");
    cr_assert_str_eq(assumption(&x, "1.4"), "1.4 mức: dự báo cả năm 95 (số liệu năm 2022)");
    forecast_free(&x);
}

Test(score_forecast, reader_checks_series_and_open_items)
{
    const char *bad[] = {
        "{\"series\":{\"n\":{\"values\":{\"2023-13\":1}}}}",
        "{\"series\":{\"n\":{\"values\":{\"2022-01\":1}}}}",
        "{\"series\":{\"n\":{\"values\":{\"2023-01\":1,\"2023-Q2\":1}}}}",
        "{\"series\":{\"n\":{\"combine\":\"mean\",\"values\":{\"2023-01\":1}}}}",
        "{\"deliverables\":{\"k\":{}}}",
        "{\"deliverables\":{\"k\":{\"due\":\"2023-02-30\"}}}",
        "{\"deliverables\":{\"k\":{\"status\":\"late\"}}}",
        "{\"as_of\":\"31/03/2023\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512], err[256];
        snprintf(text, sizeof text,
                 "{\"format\":1,\"units\":[{\"code\":\"U\",\"name\":\"U\",\"kind\":\"ward\","
                 "\"years\":{\"2023\":%s}}]}",
                 bad[i]);
        problems_t *p = calloc(1, sizeof *p);
        score_data_t *d = score_data_parse(text, strlen(text), "d.json", p, err, sizeof err);
        cr_assert_null(d, "accepted %s", bad[i]);
        problems_clear(p);
        free(p);
    }
}

static score_forecast_t *phulam_q1(score_scheme_t **s, score_data_t **d, const char *as_of)
{
    char err[512];
    *s = scheme_file_load(PARTRACK_SOURCE_DIR "/deploy/sample/schemes/hanoi-ward.json", err,
                          sizeof err);
    cr_assert(*s, "%s", err);
    problems_t *p = calloc(1, sizeof *p);
    *d = score_data_load(PARTRACK_SOURCE_DIR "/tests/fixtures/scoring/phulam-2024-q1.json", p, err,
                         sizeof err);
    cr_assert(*d, "%s", err);
    cr_assert_eq(score_data_check_year(*d, *s, 2024, p), 0, "%s", p->n ? p->items[0].message : "");
    problems_clear(p);
    free(p);
    const score_facts_t *f = score_unit_year(&(*d)->units[0], 2024);
    cr_assert(f && f->has_as_of);
    int day = f->as_of;
    if (as_of)
        cr_assert(score_date_parse(as_of, &day));
    score_forecast_t *fc =
        score_forecast_new(*s, f, score_unit_year(&(*d)->units[0], 2023), day, err, sizeof err);
    cr_assert(fc, "%s", err);
    return fc;
}

Test(score_forecast, phulam_first_quarter_2024)
{
    score_scheme_t *s;
    score_data_t *d;
    score_forecast_t *f = phulam_q1(&s, &d, NULL);
    score_input_t *in = score_input_new(s);
    score_result_t *now = score_result_new(s);
    score_input_bind(in, score_unit_year(&d->units[0], 2024));
    score_compute(in, now);
    /* the year so far scores little; the forecast is near 2023's 95,6 */
    cr_assert_lt(now->score, 50);
    cr_assert_gt(f->result->score, 90);
    cr_assert_lt(f->result->score, 97);
    cr_assert_str_eq(f->assumptions[0].text,
                     "Chấm theo bộ tiêu chí năm 2023 (hanoi-ward) cho năm 2024");
    bool overdue = false, online = false;
    for (size_t i = 0; i < f->nassumptions; i++) {
        const char *t = f->assumptions[i].text;
        overdue = overdue || !strcmp(t, "2.2.1 Kế hoạch rà soát VBQPPL: quá hạn 12 ngày (hạn "
                                        "19/03/2024), tính là trễ");
        online = online || strstr(t, "3.3.4 Tỷ lệ hồ sơ TTHC trực tuyến mức độ 3: 3 tháng "
                                     "(20,45% → 22,82% → 25,56%), dự báo cả năm") == t;
    }
    cr_assert(overdue && online);
    score_forecast_destroy(&f);
    score_data_destroy(&d);
    score_scheme_destroy(&s);
    /* the same facts read after the year: every open item is missing */
    f = phulam_q1(&s, &d, "2025-01-15");
    assert_near(f->result->nodes[score_scheme_find(s, "1.3.4")].points, 0);
    score_input_destroy(&in);
    score_result_destroy(&now);
    score_forecast_destroy(&f);
    score_data_destroy(&d);
    score_scheme_destroy(&s);
}
