/* score_json.h - a computed year as JSON, for the command line and the service
 *
 * The object is documented in the README ("Scoring", `score compute --json`):
 * totals, index, grade, the appraisal and survey parts, every node with its
 * points, max, state, rule, judged value and explanation line, and the
 * checks. Points and percentages are rounded to 0.01.
 */
#ifndef PARTRACK_SCORE_JSON_H
#define PARTRACK_SCORE_JSON_H

#include "score_compute.h"

#include <jansson.h>

/* A new object for the result (computed from in). Caller releases it with
 * json_decref. NULL if memory ran out. */
json_t *score_result_to_json(const score_input_t *in, const score_result_t *r);

/* The check kind's name: "reported_total", "reported_appraisal",
 * "reported_survey", "reported_area", "over_100", "contradiction",
 * "over_max". */
const char *score_check_kind_name(score_check_kind_t kind);

/* "ok", "not_applicable", "no_data", "no_survey". */
const char *score_state_name(score_state_t state);

#endif
