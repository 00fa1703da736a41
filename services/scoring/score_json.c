/* score_json.c - a computed year as JSON, for the command line and the service
 *
 * Built with jansson's json_pack; a failed allocation anywhere gives NULL
 * (json_pack releases what it took), never a half object.
 */
#include "score_json.h"

#include "score_explain.h"

#include <math.h>

const char *score_check_kind_name(score_check_kind_t kind)
{
    switch (kind) {
    case SCORE_CHECK_REPORTED_TOTAL: return "reported_total";
    case SCORE_CHECK_REPORTED_APPRAISAL: return "reported_appraisal";
    case SCORE_CHECK_REPORTED_SURVEY: return "reported_survey";
    case SCORE_CHECK_REPORTED_AREA: return "reported_area";
    case SCORE_CHECK_OVER_100: return "over_100";
    case SCORE_CHECK_CONTRADICTION: return "contradiction";
    case SCORE_CHECK_OVER_MAX: return "over_max";
    }
    return "?";
}

const char *score_state_name(score_state_t state)
{
    switch (state) {
    case SCORE_STATE_OK: return "ok";
    case SCORE_STATE_NA: return "not_applicable";
    case SCORE_STATE_NO_DATA: return "no_data";
    case SCORE_STATE_NO_SURVEY: return "no_survey";
    }
    return "?";
}

/* A rounded number, or null for NAN. */
static json_t *num(double x)
{
    return isfinite(x) ? json_real(score_round2(x)) : json_null();
}

json_t *score_result_to_json(const score_input_t *in, const score_result_t *r)
{
    const score_scheme_t *s = r->scheme;
    json_t *nodes = json_array(), *checks = json_array();
    if (!nodes || !checks)
        goto fail;
    for (size_t i = 1; i < s->nnodes; i++) {
        const score_node_t *n = &s->nodes[i];
        const score_node_result_t *x = &r->nodes[i];
        char line[1024];
        score_explain_node(in, r, (int)i, line, sizeof line);
        const char *rule = score_rule_kind_name(n->rule.kind);
        json_t *o = json_pack(
            "{s:s, s:s, s:i, s:o, s:o, s:o, s:s, s:o, s:o, s:s}", "code", n->code, "name", n->name,
            "depth", n->depth, "points", num(x->points), "max", num(x->max), "scheme_max",
            num(n->max), "state", score_state_name((score_state_t)x->state), "rule",
            rule ? json_string(rule) : json_null(), "value", num(x->value), "explain", line);
        if (!o || json_array_append_new(nodes, o) < 0)
            goto fail;
    }
    for (size_t i = 0; i < r->nchecks; i++) {
        const score_check_t *c = &r->checks[i];
        json_t *o =
            json_pack("{s:s, s:o, s:o, s:o, s:s}", "kind", score_check_kind_name(c->kind), "node",
                      c->node >= 0 ? json_string(s->nodes[c->node].code) : json_null(), "reported",
                      num(c->reported), "computed", num(c->computed), "message", c->message);
        if (!o || json_array_append_new(checks, o) < 0)
            goto fail;
    }
    char total[512];
    score_explain_total(r, total, sizeof total);
    json_t *survey = r->has_survey ? json_pack("{s:o, s:o}", "points", num(r->survey_points), "max",
                                               num(r->survey_max))
                                   : json_null();
    return json_pack("{s:o, s:o, s:o, s:o, s:s, s:{s:o, s:o}, s:o, s:b, s:s, s:o, s:o, s:i}",
                     "points", num(r->points), "max", num(r->max), "index", num(r->index), "score",
                     num(r->score), "grade", score_grade_name(r->grade), "appraisal", "points",
                     num(r->appraisal_points), "max", num(r->appraisal_max), "survey", survey,
                     "survey_scaled", r->survey_scaled, "explain", total, "nodes", nodes, "checks",
                     checks, "checks_dropped", (int)r->checks_dropped);
fail:
    json_decref(nodes);
    json_decref(checks);
    return NULL;
}
