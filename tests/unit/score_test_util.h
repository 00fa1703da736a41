/* score_test_util.h - shared helpers for the scoring unit tests
 *
 * A small scheme with one leaf of every rule kind, and helpers that read a
 * scheme and data from text and compute one unit, failing the test with the
 * reader's message when either is refused.
 */
#ifndef PARTRACK_SCORE_TEST_UTIL_H
#define PARTRACK_SCORE_TEST_UTIL_H

#include "scheme_file.h"
#include "score_compute.h"
#include "score_data.h"
#include "score_explain.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* max 50: areas 1 (10), 2 (10), 3 (5), 9 survey (25) */
static const char test_scheme[] =
    "{\"format\":1,\"code\":\"t\",\"name\":\"Thử\",\"year\":2023,\"level\":\"ward\",\"areas\":["
    "{\"code\":\"1\",\"name\":\"A\",\"max\":10,\"children\":["
    " {\"code\":\"1.1\",\"name\":\"tỷ lệ\",\"max\":2,\"rule\":{\"kind\":\"ratio\","
    "   \"numerator\":\"n\",\"denominator\":\"d\",\"target\":40}},"
    " {\"code\":\"1.2\",\"name\":\"tỷ lệ theo tỷ lệ\",\"max\":2,\"rule\":{\"kind\":\"ratio\","
    "   \"numerator\":\"n\",\"denominator\":\"d\",\"target\":40,\"below\":\"proportional\"}},"
    " {\"code\":\"1.3\",\"name\":\"tỷ lệ theo mức\",\"max\":2,\"rule\":{\"kind\":\"ratio\","
    "   \"numerator\":\"n\",\"denominator\":\"d\",\"target\":40,"
    "   \"below\":[{\"at_least\":20,\"points\":1},{\"at_least\":10,\"points\":0.5}]}},"
    " {\"code\":\"1.4\",\"name\":\"mức\",\"max\":2,\"rule\":{\"kind\":\"bands\","
    "   \"measurement\":\"m\",\"bands\":[{\"above\":90,\"points\":2},{\"at_least\":70,"
    "   \"points\":1}]}},"
    " {\"code\":\"1.5\",\"name\":\"kế hoạch\",\"max\":2,\"rule\":{\"kind\":\"deliverable\","
    "   \"task\":\"k\",\"on_time\":2,\"late\":1}},"
    " {\"code\":\"1.6\",\"name\":\"điểm trừ\",\"rule\":{\"kind\":\"deduction\",\"cap\":1}}]},"
    "{\"code\":\"2\",\"name\":\"B\",\"max\":10,\"children\":["
    " {\"code\":\"2.1\",\"name\":\"hoàn thành\",\"max\":2,\"rule\":{\"kind\":\"plan_completion\","
    "   \"plan\":\"p\",\"bands\":[{\"above\":90,\"points\":2},{\"at_least\":70,\"points\":1}]}},"
    " {\"code\":\"2.2\",\"name\":\"thẩm định\",\"max\":8,\"rule\":{\"kind\":\"manual\"}},"
    " {\"code\":\"2.3\",\"name\":\"điểm thưởng\",\"rule\":{\"kind\":\"bonus\",\"cap\":2}},"
    " {\"code\":\"2.4\",\"name\":\"điểm phạt\",\"max\":0,\"rule\":{\"kind\":\"penalty\","
    "   \"cap\":3}}]},"
    "{\"code\":\"3\",\"name\":\"C\",\"max\":5,\"children\":["
    " {\"code\":\"3.1\",\"name\":\"c\",\"max\":5,\"rule\":{\"kind\":\"manual\"}}]},"
    "{\"code\":\"9\",\"name\":\"Khảo sát\",\"max\":25,\"children\":["
    " {\"code\":\"9.1\",\"name\":\"SIPAS\",\"max\":25,\"rule\":{\"kind\":\"survey\"}}]}],"
    "\"consistency\":[{\"parts\":[\"n\"],\"at_most\":\"d\"}]}";

static inline score_scheme_t *scheme_from(const char *text)
{
    char err[512] = "";
    score_scheme_t *s = scheme_file_parse(text, strlen(text), "t.json", err, sizeof err);
    cr_assert(s, "scheme refused: %s", err);
    return s;
}

static inline score_data_t *data_from(const char *text)
{
    char err[512] = "";
    problems_t *p = calloc(1, sizeof *p);
    score_data_t *d = score_data_parse(text, strlen(text), "d.json", p, err, sizeof err);
    cr_assert(d, "data refused: %s: %s: %s", err, p->n ? p->items[0].field : "",
              p->n ? p->items[0].message : "");
    problems_clear(p);
    free(p);
    return d;
}

/* A data file of unit U with the years given ("\"2023\": {...}, ..."). */
static inline score_data_t *years_data(const char *years)
{
    size_t len = strlen(years) + 200;
    char *text = malloc(len);
    cr_assert(text);
    snprintf(text, len,
             "{\"format\":1,\"units\":[{\"code\":\"U\",\"name\":\"Phường U\","
             "\"kind\":\"ward\",\"years\":{%s}}]}",
             years);
    score_data_t *d = data_from(text);
    free(text);
    return d;
}

/* The year-2023 facts of a one-unit data file whose year object is `year`. */
static inline score_data_t *unit_data(const char *year)
{
    size_t len = strlen(year) + 16;
    char *years = malloc(len);
    cr_assert(years);
    snprintf(years, len, "\"2023\":%s", year);
    score_data_t *d = years_data(years);
    free(years);
    return d;
}

typedef struct {
    score_scheme_t *scheme;
    score_data_t *data;
    score_input_t *in;
    score_result_t *r;
} computed_t;

static inline computed_t compute_year(const char *scheme_text, const char *year)
{
    computed_t c = {scheme_from(scheme_text), unit_data(year), NULL, NULL};
    c.in = score_input_new(c.scheme);
    c.r = score_result_new(c.scheme);
    cr_assert(c.in && c.r);
    score_input_bind(c.in, &c.data->units[0].years[0]);
    score_compute(c.in, c.r);
    return c;
}

static inline void computed_free(computed_t *c)
{
    score_input_destroy(&c->in);
    score_result_destroy(&c->r);
    score_data_destroy(&c->data);
    score_scheme_destroy(&c->scheme);
}

static inline double node_points(const computed_t *c, const char *code)
{
    int i = score_scheme_find(c->scheme, code);
    cr_assert(i >= 0, "no node %s", code);
    return c->r->nodes[i].points;
}

static inline const char *node_line(const computed_t *c, const char *code, char *buf, size_t len)
{
    int i = score_scheme_find(c->scheme, code);
    cr_assert(i >= 0, "no node %s", code);
    score_explain_node(c->in, c->r, i, buf, len);
    return buf;
}

static inline bool has_check(const score_result_t *r, score_check_kind_t kind)
{
    for (size_t i = 0; i < r->nchecks; i++)
        if (r->checks[i].kind == kind)
            return true;
    return false;
}

#define assert_near(a, b)                                                                          \
    cr_assert_float_eq((double)(a), (double)(b), 1e-6, "%g != %g", (double)(a), (double)(b))

#endif
