/* score_compute.c - one unit's year: points at every node, index, grade, checks
 *
 * Two passes over the flat pre-order node array: forward, to carry "does not
 * apply" down to descendants and zero the groups; backward, where each leaf
 * runs its rule and each node, once complete (all its descendants come after
 * it), is clamped and added to its parent. Checks are written only when
 * something is wrong, so a clean unit costs two passes and no formatting.
 */
#include "score_compute.h"

#include "score_explain.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-9

score_input_t *score_input_new(const score_scheme_t *s)
{
    score_input_t *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->scheme = s;
    in->values = calloc(s->nnodes, sizeof *in->values);
    in->not_applicable = calloc(s->nnodes, sizeof *in->not_applicable);
    for (size_t i = 0; i < s->nconsistency; i++)
        in->nconsistency_values += s->consistency[i].nparts + 1;
    in->consistency_values = calloc(in->nconsistency_values + 1, sizeof *in->consistency_values);
    if (!in->values || !in->not_applicable || !in->consistency_values) {
        score_input_destroy(&in);
        return NULL;
    }
    for (size_t i = 0; i < in->nconsistency_values; i++)
        in->consistency_values[i] = NAN;
    return in;
}

void score_input_destroy(score_input_t **inp)
{
    if (!inp || !*inp)
        return;
    free((*inp)->values);
    free((*inp)->not_applicable);
    free((*inp)->consistency_values);
    free(*inp);
    *inp = NULL;
}

static void bind_measure(const score_facts_t *f, const char *code, bool *has, double *x)
{
    const score_measurement_t *m = code ? score_facts_measurement(f, code) : NULL;
    *has = m != NULL;
    *x = m ? m->value : 0;
}

void score_input_bind(score_input_t *in, const score_facts_t *f)
{
    const score_scheme_t *s = in->scheme;
    memset(in->values, 0, s->nnodes * sizeof *in->values);
    memset(in->not_applicable, 0, s->nnodes * sizeof *in->not_applicable);
    in->reported = &f->reported;
    for (size_t i = 1; i < s->nnodes; i++) {
        const score_node_t *n = &s->nodes[i];
        const score_rule_t *r = &n->rule;
        score_value_t *v = &in->values[i];
        switch (r->kind) {
        case SCORE_RULE_RATIO:
            bind_measure(f, r->numerator ? r->numerator : r->measurement, &v->has_a, &v->a);
            bind_measure(f, r->denominator, &v->has_b, &v->b);
            break;
        case SCORE_RULE_BANDS: bind_measure(f, r->measurement, &v->has_a, &v->a); break;
        case SCORE_RULE_DELIVERABLE: {
            const score_deliverable_t *d = score_facts_deliverable(f, r->key);
            v->outcome = d ? d->outcome : SCORE_OUTCOME_NONE;
            v->a = d ? d->on_time_share : 0;
            break;
        }
        case SCORE_RULE_PLAN: {
            const score_plan_fact_t *p = score_facts_plan(f, r->key);
            v->has_a = v->has_b = p != NULL;
            v->a = p ? p->on_time : 0;
            v->b = p ? p->tasks : 0;
            break;
        }
        case SCORE_RULE_MANUAL: {
            const score_manual_t *m = score_facts_manual(f, n->code);
            v->has_a = m != NULL;
            v->a = m ? m->points : 0;
            v->evidence = m ? m->evidence : NULL;
            break;
        }
        case SCORE_RULE_SURVEY:
            v->has_a = f->has_survey;
            v->a = f->survey;
            break;
        case SCORE_RULE_DEDUCTION:
        case SCORE_RULE_PENALTY:
        case SCORE_RULE_BONUS:
            for (size_t k = 0; k < f->nadjustments; k++) {
                if (strcmp(f->adjustments[k].code, n->code) != 0)
                    continue;
                if (!v->has_a)
                    v->evidence = f->adjustments[k].reason;
                v->has_a = true;
                v->a += f->adjustments[k].points;
                v->count++;
            }
            break;
        case SCORE_RULE_NONE: break;
        }
    }
    for (size_t k = 0; k < f->nnot_applicable; k++) {
        int i = score_scheme_find(s, f->not_applicable[k]);
        if (i > 0)
            in->not_applicable[i] = true;
    }
    size_t c = 0;
    for (size_t i = 0; i < s->nconsistency; i++) {
        const score_consistency_t *x = &s->consistency[i];
        for (size_t k = 0; k <= x->nparts; k++) {
            const score_measurement_t *m =
                score_facts_measurement(f, k < x->nparts ? x->parts[k] : x->at_most);
            in->consistency_values[c++] = m ? m->value : NAN;
        }
    }
}

int score_input_set_measurement(score_input_t *in, const char *code, double value)
{
    const score_scheme_t *s = in->scheme;
    int changed = 0;
    for (size_t i = 1; i < s->nnodes; i++) {
        const score_rule_t *r = &s->nodes[i].rule;
        score_value_t *v = &in->values[i];
        bool hit = false;
        if (r->kind != SCORE_RULE_RATIO && r->kind != SCORE_RULE_BANDS)
            continue;
        if ((r->numerator && !strcmp(r->numerator, code)) ||
            (r->measurement && !strcmp(r->measurement, code))) {
            v->has_a = true;
            v->a = value;
            hit = true;
        }
        if (r->denominator && !strcmp(r->denominator, code)) {
            v->has_b = true;
            v->b = value;
            hit = true;
        }
        changed += hit;
    }
    size_t c = 0;
    for (size_t i = 0; i < s->nconsistency; i++) {
        const score_consistency_t *x = &s->consistency[i];
        for (size_t k = 0; k <= x->nparts; k++, c++)
            if (!strcmp(k < x->nparts ? x->parts[k] : x->at_most, code))
                in->consistency_values[c] = value;
    }
    return changed;
}

int score_input_set_outcome(score_input_t *in, const char *key, score_outcome_t outcome)
{
    const score_scheme_t *s = in->scheme;
    int changed = 0;
    for (size_t i = 1; i < s->nnodes; i++) {
        const score_rule_t *r = &s->nodes[i].rule;
        if (r->kind == SCORE_RULE_DELIVERABLE && !strcmp(r->key, key)) {
            in->values[i].outcome = outcome;
            changed++;
        }
    }
    return changed;
}

int score_input_set_plan(score_input_t *in, const char *key, double tasks, double on_time)
{
    const score_scheme_t *s = in->scheme;
    int changed = 0;
    for (size_t i = 1; i < s->nnodes; i++) {
        const score_rule_t *r = &s->nodes[i].rule;
        if (r->kind == SCORE_RULE_PLAN && !strcmp(r->key, key)) {
            in->values[i].has_a = in->values[i].has_b = true;
            in->values[i].a = on_time;
            in->values[i].b = tasks;
            changed++;
        }
    }
    return changed;
}

int score_input_set_manual(score_input_t *in, const char *code, double points, const char *evidence)
{
    int i = score_scheme_find(in->scheme, code);
    if (i <= 0 || in->scheme->nodes[i].rule.kind != SCORE_RULE_MANUAL)
        return 0;
    in->values[i].has_a = true;
    in->values[i].a = points;
    in->values[i].evidence = evidence;
    return 1;
}

void score_input_set_survey(score_input_t *in, bool has, double percent)
{
    const score_scheme_t *s = in->scheme;
    for (size_t i = 1; i < s->nnodes; i++)
        if (s->nodes[i].rule.kind == SCORE_RULE_SURVEY) {
            in->values[i].has_a = has;
            in->values[i].a = percent;
        }
}

score_result_t *score_result_new(const score_scheme_t *s)
{
    score_result_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->scheme = s;
    r->nodes = calloc(s->nnodes, sizeof *r->nodes);
    if (!r->nodes) {
        free(r);
        return NULL;
    }
    return r;
}

void score_result_destroy(score_result_t **rp)
{
    if (!rp || !*rp)
        return;
    free((*rp)->nodes);
    free(*rp);
    *rp = NULL;
}

double score_round2(double x)
{
    return round(x * 100.0) / 100.0;
}

score_grade_t score_grade(double index)
{
    double x = score_round2(index);
    return x >= 90   ? SCORE_GRADE_A
           : x >= 80 ? SCORE_GRADE_B
           : x >= 70 ? SCORE_GRADE_C
                     : SCORE_GRADE_D;
}

const char *score_grade_name(score_grade_t g)
{
    static const char *const names[] = {"A", "B", "C", "D"};
    return names[g];
}

__attribute__((format(printf, 4, 5))) static score_check_t *
add_check(score_result_t *r, score_check_kind_t kind, int node, const char *fmt, ...)
{
    if (r->nchecks == SCORE_CHECKS_MAX) {
        r->checks_dropped++;
        return NULL;
    }
    score_check_t *c = &r->checks[r->nchecks++];
    c->kind = kind;
    c->node = node;
    c->reported = c->computed = NAN;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
    return c;
}

static void check_reported(score_result_t *r, score_check_kind_t kind, int node, const char *what,
                           double reported, double computed)
{
    if (fabs(score_round2(reported) - score_round2(computed)) < 0.005)
        return;
    char a[24], b[24], d[24];
    score_check_t *c = add_check(
        r, kind, node, "%s báo cáo %s nhưng các phần cộng lại %s (lệch %s)", what,
        score_format_number(reported, a, sizeof a), score_format_number(computed, b, sizeof b),
        score_format_number(fabs(reported - computed), d, sizeof d));
    if (c) {
        c->reported = reported;
        c->computed = computed;
    }
}

static void run_checks(const score_input_t *in, score_result_t *r)
{
    const score_scheme_t *s = in->scheme;
    char a[24], b[24], c[24];
    for (size_t i = 1; i < s->nnodes; i++) {
        const score_node_t *n = &s->nodes[i];
        const score_node_result_t *x = &r->nodes[i];
        const score_value_t *v = &in->values[i];
        if (x->state == SCORE_STATE_NA)
            continue;
        switch (n->rule.kind) {
        case SCORE_RULE_RATIO:
            if (x->state == SCORE_STATE_OK && x->value > 100 + EPS && !n->rule.may_exceed) {
                if (n->rule.denominator)
                    add_check(r, SCORE_CHECK_OVER_100, (int)i,
                              "%s %s: tỷ lệ %s/%s = %s%% vượt 100%% (%s lớn hơn %s)", n->code,
                              n->name, score_format_number(v->a, a, sizeof a),
                              score_format_number(v->b, b, sizeof b),
                              score_format_number(x->value, c, sizeof c), n->rule.numerator,
                              n->rule.denominator);
                else
                    add_check(r, SCORE_CHECK_OVER_100, (int)i, "%s %s: %s = %s%% vượt 100%%",
                              n->code, n->name, n->rule.measurement,
                              score_format_number(x->value, c, sizeof c));
            }
            break;
        case SCORE_RULE_PLAN:
            if (x->state == SCORE_STATE_OK && v->a > v->b + EPS)
                add_check(r, SCORE_CHECK_CONTRADICTION, (int)i,
                          "%s %s: %s nhiệm vụ đúng hạn nhưng kế hoạch %s chỉ có %s nhiệm vụ",
                          n->code, n->name, score_format_number(v->a, a, sizeof a), n->rule.key,
                          score_format_number(v->b, b, sizeof b));
            break;
        case SCORE_RULE_MANUAL:
            if (x->capped)
                add_check(r, SCORE_CHECK_OVER_MAX, (int)i,
                          "%s %s: điểm thẩm định %s vượt điểm tối đa %s (tính %s)", n->code,
                          n->name, score_format_number(v->a, a, sizeof a),
                          score_format_number(n->max, b, sizeof b),
                          score_format_number(n->max, c, sizeof c));
            break;
        default: break;
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < s->nconsistency; i++) {
        const score_consistency_t *x = &s->consistency[i];
        const double *vals = &in->consistency_values[k];
        k += x->nparts + 1;
        double sum = 0;
        bool any = false;
        for (size_t p = 0; p < x->nparts; p++)
            if (!isnan(vals[p])) {
                sum += vals[p];
                any = true;
            }
        double limit = vals[x->nparts];
        if (!any || isnan(limit) || sum <= limit + EPS)
            continue;
        char parts[200] = "";
        size_t used = 0;
        for (size_t p = 0; p < x->nparts && used < sizeof parts; p++)
            if (!isnan(vals[p]))
                used += (size_t)snprintf(parts + used, sizeof parts - used, "%s%s",
                                         used ? " + " : "", x->parts[p]);
        add_check(r, SCORE_CHECK_CONTRADICTION, -1, "số liệu mâu thuẫn: %s = %s > %s = %s%s%s",
                  parts, score_format_number(sum, a, sizeof a), x->at_most,
                  score_format_number(limit, b, sizeof b), x->note ? " — " : "",
                  x->note ? x->note : "");
    }
    const score_reported_t *rep = in->reported;
    if (!rep)
        return;
    if (rep->has_total)
        check_reported(r, SCORE_CHECK_REPORTED_TOTAL, 0, "Tổng điểm", rep->total, r->score);
    if (rep->has_appraisal)
        check_reported(r, SCORE_CHECK_REPORTED_APPRAISAL, -1, "Điểm thẩm định", rep->appraisal,
                       r->appraisal_points);
    if (rep->has_survey)
        check_reported(r, SCORE_CHECK_REPORTED_SURVEY, -1, "Điểm điều tra xã hội học", rep->survey,
                       r->survey_points);
    for (size_t i = 0; i < rep->nareas; i++) {
        int node = score_scheme_find(s, rep->areas[i].code);
        if (node <= 0)
            continue;
        char what[200];
        snprintf(what, sizeof what, "%s %s:", s->nodes[node].code, s->nodes[node].name);
        check_reported(r, SCORE_CHECK_REPORTED_AREA, node, what, rep->areas[i].points,
                       r->nodes[node].points);
    }
}

void score_compute(const score_input_t *in, score_result_t *out)
{
    const score_scheme_t *s = in->scheme;
    score_node_result_t *res = out->nodes;
    out->nchecks = out->checks_dropped = 0;
    /* forward: N/A flows down; groups start empty */
    res[0] = (score_node_result_t){.band = -1, .value = NAN};
    for (size_t i = 1; i < s->nnodes; i++) {
        bool na = in->not_applicable[i] || res[s->nodes[i].parent].state == SCORE_STATE_NA;
        res[i] = (score_node_result_t){.band = -1, .value = NAN};
        if (na)
            res[i].state = SCORE_STATE_NA;
    }
    /* backward: leaves by their rule, groups complete before their parent */
    bool has_survey = false;
    for (size_t i = s->nnodes; i-- > 0;) {
        const score_node_t *n = &s->nodes[i];
        score_node_result_t *x = &res[i];
        if (x->state == SCORE_STATE_NA) {
            x->points = x->max = 0;
        } else if (score_node_is_leaf(n)) {
            score_rule_apply(n, &in->values[i], x);
            if (x->state == SCORE_STATE_NO_SURVEY)
                x->points = x->max = 0;
            else if (n->rule.kind == SCORE_RULE_SURVEY)
                has_survey = true;
        } else {
            if (x->points < 0)
                x->points = 0;
            if (x->points > x->max)
                x->points = x->max;
        }
        if (i > 0) {
            res[n->parent].points += x->points;
            res[n->parent].max += x->max;
        }
    }
    out->points = res[0].points;
    out->max = res[0].max;
    out->has_survey = has_survey;
    out->survey_scaled = s->survey_max > 0 && !has_survey;
    out->survey_points = out->survey_max = 0;
    for (size_t i = 1; i < s->nnodes; i++) {
        const score_node_t *n = &s->nodes[i];
        if (n->survey && (n->parent == 0 || !s->nodes[n->parent].survey)) {
            out->survey_points += res[i].points;
            out->survey_max += res[i].max;
        }
    }
    out->appraisal_points = out->points - out->survey_points;
    out->appraisal_max = out->max - out->survey_max;
    out->index = out->max > 0 ? 100.0 * out->points / out->max : 0;
    out->score = out->index * s->max / 100.0;
    out->grade = score_grade(out->index);
    run_checks(in, out);
}
