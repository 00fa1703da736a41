/* score_forecast.c - the year-end score from the year so far, and the assumptions it rests on
 *
 * One pass over the scheme's leaves in order: each leaf's inputs are
 * forecast by its kind (measurements, deliverable, plan, appraised points,
 * survey) into a score_facts_t whose arrays this file owns and whose texts
 * are borrowed, and each assumption made is written as a line beside the
 * leaf. Measurements are projected once, before the pass, since several
 * leaves may share one (dossiers_total). The forecast facts are then bound
 * and computed like any others.
 */
#include "score_forecast.h"

#include "score_explain.h"
#include "score_period.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-9

/* How a forecast measurement was reached (beside facts.measurements). */
typedef enum {
    HOW_EXACT = 0, /* the whole year is known */
    HOW_LINEAR,
    HOW_FLAT,
    HOW_KEPT,      /* no series: as it is so far */
    HOW_LAST_YEAR, /* none this year */
} how_t;

typedef struct {
    how_t how;
    bool clamped;
    const score_series_t *series; /* may be NULL */
} projection_t;

typedef struct {
    score_forecast_t *f;
    const score_facts_t *so_far, *last_year;
    projection_t *proj; /* [facts.nmeasurements capacity] */
    size_t cap_assumptions;
} builder_t;

const char *score_assumption_kind_name(score_assumption_kind_t kind)
{
    static const char *const names[] = {"scheme",  "trend",   "kept",   "last_year",
                                        "no_data", "on_time", "late",   "missing",
                                        "plan",    "manual",  "survey", "adjustments"};
    return (size_t)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

double score_trend_at(const double *x, const double *y, size_t n, double at)
{
    if (n == 0)
        return 0;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0;
    for (size_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    double slope = sxx > 0 ? sxy / sxx : 0;
    return my + slope * (at - mx);
}

double score_series_year_value(const score_series_t *s, score_trend_t *how)
{
    double x[13], y[13];
    size_t n = 0;
    if (s->combine == SCORE_COMBINE_TO_DATE) {
        x[n] = 0; /* nothing done on 1 January */
        y[n++] = 0;
    }
    for (size_t i = 0; i < s->npoints && n < 13; i++) {
        x[n] = s->points[i].index;
        y[n++] = s->points[i].value;
    }
    *how = n > 1 ? SCORE_TREND_LINEAR : SCORE_TREND_FLAT;
    if (s->combine != SCORE_COMBINE_SUM) {
        if (s->npoints && s->points[s->npoints - 1].index == s->per_year) {
            *how = SCORE_TREND_EXACT;
            return s->points[s->npoints - 1].value;
        }
        return fmax(0, score_trend_at(x, y, n, s->per_year));
    }
    double total = 0;
    size_t k = 0;
    bool exact = true;
    for (int period = 1; period <= s->per_year; period++) {
        if (k < s->npoints && s->points[k].index == period) {
            total += s->points[k++].value;
        } else {
            total += fmax(0, score_trend_at(x, y, n, period));
            exact = false;
        }
    }
    if (exact)
        *how = SCORE_TREND_EXACT;
    return total;
}

/* ---- assumptions ---- */

__attribute__((format(printf, 4, 5))) static void assume(builder_t *b, score_assumption_kind_t kind,
                                                         int node, const char *fmt, ...)
{
    score_forecast_t *f = b->f;
    if (f->nassumptions == b->cap_assumptions)
        return; /* sized for every leaf and group: cannot happen */
    score_assumption_t *a = &f->assumptions[f->nassumptions++];
    a->kind = kind;
    a->node = node;
    size_t used = 0;
    if (node > 0)
        used = (size_t)snprintf(a->text, sizeof a->text, "%s %s: ", f->scheme->nodes[node].code,
                                f->scheme->nodes[node].name);
    if (used < sizeof a->text) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(a->text + used, sizeof a->text - used, fmt, ap);
        va_end(ap);
    }
}

typedef struct {
    char s[256];
    size_t used;
} text_t;

__attribute__((format(printf, 2, 3))) static void tput(text_t *t, const char *fmt, ...)
{
    if (t->used >= sizeof t->s)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s + t->used, sizeof t->s - t->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->used += (size_t)n;
}

static const score_series_point_t *point_at(const score_series_t *s, int index)
{
    for (size_t i = 0; s && i < s->npoints; i++)
        if (s->points[i].index == index)
            return &s->points[i];
    return NULL;
}

/* "3 tháng (20,45% → 22,82% → 25,56%)": the periods known so far, as rates
 * num/den when den is given, else the values (with % when percent). Empty
 * when there is no series. */
static void history(text_t *t, const score_series_t *ns, const score_series_t *ds, bool percent)
{
    if (!ns || (ds && ds->per_year != ns->per_year))
        return;
    double v[12];
    size_t n = 0;
    for (size_t i = 0; i < ns->npoints && n < 12; i++) {
        double x = ns->points[i].value;
        if (ds) {
            const score_series_point_t *d = point_at(ds, ns->points[i].index);
            if (!d || d->value <= 0)
                continue;
            x = 100.0 * x / d->value;
        }
        v[n++] = x;
    }
    if (!n)
        return;
    tput(t, "%zu %s (", n, score_period_unit(ns->per_year));
    for (size_t i = 0; i < n; i++) {
        if (n > 6 && i == 2) {
            tput(t, " → …");
            i = n - 3;
        }
        tput(t, "%s%s%s", i ? " → " : "", percent || ds ? SCORE_PCT(v[i]) : SCORE_NUM(v[i]),
             percent || ds ? "%" : "");
    }
    tput(t, "), ");
}

static const char *how_words(how_t how, int year)
{
    static char last[64];
    switch (how) {
    case HOW_EXACT: return "đủ cả năm";
    case HOW_LINEAR: return "tuyến tính";
    case HOW_FLAT: return "như kỳ đã có";
    case HOW_KEPT: return "giữ số liệu đến nay";
    case HOW_LAST_YEAR: snprintf(last, sizeof last, "số liệu năm %d", year - 1); return last;
    }
    return "";
}

/* ---- measurements ---- */

static int find_measurement(const score_facts_t *f, const char *code)
{
    for (size_t i = 0; i < f->nmeasurements; i++)
        if (!strcmp(f->measurements[i].code, code))
            return (int)i;
    return -1;
}

static void add_last_year(builder_t *b, const char *code)
{
    score_facts_t *facts = &b->f->facts;
    if (!code || !b->last_year || find_measurement(facts, code) >= 0)
        return;
    const score_measurement_t *m = score_facts_measurement(b->last_year, code);
    if (!m)
        return;
    b->proj[facts->nmeasurements] = (projection_t){HOW_LAST_YEAR, false, NULL};
    facts->measurements[facts->nmeasurements++] = *m;
}

/* Every measurement of the year projected; the scheme's that the year lacks
 * from last year; rates cut to 100%. */
static void project_measurements(builder_t *b)
{
    const score_scheme_t *s = b->f->scheme;
    score_facts_t *facts = &b->f->facts;
    for (size_t i = 0; i < b->so_far->nmeasurements; i++) {
        const score_measurement_t *m = &b->so_far->measurements[i];
        const score_series_t *series = score_facts_series(b->so_far, m->code);
        projection_t p = {HOW_KEPT, false, series};
        double value = m->value;
        if (series) {
            score_trend_t how;
            value = score_series_year_value(series, &how);
            p.how = how == SCORE_TREND_EXACT    ? HOW_EXACT
                    : how == SCORE_TREND_LINEAR ? HOW_LINEAR
                                                : HOW_FLAT;
        }
        b->proj[facts->nmeasurements] = p;
        facts->measurements[facts->nmeasurements++] = (score_measurement_t){m->code, value};
    }
    for (size_t i = 1; i < s->nnodes; i++) {
        const score_rule_t *r = &s->nodes[i].rule;
        if (r->kind == SCORE_RULE_RATIO || r->kind == SCORE_RULE_BANDS) {
            add_last_year(b, r->numerator);
            add_last_year(b, r->denominator);
            add_last_year(b, r->measurement);
        }
    }
    for (size_t i = 1; i < s->nnodes; i++) {
        const score_rule_t *r = &s->nodes[i].rule;
        if (r->kind != SCORE_RULE_RATIO || r->may_exceed)
            continue;
        int n = find_measurement(facts, r->numerator ? r->numerator : r->measurement);
        int d = r->denominator ? find_measurement(facts, r->denominator) : -1;
        if (n < 0 || (r->denominator && d < 0))
            continue;
        double limit = d >= 0 ? facts->measurements[d].value : 100;
        bool projected = b->proj[n].how == HOW_LINEAR || b->proj[n].how == HOW_FLAT;
        if (projected && facts->measurements[n].value > limit + EPS) {
            facts->measurements[n].value = limit;
            b->proj[n].clamped = true;
        }
    }
}

static how_t weaker(how_t a, how_t b)
{
    return a > b ? a : b;
}

/* The line for a ratio or bands leaf whose inputs were assumed. */
static void explain_measured(builder_t *b, int node)
{
    const score_node_t *n = &b->f->scheme->nodes[node];
    const score_rule_t *r = &n->rule;
    const score_facts_t *facts = &b->f->facts;
    const char *ncode = r->numerator ? r->numerator : r->measurement;
    int ni = find_measurement(facts, ncode);
    int di = r->denominator ? find_measurement(facts, r->denominator) : -1;
    if (ni < 0 || (r->denominator && di < 0)) {
        assume(b, SCORE_ASSUME_NO_DATA, node, "chưa có số liệu (%s%s%s) năm %d và năm trước", ncode,
               r->denominator ? ", " : "", r->denominator ? r->denominator : "", b->f->year);
        return;
    }
    const projection_t *pn = &b->proj[ni], *pd = di >= 0 ? &b->proj[di] : NULL;
    how_t how = pd ? weaker(pn->how, pd->how) : pn->how;
    if (how == HOW_EXACT)
        return;
    text_t t = {.used = 0};
    double nv = facts->measurements[ni].value;
    bool percent = r->kind == SCORE_RULE_RATIO; /* the judged value is a % */
    /* the periods as rates when both have them, else the numerator's values */
    if (pd && pd->series)
        history(&t, pn->series, pd->series, true);
    else
        history(&t, pn->series, NULL, percent && !pd);
    bool year_end = pn->series && pn->series->combine != SCORE_COMBINE_SUM;
    tput(&t, "dự báo %s ", year_end ? "cuối năm" : "cả năm");
    if (pd) {
        double dv = facts->measurements[di].value;
        tput(&t, "%s/%s = %s%%", SCORE_NUM(nv), SCORE_NUM(dv),
             dv > 0 ? SCORE_PCT(100.0 * nv / dv) : "—");
    } else {
        tput(&t, "%s%s", percent ? SCORE_PCT(nv) : SCORE_NUM(nv), percent ? "%" : "");
    }
    if (pd && pn->how != pd->how)
        tput(&t, " (%s: %s; %s: %s)", ncode, how_words(pn->how, b->f->year), r->denominator,
             how_words(pd->how, b->f->year));
    else
        tput(&t, " (%s)", how_words(how, b->f->year));
    if (pn->clamped)
        tput(&t, ", chặn ở 100%%");
    score_assumption_kind_t kind = how == HOW_LAST_YEAR ? SCORE_ASSUME_LAST_YEAR
                                   : how == HOW_KEPT    ? SCORE_ASSUME_KEPT
                                                        : SCORE_ASSUME_TREND;
    assume(b, kind, node, "%s", t.s);
}

/* ---- the on-time share ---- */

static bool share_of(const score_facts_t *f, double *on_time, double *closed)
{
    *on_time = *closed = 0;
    for (size_t i = 0; f && i < f->ndeliverables; i++) {
        score_outcome_t o = f->deliverables[i].outcome;
        if (o == SCORE_OUTCOME_ON_TIME || o == SCORE_OUTCOME_LATE || o == SCORE_OUTCOME_MISSING) {
            *closed += 1;
            *on_time += o == SCORE_OUTCOME_ON_TIME;
        }
    }
    for (size_t i = 0; f && i < f->nplans; i++) {
        *closed += f->plans[i].tasks;
        *on_time += fmin(f->plans[i].on_time, f->plans[i].tasks);
    }
    return *closed > 0;
}

static void find_share(score_forecast_t *f, const score_facts_t *so_far,
                       const score_facts_t *last_year)
{
    if (share_of(so_far, &f->share_on_time, &f->share_closed))
        f->share_year = so_far->year;
    else if (share_of(last_year, &f->share_on_time, &f->share_closed))
        f->share_year = last_year->year;
    else
        f->share_year = 0;
    f->on_time_share = f->share_year ? f->share_on_time / f->share_closed : 1.0;
}

static void share_words(const score_forecast_t *f, text_t *t)
{
    if (!f->share_year)
        tput(t, "chưa có việc nào đến hạn, tính 100%%");
    else
        tput(t, "tỷ lệ đúng hạn của đơn vị %s%% (%s %s/%s việc)",
             SCORE_PCT(100.0 * f->on_time_share),
             f->share_year == f->year ? "đến nay" : "năm trước", SCORE_NUM(f->share_on_time),
             SCORE_NUM(f->share_closed));
}

/* ---- deliverables and plans ---- */

static void forecast_deliverable(builder_t *b, int node)
{
    score_forecast_t *f = b->f;
    const char *key = f->scheme->nodes[node].rule.key;
    if (score_facts_deliverable(&f->facts, key))
        return; /* another leaf of the same task */
    const score_deliverable_t *d = score_facts_deliverable(b->so_far, key);
    score_deliverable_t x = {.key = (char *)key, .outcome = SCORE_OUTCOME_NONE};
    if (d && d->outcome != SCORE_OUTCOME_NONE) {
        f->facts.deliverables[f->facts.ndeliverables++] = *d;
        return;
    }
    int year_end = 0;
    score_date_make(f->year, 12, 31, &year_end);
    char due[16] = "";
    if (d && d->has_due)
        score_date_format(d->due, due, sizeof due);
    if (d && d->has_due && d->due > year_end) {
        x.outcome = SCORE_OUTCOME_MISSING;
        assume(b, SCORE_ASSUME_MISSING, node, "hạn %s, sau cuối năm: tính là không gửi", due);
    } else if (f->as_of > year_end) {
        x.outcome = SCORE_OUTCOME_MISSING;
        assume(b, SCORE_ASSUME_MISSING, node, "hết năm %d vẫn chưa gửi: tính là không gửi",
               f->year);
    } else if (d && ((d->has_due && d->due < f->as_of) || d->status == SCORE_OPEN_OVERDUE)) {
        x.outcome = SCORE_OUTCOME_LATE;
        if (d->has_due && d->due < f->as_of)
            assume(b, SCORE_ASSUME_LATE, node, "quá hạn %d ngày (hạn %s), tính là trễ",
                   f->as_of - d->due, due);
        else
            assume(b, SCORE_ASSUME_LATE, node, "quá hạn, tính là trễ");
    } else {
        x.outcome = SCORE_OUTCOME_EXPECTED;
        x.on_time_share = f->on_time_share;
        text_t t = {.used = 0};
        if (!d)
            tput(&t, "chưa có trong theo dõi");
        else if (d->has_due)
            tput(&t, "chưa đến hạn (hạn %s%s)", due,
                 d->status == SCORE_OPEN_NOT_STARTED ? ", chưa bắt đầu"
                 : d->status == SCORE_OPEN_DUE_SOON  ? ", sắp đến hạn"
                                                     : "");
        else
            tput(&t, "%s",
                 d->status == SCORE_OPEN_NOT_STARTED ? "chưa bắt đầu"
                 : d->status == SCORE_OPEN_DUE_SOON  ? "sắp đến hạn"
                                                     : "đang thực hiện đúng tiến độ");
        tput(&t, ", tính là đúng hạn theo ");
        share_words(f, &t);
        assume(b, SCORE_ASSUME_ON_TIME, node, "%s", t.s);
    }
    f->facts.deliverables[f->facts.ndeliverables++] = x;
}

static void forecast_plan(builder_t *b, int node)
{
    score_forecast_t *f = b->f;
    const char *key = f->scheme->nodes[node].rule.key;
    if (score_facts_plan(&f->facts, key))
        return;
    const score_plan_fact_t *p = score_facts_plan(b->so_far, key);
    const score_plan_fact_t *last = b->last_year ? score_facts_plan(b->last_year, key) : NULL;
    if (!p && !last) {
        assume(b, SCORE_ASSUME_NO_DATA, node, "chưa có số liệu kế hoạch %s năm %d và năm trước",
               key, f->year);
        return;
    }
    if (!p) {
        f->facts.plans[f->facts.nplans++] = *last;
        assume(b, SCORE_ASSUME_LAST_YEAR, node,
               "chưa có số liệu năm %d, lấy kết quả năm %d: %s/%s nhiệm vụ đúng hạn", f->year,
               f->year - 1, SCORE_NUM(last->on_time), SCORE_NUM(last->tasks));
        return;
    }
    score_plan_fact_t x = *p;
    x.open = 0;
    if (p->open > 0) {
        int year_end = 0;
        score_date_make(f->year, 12, 31, &year_end);
        x.tasks = p->tasks + p->open;
        text_t t = {.used = 0};
        tput(&t, "đến nay %s/%s nhiệm vụ đúng hạn; ", SCORE_NUM(p->on_time), SCORE_NUM(p->tasks));
        if (f->as_of > year_end) {
            tput(&t, "%s nhiệm vụ chưa xong khi hết năm tính là không đúng hạn",
                 SCORE_NUM(p->open));
        } else {
            x.on_time = p->on_time + f->on_time_share * p->open;
            tput(&t, "%s nhiệm vụ chưa đến hạn tính là đúng hạn theo ", SCORE_NUM(p->open));
            share_words(f, &t);
        }
        tput(&t, " → cả năm %s/%s = %s%%", SCORE_NUM(x.on_time), SCORE_NUM(x.tasks),
             x.tasks > 0 ? SCORE_PCT(100.0 * x.on_time / x.tasks) : "—");
        assume(b, SCORE_ASSUME_PLAN, node, "%s", t.s);
    }
    f->facts.plans[f->facts.nplans++] = x;
}

/* ---- appraised points, survey, adjustments ---- */

typedef struct {
    text_t kept, last, none;
    int nkept, nlast, nnone;
} manual_groups_t;

static void forecast_manual(builder_t *b, int node, manual_groups_t *g)
{
    score_forecast_t *f = b->f;
    const score_node_t *n = &f->scheme->nodes[node];
    const score_manual_t *m = score_facts_manual(b->so_far, n->code);
    const score_manual_t *last = b->last_year ? score_facts_manual(b->last_year, n->code) : NULL;
    if (m || last) {
        f->facts.manual[f->facts.nmanual++] = m ? *m : *last;
        text_t *t = m ? &g->kept : &g->last;
        int *count = m ? &g->nkept : &g->nlast;
        tput(t, "%s%s (%s/%s)", (*count)++ ? ", " : "", n->code, SCORE_NUM((m ? m : last)->points),
             SCORE_NUM(n->max));
    } else {
        tput(&g->none, "%s%s", g->nnone++ ? ", " : "", n->code);
    }
}

static void manual_assumptions(builder_t *b, manual_groups_t *g)
{
    int y = b->f->year;
    if (g->nkept)
        assume(b, SCORE_ASSUME_MANUAL, -1, "Điểm thẩm định đã có năm %d, giữ nguyên: %s", y,
               g->kept.s);
    if (g->nlast)
        assume(b, SCORE_ASSUME_LAST_YEAR, -1, "Điểm thẩm định chưa có năm %d, giữ điểm năm %d: %s",
               y, y - 1, g->last.s);
    if (g->nnone)
        assume(b, SCORE_ASSUME_NO_DATA, -1,
               "Điểm thẩm định chưa có năm %d và năm trước, tính 0 điểm: %s", y, g->none.s);
}

static void forecast_survey(builder_t *b, int node)
{
    score_forecast_t *f = b->f;
    if (f->facts.has_survey)
        return; /* another survey leaf */
    const score_facts_t *last = b->last_year;
    if (b->so_far->has_survey) {
        f->facts.has_survey = true;
        f->facts.survey = b->so_far->survey;
        assume(b, SCORE_ASSUME_SURVEY, node, "giữ kết quả đến nay %s%%",
               SCORE_PCT(b->so_far->survey));
    } else if (last && last->has_survey) {
        f->facts.has_survey = true;
        f->facts.survey = last->survey;
        assume(b, SCORE_ASSUME_LAST_YEAR, node, "chưa có kết quả năm %d, giữ kết quả năm %d: %s%%",
               f->year, last->year, SCORE_PCT(last->survey));
    } else {
        assume(b, SCORE_ASSUME_NO_DATA, node,
               "chưa có kết quả năm %d và năm trước: điểm thẩm định quy về thang điểm tối đa",
               f->year);
    }
}

/* ---- the whole ---- */

void score_forecast_destroy(score_forecast_t **fp)
{
    if (!fp || !*fp)
        return;
    score_forecast_t *f = *fp;
    score_input_destroy(&f->in);
    score_result_destroy(&f->result);
    free(f->facts.measurements);
    free(f->facts.deliverables);
    free(f->facts.plans);
    free(f->facts.manual);
    free(f->assumptions);
    free(f);
    *fp = NULL;
}

score_forecast_t *score_forecast_new(const score_scheme_t *s, const score_facts_t *so_far,
                                     const score_facts_t *last_year, int as_of, char *err,
                                     size_t errlen)
{
    score_forecast_t *f = calloc(1, sizeof *f);
    builder_t b = {f, so_far, last_year, NULL, s->nnodes + 8};
    size_t nmeas = so_far->nmeasurements + 3 * s->nleaves + 1;
    if (!f)
        goto oom;
    f->scheme = s;
    f->year = so_far->year;
    f->as_of = as_of;
    f->facts.year = so_far->year;
    f->facts.has_as_of = true;
    f->facts.as_of = as_of;
    f->facts.measurements = calloc(nmeas, sizeof *f->facts.measurements);
    f->facts.deliverables = calloc(s->nleaves + 1, sizeof *f->facts.deliverables);
    f->facts.plans = calloc(s->nleaves + 1, sizeof *f->facts.plans);
    f->facts.manual = calloc(s->nleaves + 1, sizeof *f->facts.manual);
    f->assumptions = calloc(b.cap_assumptions, sizeof *f->assumptions);
    b.proj = calloc(nmeas, sizeof *b.proj);
    if (!f->facts.measurements || !f->facts.deliverables || !f->facts.plans || !f->facts.manual ||
        !f->assumptions || !b.proj)
        goto oom;
    /* borrowed as they are */
    f->facts.adjustments = so_far->adjustments;
    f->facts.nadjustments = so_far->nadjustments;
    f->facts.not_applicable = so_far->not_applicable;
    f->facts.nnot_applicable = so_far->nnot_applicable;

    if (s->year != f->year)
        assume(&b, SCORE_ASSUME_SCHEME, -1, "Chấm theo bộ tiêu chí năm %d (%s) cho năm %d", s->year,
               s->code, f->year);
    find_share(f, so_far, last_year);
    project_measurements(&b);
    manual_groups_t groups;
    memset(&groups, 0, sizeof groups);
    for (size_t i = 1; i < s->nnodes; i++) {
        switch (s->nodes[i].rule.kind) {
        case SCORE_RULE_RATIO:
        case SCORE_RULE_BANDS: explain_measured(&b, (int)i); break;
        case SCORE_RULE_DELIVERABLE: forecast_deliverable(&b, (int)i); break;
        case SCORE_RULE_PLAN: forecast_plan(&b, (int)i); break;
        case SCORE_RULE_MANUAL: forecast_manual(&b, (int)i, &groups); break;
        case SCORE_RULE_SURVEY: forecast_survey(&b, (int)i); break;
        case SCORE_RULE_DEDUCTION:
        case SCORE_RULE_PENALTY:
        case SCORE_RULE_BONUS:
        case SCORE_RULE_NONE: break;
        }
    }
    manual_assumptions(&b, &groups);
    if (so_far->nadjustments)
        assume(&b, SCORE_ASSUME_ADJUSTMENTS, -1,
               "Điểm trừ, điểm thưởng: tính %zu khoản đã có đến nay, không dự báo thêm",
               so_far->nadjustments);

    f->in = score_input_new(s);
    f->result = score_result_new(s);
    if (!f->in || !f->result)
        goto oom;
    score_input_bind(f->in, &f->facts);
    score_compute(f->in, f->result);
    free(b.proj);
    return f;
oom:
    snprintf(err, errlen, "out of memory");
    free(b.proj);
    score_forecast_destroy(&f);
    return NULL;
}
