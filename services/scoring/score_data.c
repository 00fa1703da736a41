/* score_data.c - the scoring data file: units, and per year their facts
 *
 * The file is read whole with jansson and copied into plain arrays (the
 * score_facts_t the service will also fill from its tables), so nothing of
 * jansson outlives the reader. Every problem is collected, each naming its
 * JSON path, so one run shows them all; the data is returned only when there
 * are none. A year in progress may also have an as-of date, series per
 * period and open deliverables (score_data.h); they are checked the same way.
 */
#include "score_data.h"

#include "score_period.h"
#include "text.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UNITS 100000

typedef struct {
    const char *file;
    problems_t *problems;
    size_t before;
} reader_t;

/* snprintf for JSON paths: a path cut short is still a good message. */
__attribute__((format(printf, 3, 4))) static void path_fmt(char *dst, size_t n, const char *fmt,
                                                           ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, n, fmt, ap);
    va_end(ap);
}

#define PROBLEM(r, path, ...) problems_add((r)->problems, (r)->file, 0, (path), __VA_ARGS__)

static bool code_ok(const char *t, size_t len)
{
    if (len == 0 || len > 64)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static void check_keys(reader_t *r, json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok)
            PROBLEM(r, path, "unknown key \"%s\"", key);
    }
}

/* NFC text (names, evidence) or NULL with a problem. */
static char *text_of(reader_t *r, json_t *v, const char *path, bool required)
{
    if (!v || json_is_null(v)) {
        if (required)
            PROBLEM(r, path, "is required");
        return NULL;
    }
    if (!json_is_string(v)) {
        PROBLEM(r, path, "must be a string");
        return NULL;
    }
    if (!text_valid_utf8(json_string_value(v), json_string_length(v), NULL)) {
        PROBLEM(r, path, "is not valid UTF-8");
        return NULL;
    }
    char *t = text_clean(json_string_value(v));
    if (t && !*t && required) {
        PROBLEM(r, path, "must not be empty");
        free(t);
        return NULL;
    }
    return t;
}

static char *code_of(reader_t *r, const char *t, const char *path)
{
    if (!code_ok(t, strlen(t))) {
        PROBLEM(r, path, "\"%s\" is not a code (letters, digits, '.', '_', '-')", t);
        return NULL;
    }
    return strdup(t);
}

static bool number_of(reader_t *r, json_t *v, const char *path, double lo, double hi, double *out)
{
    if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < lo ||
        json_number_value(v) > hi) {
        PROBLEM(r, path, "must be a number between %g and %g", lo, hi);
        return false;
    }
    *out = json_number_value(v);
    return true;
}

/* "a.b" as a value: valid until the end of the full expression that uses it
 * (C11 temporary lifetime), so it can be passed straight to a call. */
typedef struct {
    char s[440];
} path_t;

static path_t join(const char *a, const char *b)
{
    path_t p;
    path_fmt(p.s, sizeof p.s, "%s.%s", a, b);
    return p;
}

static void read_measurements(reader_t *r, json_t *obj, const char *path, score_facts_t *f)
{
    if (!json_is_object(obj)) {
        PROBLEM(r, path, "must be an object {code: number}");
        return;
    }
    f->measurements = calloc(json_object_size(obj) + 1, sizeof *f->measurements);
    if (!f->measurements) {
        PROBLEM(r, path, "out of memory");
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        char p[400];
        path_fmt(p, sizeof p, "%s.%s", path, key);
        double x;
        char *code = code_of(r, key, p);
        if (!code || !number_of(r, v, p, 0, 1e15, &x)) {
            free(code);
            continue;
        }
        f->measurements[f->nmeasurements++] = (score_measurement_t){code, x};
    }
}

/* An open occurrence: {"due": "2024-06-10", "status": "on_track"}, either
 * or both. */
static bool read_open(reader_t *r, json_t *v, const char *p, score_deliverable_t *x)
{
    static const char *const keys[] = {"due", "status", "note", NULL};
    static const char *const statuses[] = {"", "not_started", "on_track", "due_soon", "overdue"};
    check_keys(r, v, p, keys);
    json_t *due = json_object_get(v, "due"), *status = json_object_get(v, "status");
    bool ok = true;
    x->open = true;
    if (due && !(json_is_string(due) && score_date_parse(json_string_value(due), &x->due))) {
        PROBLEM(r, join(p, "due").s, "must be a date \"YYYY-MM-DD\"");
        ok = false;
    }
    x->has_due = due && ok;
    if (status) {
        const char *st = json_is_string(status) ? json_string_value(status) : "";
        for (int i = 1; i < 5; i++)
            if (!strcmp(st, statuses[i]))
                x->status = (score_open_status_t)i;
        if (x->status == SCORE_OPEN_UNKNOWN) {
            PROBLEM(r, join(p, "status").s,
                    "must be \"not_started\", \"on_track\", \"due_soon\" or \"overdue\"");
            ok = false;
        }
    }
    if (!due && !status) {
        PROBLEM(r, p, "an open deliverable needs \"due\" or \"status\"");
        ok = false;
    }
    return ok;
}

static void read_deliverables(reader_t *r, json_t *obj, const char *path, score_facts_t *f)
{
    if (!json_is_object(obj)) {
        PROBLEM(r, path, "must be an object {task: \"on_time\" | \"late\" | \"missing\"}");
        return;
    }
    f->deliverables = calloc(json_object_size(obj) + 1, sizeof *f->deliverables);
    if (!f->deliverables) {
        PROBLEM(r, path, "out of memory");
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        char p[400];
        path_fmt(p, sizeof p, "%s.%s", path, key);
        if (json_is_object(v)) {
            score_deliverable_t x = {0};
            if (read_open(r, v, p, &x) && (x.key = code_of(r, key, p)))
                f->deliverables[f->ndeliverables++] = x;
            continue;
        }
        const char *o = json_is_string(v) ? json_string_value(v) : "";
        score_outcome_t outcome = !strcmp(o, "on_time")   ? SCORE_OUTCOME_ON_TIME
                                  : !strcmp(o, "late")    ? SCORE_OUTCOME_LATE
                                  : !strcmp(o, "missing") ? SCORE_OUTCOME_MISSING
                                                          : SCORE_OUTCOME_NONE;
        if (outcome == SCORE_OUTCOME_NONE) {
            PROBLEM(r, p,
                    "must be \"on_time\", \"late\", \"missing\" or, while open, "
                    "{\"due\": \"YYYY-MM-DD\", \"status\": \"on_track\"}");
            continue;
        }
        char *code = code_of(r, key, p);
        if (code)
            f->deliverables[f->ndeliverables++] =
                (score_deliverable_t){.key = code, .outcome = outcome};
    }
}

static void read_plans(reader_t *r, json_t *obj, const char *path, score_facts_t *f)
{
    if (!json_is_object(obj)) {
        PROBLEM(r, path, "must be an object {plan: {\"tasks\": N, \"on_time\": N}}");
        return;
    }
    f->plans = calloc(json_object_size(obj) + 1, sizeof *f->plans);
    if (!f->plans) {
        PROBLEM(r, path, "out of memory");
        return;
    }
    static const char *const keys[] = {"tasks", "on_time", "open", "note", NULL};
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        char p[400];
        path_fmt(p, sizeof p, "%s.%s", path, key);
        if (!json_is_object(v)) {
            PROBLEM(r, p, "must be {\"tasks\": N, \"on_time\": N}");
            continue;
        }
        check_keys(r, v, p, keys);
        score_plan_fact_t x = {0};
        bool ok = number_of(r, json_object_get(v, "tasks"), join(p, "tasks").s, 0, 1e9, &x.tasks);
        ok =
            number_of(r, json_object_get(v, "on_time"), join(p, "on_time").s, 0, 1e9, &x.on_time) &&
            ok;
        json_t *open = json_object_get(v, "open");
        if (open)
            ok = number_of(r, open, join(p, "open").s, 0, 1e9, &x.open) && ok;
        /* more done on time than due is kept: score_compute reports it */
        if (!ok || !(x.key = code_of(r, key, p)))
            continue;
        f->plans[f->nplans++] = x;
    }
}

static void read_manual(reader_t *r, json_t *obj, const char *path, score_facts_t *f)
{
    if (!json_is_object(obj)) {
        PROBLEM(r, path, "must be an object {criterion: {\"points\": P, \"evidence\": \"...\"}}");
        return;
    }
    f->manual = calloc(json_object_size(obj) + 1, sizeof *f->manual);
    if (!f->manual) {
        PROBLEM(r, path, "out of memory");
        return;
    }
    static const char *const keys[] = {"points", "evidence", NULL};
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        char p[400];
        path_fmt(p, sizeof p, "%s.%s", path, key);
        score_manual_t x = {0};
        if (json_is_number(v)) {
            if (!number_of(r, v, p, 0, 10000, &x.points))
                continue;
        } else if (json_is_object(v)) {
            check_keys(r, v, p, keys);
            if (!number_of(r, json_object_get(v, "points"), join(p, "points").s, 0, 10000,
                           &x.points))
                continue;
            x.evidence = text_of(r, json_object_get(v, "evidence"), join(p, "evidence").s, false);
        } else {
            PROBLEM(r, p, "must be {\"points\": P, \"evidence\": \"...\"} or a number");
            continue;
        }
        if (!(x.code = code_of(r, key, p))) {
            free(x.evidence);
            continue;
        }
        f->manual[f->nmanual++] = x;
    }
}

static void read_adjustments(reader_t *r, json_t *obj, const char *path, score_facts_t *f)
{
    if (!json_is_object(obj)) {
        PROBLEM(r, path, "must be an object {criterion: [{\"points\": P, \"reason\": \"...\"}]}");
        return;
    }
    size_t total = 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) total += json_is_array(v) ? json_array_size(v) : 1;
    f->adjustments = calloc(total + 1, sizeof *f->adjustments);
    if (!f->adjustments) {
        PROBLEM(r, path, "out of memory");
        return;
    }
    static const char *const keys[] = {"points", "reason", NULL};
    json_object_foreach(obj, key, v)
    {
        char p[400];
        path_fmt(p, sizeof p, "%s.%s", path, key);
        if (!json_is_array(v)) {
            PROBLEM(r, p, "must be a list of {\"points\": P, \"reason\": \"...\"}");
            continue;
        }
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            char ip[420];
            path_fmt(ip, sizeof ip, "%s[%zu]", p, i);
            if (!json_is_object(item)) {
                PROBLEM(r, ip, "must be {\"points\": P, \"reason\": \"...\"}");
                continue;
            }
            check_keys(r, item, ip, keys);
            score_adjustment_t x = {0};
            if (!number_of(r, json_object_get(item, "points"), join(ip, "points").s, 0, 10000,
                           &x.points))
                continue;
            x.reason = text_of(r, json_object_get(item, "reason"), join(ip, "reason").s, false);
            if (!(x.code = code_of(r, key, p))) {
                free(x.reason);
                continue;
            }
            f->adjustments[f->nadjustments++] = x;
        }
    }
}

static void read_reported(reader_t *r, json_t *obj, const char *path, score_reported_t *rep)
{
    if (!json_is_object(obj)) {
        PROBLEM(r, path, "must be an object");
        return;
    }
    static const char *const keys[] = {"total", "appraisal", "survey", "rank", "of",
                                       "areas", "source",    "note",   NULL};
    check_keys(r, obj, path, keys);
    json_t *v;
    if ((v = json_object_get(obj, "total")))
        rep->has_total = number_of(r, v, join(path, "total").s, 0, 10000, &rep->total);
    if ((v = json_object_get(obj, "appraisal")))
        rep->has_appraisal = number_of(r, v, join(path, "appraisal").s, 0, 10000, &rep->appraisal);
    if ((v = json_object_get(obj, "survey")))
        rep->has_survey = number_of(r, v, join(path, "survey").s, 0, 10000, &rep->survey);
    double rank = 0, of = 0;
    if ((v = json_object_get(obj, "rank")) && number_of(r, v, join(path, "rank").s, 1, 1e6, &rank))
        rep->rank = (int)rank;
    if ((v = json_object_get(obj, "of")) && number_of(r, v, join(path, "of").s, 1, 1e6, &of))
        rep->of = (int)of;
    if (rep->rank && rep->of && rep->rank > rep->of)
        PROBLEM(r, join(path, "rank").s, "is %d of only %d", rep->rank, rep->of);
    rep->source = text_of(r, json_object_get(obj, "source"), join(path, "source").s, false);
    json_t *areas = json_object_get(obj, "areas");
    if (areas && !json_is_object(areas)) {
        PROBLEM(r, join(path, "areas").s, "must be an object {area: points}");
    } else if (areas) {
        rep->areas = calloc(json_object_size(areas) + 1, sizeof *rep->areas);
        if (!rep->areas) {
            PROBLEM(r, path, "out of memory");
            return;
        }
        const char *key;
        json_object_foreach(areas, key, v)
        {
            char p[400];
            path_fmt(p, sizeof p, "%s.areas.%s", path, key);
            score_reported_area_t x = {0};
            if (!number_of(r, v, p, 0, 10000, &x.points) || !(x.code = code_of(r, key, p)))
                continue;
            rep->areas[rep->nareas++] = x;
        }
    }
}

static int point_cmp(const void *a, const void *b)
{
    const score_series_point_t *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

/* {"code": {"combine": "sum", "values": {"2024-01": 352, ...}}}: periods of
 * the facts' year, all months or all quarters. */
static void read_series(reader_t *r, json_t *obj, const char *path, score_facts_t *f)
{
    if (!json_is_object(obj)) {
        PROBLEM(r, path, "must be an object {measurement: {\"combine\": ..., \"values\": {...}}}");
        return;
    }
    f->series = calloc(json_object_size(obj) + 1, sizeof *f->series);
    if (!f->series) {
        PROBLEM(r, path, "out of memory");
        return;
    }
    static const char *const keys[] = {"combine", "values", "note", NULL};
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        char p[400];
        path_fmt(p, sizeof p, "%s.%s", path, key);
        if (!json_is_object(v)) {
            PROBLEM(r, p, "must be {\"combine\": \"sum\", \"values\": {\"2024-01\": N}}");
            continue;
        }
        check_keys(r, v, p, keys);
        score_series_t x = {0};
        json_t *combine = json_object_get(v, "combine");
        const char *c = json_is_string(combine) ? json_string_value(combine) : "";
        if (!combine || !strcmp(c, "sum"))
            x.combine = SCORE_COMBINE_SUM;
        else if (!strcmp(c, "to_date"))
            x.combine = SCORE_COMBINE_TO_DATE;
        else if (!strcmp(c, "level"))
            x.combine = SCORE_COMBINE_LEVEL;
        else {
            PROBLEM(r, join(p, "combine").s, "must be \"sum\", \"to_date\" or \"level\"");
            continue;
        }
        json_t *values = json_object_get(v, "values");
        if (!json_is_object(values) || json_object_size(values) == 0) {
            PROBLEM(r, join(p, "values").s, "must be an object {\"2024-01\" or \"2024-Q1\": N}");
            continue;
        }
        x.points = calloc(json_object_size(values), sizeof *x.points);
        if (!x.points) {
            PROBLEM(r, p, "out of memory");
            continue;
        }
        bool ok = true;
        const char *pk;
        json_t *pv;
        json_object_foreach(values, pk, pv)
        {
            char pp[440];
            path_fmt(pp, sizeof pp, "%s.values.%s", p, pk);
            score_period_t period;
            double value;
            if (!score_period_parse(pk, &period) || period.year != f->year) {
                PROBLEM(r, pp, "is not a month (%d-06) or quarter (%d-Q2) of %d", f->year, f->year,
                        f->year);
                ok = false;
            } else if (x.per_year && period.per_year != x.per_year) {
                PROBLEM(r, pp, "mixes months and quarters");
                ok = false;
            } else if (number_of(r, pv, pp, 0, 1e15, &value)) {
                x.per_year = period.per_year;
                x.points[x.npoints++] = (score_series_point_t){period.index, value};
            } else {
                ok = false;
            }
        }
        if (!ok || !(x.code = code_of(r, key, p))) {
            free(x.points);
            continue;
        }
        qsort(x.points, x.npoints, sizeof *x.points, point_cmp);
        f->series[f->nseries++] = x;
    }
}

/* A series' measurement without a value of its own: the value so far. */
static void measurements_from_series(reader_t *r, const char *path, score_facts_t *f)
{
    if (!f->nseries)
        return;
    score_measurement_t *m =
        realloc(f->measurements, (f->nmeasurements + f->nseries + 1) * sizeof *m);
    if (!m) {
        PROBLEM(r, path, "out of memory");
        return;
    }
    f->measurements = m;
    for (size_t i = 0; i < f->nseries; i++) {
        const score_series_t *s = &f->series[i];
        if (score_facts_measurement(f, s->code))
            continue;
        double value = 0;
        for (size_t k = 0; k < s->npoints; k++)
            value =
                s->combine == SCORE_COMBINE_SUM ? value + s->points[k].value : s->points[k].value;
        char *code = strdup(s->code);
        if (!code) {
            PROBLEM(r, path, "out of memory");
            return;
        }
        f->measurements[f->nmeasurements++] = (score_measurement_t){code, value};
    }
}

static void read_year(reader_t *r, json_t *obj, const char *path, score_facts_t *f)
{
    static const char *const keys[] = {"measurements", "deliverables", "plans",          "manual",
                                       "adjustments",  "survey",       "not_applicable", "reported",
                                       "note",         "as_of",        "series",         NULL};
    if (!json_is_object(obj)) {
        PROBLEM(r, path, "must be an object");
        return;
    }
    check_keys(r, obj, path, keys);
    json_t *v;
    if ((v = json_object_get(obj, "measurements")))
        read_measurements(r, v, join(path, "measurements").s, f);
    if ((v = json_object_get(obj, "deliverables")))
        read_deliverables(r, v, join(path, "deliverables").s, f);
    if ((v = json_object_get(obj, "plans")))
        read_plans(r, v, join(path, "plans").s, f);
    if ((v = json_object_get(obj, "manual")))
        read_manual(r, v, join(path, "manual").s, f);
    if ((v = json_object_get(obj, "adjustments")))
        read_adjustments(r, v, join(path, "adjustments").s, f);
    if ((v = json_object_get(obj, "survey")) && !json_is_null(v))
        f->has_survey = number_of(r, v, join(path, "survey").s, 0, 100, &f->survey);
    if ((v = json_object_get(obj, "not_applicable"))) {
        if (!json_is_array(v)) {
            PROBLEM(r, join(path, "not_applicable").s, "must be a list of criterion codes");
        } else {
            f->not_applicable = calloc(json_array_size(v) + 1, sizeof *f->not_applicable);
            if (!f->not_applicable) {
                PROBLEM(r, path, "out of memory");
                return;
            }
            size_t i;
            json_t *c;
            json_array_foreach(v, i, c)
            {
                char p[420];
                path_fmt(p, sizeof p, "%s.not_applicable[%zu]", path, i);
                char *code = json_is_string(c) ? code_of(r, json_string_value(c), p) : NULL;
                if (!json_is_string(c))
                    PROBLEM(r, p, "must be a criterion code");
                if (code)
                    f->not_applicable[f->nnot_applicable++] = code;
            }
        }
    }
    if ((v = json_object_get(obj, "reported")))
        read_reported(r, v, join(path, "reported").s, &f->reported);
    if ((v = json_object_get(obj, "as_of"))) {
        f->has_as_of = json_is_string(v) && score_date_parse(json_string_value(v), &f->as_of);
        if (!f->has_as_of)
            PROBLEM(r, join(path, "as_of").s, "must be a date \"YYYY-MM-DD\"");
    }
    if ((v = json_object_get(obj, "series"))) {
        read_series(r, v, join(path, "series").s, f);
        measurements_from_series(r, join(path, "series").s, f);
    }
}

static void read_unit(reader_t *r, json_t *obj, const char *path, score_unit_t *u)
{
    static const char *const keys[] = {"code", "name", "kind", "parent", "years", "note", NULL};
    if (!json_is_object(obj)) {
        PROBLEM(r, path, "must be an object with code, name, kind and years");
        return;
    }
    check_keys(r, obj, path, keys);
    json_t *v = json_object_get(obj, "code");
    if (!json_is_string(v))
        PROBLEM(r, join(path, "code").s, "is required (a unit code such as HN.HADONG.PHULAM)");
    else
        u->code = code_of(r, json_string_value(v), join(path, "code").s);
    u->name = text_of(r, json_object_get(obj, "name"), join(path, "name").s, true);
    u->kind = text_of(r, json_object_get(obj, "kind"), join(path, "kind").s, true);
    v = json_object_get(obj, "parent");
    if (v && !json_is_null(v)) {
        if (!json_is_string(v))
            PROBLEM(r, join(path, "parent").s, "must be a unit code");
        else
            u->parent = code_of(r, json_string_value(v), join(path, "parent").s);
    }
    json_t *years = json_object_get(obj, "years");
    if (!json_is_object(years)) {
        PROBLEM(r, join(path, "years").s, "must be an object {\"2023\": {...}}");
        return;
    }
    u->years = calloc(json_object_size(years) + 1, sizeof *u->years);
    if (!u->years) {
        PROBLEM(r, path, "out of memory");
        return;
    }
    const char *key;
    json_object_foreach(years, key, v)
    {
        char p[400];
        path_fmt(p, sizeof p, "%s.years.%s", path, key);
        char *end;
        long y = strtol(key, &end, 10);
        if (*end || end == key || y < 1900 || y > 2100) {
            PROBLEM(r, p, "\"%s\" is not a year between 1900 and 2100", key);
            continue;
        }
        score_facts_t *f = &u->years[u->nyears++];
        f->year = (int)y;
        read_year(r, v, p, f);
    }
}

static score_data_t *from_json(json_t *root, json_error_t *jerr, const char *name,
                               problems_t *problems, char *err, size_t errlen)
{
    if (!root) {
        if (jerr->line > 0)
            snprintf(err, errlen, "%s:%d:%d: %s", name, jerr->line, jerr->column, jerr->text);
        else
            snprintf(err, errlen, "%s: %s", name, jerr->text);
        if (errlen) /* jansson's context may cut a character: the reply needs UTF-8 */
            text_scrub_utf8(err);
        return NULL;
    }
    reader_t r = {.file = name, .problems = problems, .before = problems->n + problems->dropped};
    score_data_t *d = calloc(1, sizeof *d);
    if (!d || !(d->file = strdup(name))) {
        free(d);
        json_decref(root);
        snprintf(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    static const char *const keys[] = {"format", "note", "units", NULL};
    json_t *units = NULL;
    if (!json_is_object(root)) {
        PROBLEM(&r, "", "must hold a JSON object");
        goto done;
    }
    check_keys(&r, root, "", keys);
    json_t *format = json_object_get(root, "format");
    if (!json_is_integer(format) || json_integer_value(format) != 1)
        PROBLEM(&r, "format", "must be 1");
    d->note = text_of(&r, json_object_get(root, "note"), "note", false);
    units = json_object_get(root, "units");
    if (!json_is_array(units) || json_array_size(units) > MAX_UNITS) {
        PROBLEM(&r, "units", "must be a list of units (at most %d)", MAX_UNITS);
        goto done;
    }
    d->units = calloc(json_array_size(units) + 1, sizeof *d->units);
    if (!d->units) {
        PROBLEM(&r, "units", "out of memory");
        goto done;
    }
    size_t i;
    json_t *u;
    json_array_foreach(units, i, u)
    {
        char p[64];
        path_fmt(p, sizeof p, "units[%zu]", i);
        read_unit(&r, u, p, &d->units[d->nunits++]);
        for (size_t k = 0; k + 1 < d->nunits; k++)
            if (d->units[k].code && d->units[i].code &&
                strcmp(d->units[k].code, d->units[i].code) == 0)
                PROBLEM(&r, join(p, "code").s, "\"%s\" is also units[%zu]", d->units[i].code, k);
    }
done:
    json_decref(root);
    size_t found = problems->n + problems->dropped - r.before;
    if (found) {
        snprintf(err, errlen, "%s: %zu problem%s", name, found, found == 1 ? "" : "s");
        score_data_destroy(&d);
    }
    return d;
}

score_data_t *score_data_load(const char *path, problems_t *problems, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    return from_json(root, &jerr, path, problems, err, errlen);
}

score_data_t *score_data_parse(const char *text, size_t len, const char *name, problems_t *problems,
                               char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    return from_json(root, &jerr, name, problems, err, errlen);
}

static void facts_free(score_facts_t *f)
{
    for (size_t i = 0; i < f->nseries; i++) {
        free(f->series[i].code);
        free(f->series[i].points);
    }
    free(f->series);
    for (size_t i = 0; i < f->nmeasurements; i++)
        free(f->measurements[i].code);
    free(f->measurements);
    for (size_t i = 0; i < f->ndeliverables; i++)
        free(f->deliverables[i].key);
    free(f->deliverables);
    for (size_t i = 0; i < f->nplans; i++)
        free(f->plans[i].key);
    free(f->plans);
    for (size_t i = 0; i < f->nmanual; i++) {
        free(f->manual[i].code);
        free(f->manual[i].evidence);
    }
    free(f->manual);
    for (size_t i = 0; i < f->nadjustments; i++) {
        free(f->adjustments[i].code);
        free(f->adjustments[i].reason);
    }
    free(f->adjustments);
    for (size_t i = 0; i < f->nnot_applicable; i++)
        free(f->not_applicable[i]);
    free(f->not_applicable);
    for (size_t i = 0; i < f->reported.nareas; i++)
        free(f->reported.areas[i].code);
    free(f->reported.areas);
    free(f->reported.source);
}

void score_data_destroy(score_data_t **dp)
{
    if (!dp || !*dp)
        return;
    score_data_t *d = *dp;
    for (size_t i = 0; i < d->nunits; i++) {
        score_unit_t *u = &d->units[i];
        for (size_t y = 0; y < u->nyears; y++)
            facts_free(&u->years[y]);
        free(u->years);
        free(u->code);
        free(u->name);
        free(u->kind);
        free(u->parent);
    }
    free(d->units);
    free(d->file);
    free(d->note);
    free(d);
    *dp = NULL;
}

size_t score_data_check(const score_data_t *d, const score_scheme_t *s, problems_t *problems)
{
    return score_data_check_year(d, s, s->year, problems);
}

size_t score_data_check_year(const score_data_t *d, const score_scheme_t *s, int year,
                             problems_t *problems)
{
    size_t before = problems->n + problems->dropped;
    for (size_t i = 0; i < d->nunits; i++) {
        const score_unit_t *u = &d->units[i];
        for (size_t y = 0; y < u->nyears; y++) {
            const score_facts_t *f = &u->years[y];
            if (f->year != year)
                continue; /* only that year is scored with it */
            char p[200];
            for (size_t k = 0; k < f->nmanual; k++) {
                path_fmt(p, sizeof p, "units[%zu].years.%d.manual.%s", i, f->year,
                         f->manual[k].code);
                int n = score_scheme_find(s, f->manual[k].code);
                if (n < 0)
                    problems_add(problems, d->file, 0, p, "no criterion %s in %s",
                                 f->manual[k].code, s->file);
                else if (s->nodes[n].rule.kind != SCORE_RULE_MANUAL)
                    problems_add(problems, d->file, 0, p,
                                 "criterion %s is scored by its %s rule, not appraised",
                                 f->manual[k].code,
                                 score_node_is_leaf(&s->nodes[n])
                                     ? score_rule_kind_name(s->nodes[n].rule.kind)
                                     : "children's");
                else if (f->manual[k].points > s->nodes[n].max + 1e-9)
                    problems_add(problems, d->file, 0, p, "%g points is over the max of %g",
                                 f->manual[k].points, s->nodes[n].max);
            }
            for (size_t k = 0; k < f->nadjustments; k++) {
                path_fmt(p, sizeof p, "units[%zu].years.%d.adjustments.%s", i, f->year,
                         f->adjustments[k].code);
                int n = score_scheme_find(s, f->adjustments[k].code);
                score_rule_kind_t kind = n < 0 ? SCORE_RULE_NONE : s->nodes[n].rule.kind;
                if (kind != SCORE_RULE_DEDUCTION && kind != SCORE_RULE_PENALTY &&
                    kind != SCORE_RULE_BONUS)
                    problems_add(problems, d->file, 0, p,
                                 "%s is not a deduction, penalty or bonus criterion of %s",
                                 f->adjustments[k].code, s->file);
            }
            for (size_t k = 0; k < f->nnot_applicable; k++) {
                path_fmt(p, sizeof p, "units[%zu].years.%d.not_applicable[%zu]", i, f->year, k);
                int n = score_scheme_find(s, f->not_applicable[k]);
                if (n <= 0)
                    problems_add(problems, d->file, 0, p, "no criterion %s in %s",
                                 f->not_applicable[k], s->file);
            }
            for (size_t k = 0; k < f->reported.nareas; k++) {
                path_fmt(p, sizeof p, "units[%zu].years.%d.reported.areas.%s", i, f->year,
                         f->reported.areas[k].code);
                if (score_scheme_find(s, f->reported.areas[k].code) <= 0)
                    problems_add(problems, d->file, 0, p, "no area %s in %s",
                                 f->reported.areas[k].code, s->file);
            }
        }
    }
    return problems->n + problems->dropped - before;
}

const score_facts_t *score_unit_year(const score_unit_t *u, int year)
{
    for (size_t i = 0; i < u->nyears; i++)
        if (u->years[i].year == year)
            return &u->years[i];
    return NULL;
}

const score_unit_t *score_data_find_unit(const score_data_t *d, const char *code)
{
    for (size_t i = 0; i < d->nunits; i++)
        if (d->units[i].code && strcmp(d->units[i].code, code) == 0)
            return &d->units[i];
    const score_unit_t *found = NULL;
    for (size_t i = 0; i < d->nunits; i++) {
        if (d->units[i].name && text_equal_folded(d->units[i].name, code)) {
            if (found)
                return NULL; /* ambiguous */
            found = &d->units[i];
        }
    }
    return found;
}

const score_measurement_t *score_facts_measurement(const score_facts_t *f, const char *code)
{
    for (size_t i = 0; i < f->nmeasurements; i++)
        if (strcmp(f->measurements[i].code, code) == 0)
            return &f->measurements[i];
    return NULL;
}

const score_deliverable_t *score_facts_deliverable(const score_facts_t *f, const char *key)
{
    for (size_t i = 0; i < f->ndeliverables; i++)
        if (strcmp(f->deliverables[i].key, key) == 0)
            return &f->deliverables[i];
    return NULL;
}

const score_plan_fact_t *score_facts_plan(const score_facts_t *f, const char *key)
{
    for (size_t i = 0; i < f->nplans; i++)
        if (strcmp(f->plans[i].key, key) == 0)
            return &f->plans[i];
    return NULL;
}

const score_manual_t *score_facts_manual(const score_facts_t *f, const char *code)
{
    for (size_t i = 0; i < f->nmanual; i++)
        if (strcmp(f->manual[i].code, code) == 0)
            return &f->manual[i];
    return NULL;
}

const score_series_t *score_facts_series(const score_facts_t *f, const char *code)
{
    for (size_t i = 0; i < f->nseries; i++)
        if (strcmp(f->series[i].code, code) == 0)
            return &f->series[i];
    return NULL;
}

const char *score_open_status_name(score_open_status_t s)
{
    switch (s) {
    case SCORE_OPEN_NOT_STARTED: return "not_started";
    case SCORE_OPEN_ON_TRACK: return "on_track";
    case SCORE_OPEN_DUE_SOON: return "due_soon";
    case SCORE_OPEN_OVERDUE: return "overdue";
    case SCORE_OPEN_UNKNOWN: break;
    }
    return NULL;
}

const char *score_outcome_name(score_outcome_t o)
{
    switch (o) {
    case SCORE_OUTCOME_EXPECTED: return "expected";
    case SCORE_OUTCOME_ON_TIME: return "on_time";
    case SCORE_OUTCOME_LATE: return "late";
    case SCORE_OUTCOME_MISSING: return "missing";
    case SCORE_OUTCOME_NONE: break;
    }
    return NULL;
}
