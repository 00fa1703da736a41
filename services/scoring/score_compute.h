/* score_compute.h - one unit's year: points at every node, index, grade, checks
 *
 * The work is split so that the scoring service can keep everything in
 * memory and recompute one unit after one new measurement without touching
 * the others:
 *
 *   score_input_t   a unit's facts bound to a scheme: one score_value_t per
 *                   node (leaves only), the N/A flags, the survey and the
 *                   reported totals. Made once per unit (score_input_new),
 *                   filled by score_input_bind, patched by
 *                   score_input_set_measurement / _set_outcome / _set_manual.
 *   score_result_t  the computed year: per node points and max, totals,
 *                   index, grade, checks. Made once (score_result_new) and
 *                   refilled by score_compute, which allocates nothing and
 *                   walks the nodes once backwards (children before parents).
 *
 * Rules of the computation (README "Scoring"):
 *   - a leaf's points come from its rule (score_rules.h); a group's are the
 *     sum of its children's, kept within [0, its max] (a deduction cannot
 *     take a content below 0, a bonus cannot lift it over its max);
 *   - a node that does not apply to the unit (N/A) and everything under it
 *     leaves both the points and the max: the unit is scored on the
 *     remaining max;
 *   - without a survey value the survey leaves are dropped the same way and
 *     the appraisal alone is scaled to the scheme's max (survey_scaled);
 *   - index = points ÷ max × 100; score = index × scheme max ÷ 100 (equal to
 *     points when nothing is dropped); grade A ≥ 90, B ≥ 80, C ≥ 70, else D;
 *   - checks: reported totals (total, appraisal, survey, areas) against the
 *     computed sums, ratios over 100%, contradicting measurements (the
 *     scheme's consistency rules, a plan with more tasks on time than due),
 *     appraised points over a max (adjustments over their cap are cut and said in
 *     the explanation, not checked: the cap is the rule working).
 * All points are rounded to 0.01 only for display and comparison with
 * reported figures; results keep full precision.
 */
#ifndef PARTRACK_SCORE_COMPUTE_H
#define PARTRACK_SCORE_COMPUTE_H

#include "score_data.h"
#include "score_rules.h"
#include "score_scheme.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct score_input {
    const score_scheme_t *scheme; /* borrowed; must outlive the input */
    score_value_t *values;        /* [scheme->nnodes] */
    bool *not_applicable;         /* [scheme->nnodes], as the facts say (not inherited) */
    /* measurements the scheme's consistency rules name, in their order:
     * parts then at_most, per rule (NAN when absent) */
    double *consistency_values;
    size_t nconsistency_values;
    const score_reported_t *reported; /* borrowed from the facts; may be NULL */
} score_input_t;

/* A new empty input for the scheme (every leaf without data). Caller frees
 * with score_input_destroy. NULL on allocation failure. */
score_input_t *score_input_new(const score_scheme_t *s);
void score_input_destroy(score_input_t **in);

/* Empties the input and fills it from facts (which must outlive it: texts
 * are borrowed). Facts the scheme does not use are ignored (score_data_check
 * reports codes that name no node). */
void score_input_bind(score_input_t *in, const score_facts_t *f);

/* Incremental updates: set one measurement, outcome, plan or appraised
 * value on every leaf that uses it. Return how many leaves changed (0: the
 * scheme does not use it). evidence is borrowed. */
int score_input_set_measurement(score_input_t *in, const char *code, double value);
int score_input_set_outcome(score_input_t *in, const char *key, score_outcome_t outcome);
int score_input_set_plan(score_input_t *in, const char *key, double tasks, double on_time);
int score_input_set_manual(score_input_t *in, const char *code, double points,
                           const char *evidence);
void score_input_set_survey(score_input_t *in, bool has, double percent);

typedef enum {
    SCORE_CHECK_REPORTED_TOTAL = 0, /* the reported total is not the sum of the parts */
    SCORE_CHECK_REPORTED_APPRAISAL,
    SCORE_CHECK_REPORTED_SURVEY,
    SCORE_CHECK_REPORTED_AREA,
    SCORE_CHECK_OVER_100,      /* a ratio over 100% */
    SCORE_CHECK_CONTRADICTION, /* measurements that cannot all be true */
    SCORE_CHECK_OVER_MAX,      /* appraised points over the max */
} score_check_kind_t;

#define SCORE_CHECKS_MAX    32
#define SCORE_CHECK_MESSAGE 320

typedef struct {
    score_check_kind_t kind;
    int node;                          /* the node concerned, or -1 */
    double reported, computed;         /* for the reported-* kinds */
    char message[SCORE_CHECK_MESSAGE]; /* Vietnamese, decimal commas */
} score_check_t;

typedef enum { SCORE_GRADE_A = 0, SCORE_GRADE_B, SCORE_GRADE_C, SCORE_GRADE_D } score_grade_t;

typedef struct score_result {
    const score_scheme_t *scheme;
    score_node_result_t *nodes; /* [scheme->nnodes]; nodes[0] is the total */
    double points;              /* nodes[0].points */
    double max;                 /* nodes[0].max: the scheme's max less what was dropped */
    double index;               /* points ÷ max × 100 */
    double score;               /* index × scheme max ÷ 100 */
    score_grade_t grade;
    double appraisal_points, appraisal_max; /* everything but the survey */
    double survey_points, survey_max;
    bool has_survey;
    bool survey_scaled; /* no survey: the appraisal alone scaled to the scheme's max */
    score_check_t checks[SCORE_CHECKS_MAX];
    size_t nchecks;
    size_t checks_dropped;
} score_result_t;

/* A result for the scheme. Caller frees with score_result_destroy. */
score_result_t *score_result_new(const score_scheme_t *s);
void score_result_destroy(score_result_t **r);

/* Computes the unit's year into out (same scheme as in). Allocates nothing. */
void score_compute(const score_input_t *in, score_result_t *out);

/* Grade of an index: A ≥ 90, B 80-<90, C 70-<80, D below. */
score_grade_t score_grade(double index);
const char *score_grade_name(score_grade_t g); /* "A", "B", "C", "D" */

/* Round to 0.01 (half away from zero), as points and indices are published. */
double score_round2(double x);

#endif
