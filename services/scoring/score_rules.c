/* score_rules.c - one function per rule kind: a leaf's value → its points
 *
 * Percentages are compared with a little slack (1e-9) so that a ratio of
 * counts that is exactly the target in decimal (4080/4080, 36/40 = 90%) is
 * not judged below it by a rounding error.
 */
#include "score_rules.h"

#include <math.h>

#define EPS 1e-9

static void start(const score_node_t *n, score_node_result_t *out)
{
    out->points = 0;
    out->max = n->max;
    out->value = NAN;
    out->band = -1;
    out->state = SCORE_STATE_OK;
    out->capped = false;
}

static double band_points(const score_rule_t *r, double value, int *band)
{
    *band = score_band_match(r->bands, r->nbands, value);
    return *band < 0 ? 0 : r->bands[*band].points;
}

void score_rule_ratio(const score_node_t *n, const score_value_t *v, score_node_result_t *out)
{
    const score_rule_t *r = &n->rule;
    start(n, out);
    if (!v->has_a || (r->denominator && (!v->has_b || v->b <= 0))) {
        out->state = SCORE_STATE_NO_DATA;
        return;
    }
    out->value = r->denominator ? 100.0 * v->a / v->b : v->a;
    if (out->value >= r->target - EPS) {
        out->points = n->max;
        return;
    }
    switch (r->below) {
    case SCORE_BELOW_ZERO: break;
    case SCORE_BELOW_PROPORTIONAL: out->points = n->max * out->value / r->target; break;
    case SCORE_BELOW_BANDS: out->points = band_points(r, out->value, &out->band); break;
    }
}

void score_rule_bands(const score_node_t *n, const score_value_t *v, score_node_result_t *out)
{
    start(n, out);
    if (!v->has_a) {
        out->state = SCORE_STATE_NO_DATA;
        return;
    }
    out->value = v->a;
    out->points = band_points(&n->rule, v->a, &out->band);
}

void score_rule_deliverable(const score_node_t *n, const score_value_t *v, score_node_result_t *out)
{
    const score_rule_t *r = &n->rule;
    start(n, out);
    switch (v->outcome) {
    case SCORE_OUTCOME_ON_TIME: out->points = r->on_time; break;
    case SCORE_OUTCOME_LATE: out->points = r->late; break;
    case SCORE_OUTCOME_MISSING: out->points = r->missing; break;
    case SCORE_OUTCOME_EXPECTED:
        /* a forecast: on time with probability a, else late */
        out->value = 100.0 * v->a;
        out->points = v->a * r->on_time + (1 - v->a) * r->late;
        break;
    case SCORE_OUTCOME_NONE:
        out->points = r->missing;
        out->state = SCORE_STATE_NO_DATA;
        break;
    }
}

void score_rule_plan(const score_node_t *n, const score_value_t *v, score_node_result_t *out)
{
    start(n, out);
    if (!v->has_a || !v->has_b || v->b <= 0) {
        out->state = SCORE_STATE_NO_DATA;
        return;
    }
    out->value = 100.0 * v->a / v->b;
    out->points = band_points(&n->rule, out->value, &out->band);
}

void score_rule_manual(const score_node_t *n, const score_value_t *v, score_node_result_t *out)
{
    start(n, out);
    if (!v->has_a) {
        out->state = SCORE_STATE_NO_DATA;
        return;
    }
    out->value = v->a;
    out->points = v->a;
    if (out->points > n->max) {
        out->points = n->max;
        out->capped = true;
    }
}

void score_rule_survey(const score_node_t *n, const score_value_t *v, score_node_result_t *out)
{
    const score_rule_t *r = &n->rule;
    start(n, out);
    if (!v->has_a) {
        out->state = SCORE_STATE_NO_SURVEY;
        return;
    }
    out->value = v->a;
    if (r->nbands)
        out->points = band_points(r, v->a, &out->band);
    else
        out->points = n->max * fmin(v->a, 100.0) / 100.0;
}

void score_rule_adjust(const score_node_t *n, const score_value_t *v, score_node_result_t *out)
{
    const score_rule_t *r = &n->rule;
    start(n, out);
    if (!v->has_a)
        return; /* none: nothing moves */
    out->value = v->a;
    double moved = v->a;
    if (moved > r->cap) {
        moved = r->cap;
        out->capped = true;
    }
    out->points = r->kind == SCORE_RULE_BONUS ? moved : -moved;
}

void score_rule_apply(const score_node_t *n, const score_value_t *v, score_node_result_t *out)
{
    switch (n->rule.kind) {
    case SCORE_RULE_RATIO: score_rule_ratio(n, v, out); break;
    case SCORE_RULE_BANDS: score_rule_bands(n, v, out); break;
    case SCORE_RULE_DELIVERABLE: score_rule_deliverable(n, v, out); break;
    case SCORE_RULE_PLAN: score_rule_plan(n, v, out); break;
    case SCORE_RULE_MANUAL: score_rule_manual(n, v, out); break;
    case SCORE_RULE_SURVEY: score_rule_survey(n, v, out); break;
    case SCORE_RULE_DEDUCTION:
    case SCORE_RULE_PENALTY:
    case SCORE_RULE_BONUS: score_rule_adjust(n, v, out); break;
    case SCORE_RULE_NONE: start(n, out); break;
    }
}
