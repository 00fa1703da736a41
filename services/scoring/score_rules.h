/* score_rules.h - one function per rule kind: a leaf's value → its points
 *
 * Each rule reads the leaf's bound value (score_value_t: the numbers the
 * unit's facts give for this leaf, see score_input_bind) and writes the
 * leaf's result: points, the value it judged (ratio %, share %, measured
 * value, survey %), the band it reached and its state. Rules are pure and
 * allocate nothing; they never fail: missing data scores the "missing" points
 * (0 unless a deliverable says otherwise) with state SCORE_STATE_NO_DATA, so
 * the explanation can say why.
 */
#ifndef PARTRACK_SCORE_RULES_H
#define PARTRACK_SCORE_RULES_H

#include "score_data.h"
#include "score_scheme.h"

#include <stdbool.h>
#include <stdint.h>

/* A leaf's inputs, bound from facts:
 *   ratio        a = numerator (or the % measurement), b = denominator
 *   bands        a = the measurement
 *   deliverable  outcome (SCORE_OUTCOME_EXPECTED: a = probability of on time)
 *   plan         a = tasks done on time, b = tasks due
 *   manual       a = appraised points, evidence
 *   survey       a = satisfaction %
 *   adjustments  a = sum of the items' points (has_a false: none), evidence =
 *                the first item's reason, count = how many items */
typedef struct {
    bool has_a, has_b;
    double a, b;
    score_outcome_t outcome;
    const char *evidence; /* borrowed from the facts */
    int count;
} score_value_t;

typedef enum {
    SCORE_STATE_OK = 0,
    SCORE_STATE_NA,        /* does not apply to the unit: not in points, not in max */
    SCORE_STATE_NO_DATA,   /* nothing to judge: scored as missing */
    SCORE_STATE_NO_SURVEY, /* a survey leaf without a survey: treated as N/A */
} score_state_t;

typedef struct {
    double points;
    double max;   /* the node's max, 0 when N/A; a group's excludes N/A children */
    double value; /* the judged value (%, measurement, claimed adjustment) */
    int band;     /* the band reached, -1 none */
    uint8_t state;
    bool capped; /* a manual value over max, or adjustments over their cap, was cut */
} score_node_result_t;

void score_rule_ratio(const score_node_t *n, const score_value_t *v, score_node_result_t *out);
void score_rule_bands(const score_node_t *n, const score_value_t *v, score_node_result_t *out);
void score_rule_deliverable(const score_node_t *n, const score_value_t *v,
                            score_node_result_t *out);
void score_rule_plan(const score_node_t *n, const score_value_t *v, score_node_result_t *out);
void score_rule_manual(const score_node_t *n, const score_value_t *v, score_node_result_t *out);
void score_rule_survey(const score_node_t *n, const score_value_t *v, score_node_result_t *out);
/* deductions and penalties (negative) and bonuses (positive), up to the cap */
void score_rule_adjust(const score_node_t *n, const score_value_t *v, score_node_result_t *out);

/* The rule of leaf n, by its kind. */
void score_rule_apply(const score_node_t *n, const score_value_t *v, score_node_result_t *out);

#endif
