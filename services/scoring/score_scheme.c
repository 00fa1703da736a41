/* score_scheme.c - a scoring scheme in memory: lookups and release
 *
 * The reader (scheme_file.c) builds the flat node array; this file only
 * answers questions about it and frees it.
 */
#include "score_scheme.h"

#include <stdlib.h>
#include <string.h>

static void rule_free(score_rule_t *r)
{
    free(r->numerator);
    free(r->denominator);
    free(r->measurement);
    free(r->key);
    free(r->bands);
}

void score_scheme_destroy(score_scheme_t **sp)
{
    if (!sp || !*sp)
        return;
    score_scheme_t *s = *sp;
    for (size_t i = 0; i < s->nnodes; i++) {
        free(s->nodes[i].code);
        free(s->nodes[i].name);
        free(s->nodes[i].note);
        rule_free(&s->nodes[i].rule);
    }
    free(s->nodes);
    for (size_t i = 0; i < s->nconsistency; i++) {
        for (size_t k = 0; k < s->consistency[i].nparts; k++)
            free(s->consistency[i].parts[k]);
        free(s->consistency[i].parts);
        free(s->consistency[i].at_most);
        free(s->consistency[i].note);
    }
    free(s->consistency);
    free(s->file);
    free(s->code);
    free(s->name);
    free(s->level);
    free(s->source);
    free(s);
    *sp = NULL;
}

int score_scheme_find(const score_scheme_t *s, const char *code)
{
    for (size_t i = 0; i < s->nnodes; i++)
        if (s->nodes[i].code && strcmp(s->nodes[i].code, code) == 0)
            return (int)i;
    return -1;
}

bool score_node_is_leaf(const score_node_t *n)
{
    return n->rule.kind != SCORE_RULE_NONE;
}

const char *score_rule_kind_name(score_rule_kind_t kind)
{
    switch (kind) {
    case SCORE_RULE_RATIO: return "ratio";
    case SCORE_RULE_BANDS: return "bands";
    case SCORE_RULE_DELIVERABLE: return "deliverable";
    case SCORE_RULE_PLAN: return "plan_completion";
    case SCORE_RULE_MANUAL: return "manual";
    case SCORE_RULE_SURVEY: return "survey";
    case SCORE_RULE_DEDUCTION: return "deduction";
    case SCORE_RULE_PENALTY: return "penalty";
    case SCORE_RULE_BONUS: return "bonus";
    case SCORE_RULE_NONE: break;
    }
    return NULL;
}

int score_band_match(const score_band_t *bands, size_t n, double value)
{
    /* a little slack so that 90.0000000001 computed from counts reaches 90 */
    const double eps = 1e-9;
    for (size_t i = 0; i < n; i++) {
        if (bands[i].strict ? value > bands[i].threshold + eps : value >= bands[i].threshold - eps)
            return (int)i;
    }
    return -1;
}
