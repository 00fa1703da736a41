/* fuzz_scheme.c - libFuzzer harness for the scoring scheme and data readers
 *
 * Each input is read as a scheme file (scheme_file_parse, as `partrack
 * score compute` and the scoring service's scheme import read one) and as
 * a data file (score_data_parse, the facts the scoring service imports);
 * whatever is read is then scored, since a scheme or facts the readers let
 * through must not break the computation: a read scheme with no facts, and
 * read facts (every unit and year) under the sample scheme
 * (deploy/sample/schemes/hanoi-ward.json) and under the read scheme. Beyond
 * the sanitizers it checks:
 *   - a refused file's reason names the file and is valid UTF-8 (the
 *     service sends it back in an ErrorReply, whose strings must be);
 *   - a read scheme is the tree score_scheme.h describes: nodes in
 *     pre-order (every parent before its children, subtrees contiguous,
 *     depth one more than the parent's), the root's max the scheme's, every
 *     group's max the sum of its children's, a rule exactly on the leaves,
 *     bands in decreasing order, codes unique and found by
 *     score_scheme_find, texts valid UTF-8;
 *   - a computed year has finite numbers, group points within [0, max],
 *     points within [0, max] at the root and an index within [0, 100], the
 *     grade of its index, at most SCORE_CHECKS_MAX checks whose messages
 *     are valid UTF-8, explanations in valid UTF-8, and JSON that can be
 *     written (score_json.h).
 * A broken invariant aborts.
 */
#include "fuzz_support.h"
#include "problems.h"
#include "scheme_file.h"
#include "score_compute.h"
#include "score_data.h"
#include "score_explain.h"
#include "score_json.h"
#include "text.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-6

static score_scheme_t *sample;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[512] = "";
#ifdef FUZZ_SAMPLE_SCHEME
    sample = scheme_file_load(FUZZ_SAMPLE_SCHEME, err, sizeof err);
    if (!sample) {
        fprintf(stderr, "fuzz_scheme: %s\n", err);
        abort();
    }
#endif
    return 0;
}

static bool utf8(const char *s)
{
    return !s || text_valid_utf8(s, strlen(s), NULL);
}

static void check_scheme(const score_scheme_t *s)
{
    fuzz_check(s->nnodes >= 2 && s->nodes[0].parent == -1 && s->nodes[0].depth == 0, "a root");
    fuzz_check(s->nodes[0].end == (int)s->nnodes, "the root spans every node");
    fuzz_check(fabs(s->max - s->nodes[0].max) < EPS && s->max > 0,
               "the scheme's max is the root's");
    fuzz_check(utf8(s->code) && utf8(s->name) && utf8(s->level) && utf8(s->source), "scheme texts");
    size_t leaves = 0;
    double survey = 0;
    for (size_t i = 0; i < s->nnodes; i++) {
        const score_node_t *n = &s->nodes[i];
        fuzz_check(utf8(n->code) && utf8(n->name) && utf8(n->note), "node texts UTF-8");
        fuzz_check(isfinite(n->max) && n->max >= 0, "a node's max is a number >= 0");
        fuzz_check(n->end > (int)i && n->end <= (int)s->nnodes, "a subtree is contiguous");
        if (i > 0) {
            const score_node_t *p = &s->nodes[n->parent];
            fuzz_check(n->parent >= 0 && n->parent < (int)i, "a parent comes first");
            fuzz_check((int)i < p->end && n->end <= p->end,
                       "a child is inside its parent's subtree");
            fuzz_check(n->depth == p->depth + 1, "depth is the parent's plus one");
            fuzz_check(score_scheme_find(s, n->code) == (int)i, "codes unique, found");
        }
        bool leaf = score_node_is_leaf(n);
        fuzz_check(leaf == (n->end == (int)i + 1) || i == 0, "a rule exactly on the leaves");
        if (leaf) {
            leaves++;
            if (n->survey)
                survey += n->max;
            const score_rule_t *r = &n->rule;
            fuzz_check(score_rule_kind_name(r->kind) != NULL, "a leaf's rule has a kind");
            for (size_t b = 0; b < r->nbands; b++) {
                fuzz_check(isfinite(r->bands[b].threshold) && isfinite(r->bands[b].points),
                           "bands are numbers");
                fuzz_check(r->bands[b].points >= 0 && r->bands[b].points <= n->max + EPS,
                           "a band's points within the max");
                fuzz_check(b == 0 || r->bands[b].threshold <= r->bands[b - 1].threshold,
                           "bands decreasing");
            }
        } else {
            double sum = 0;
            for (int c = (int)i + 1; c < n->end; c = s->nodes[c].end)
                sum += s->nodes[c].max;
            fuzz_check(fabs(sum - n->max) <= EPS * (1 + n->max), "a group's max is its children's");
        }
    }
    fuzz_check(leaves == s->nleaves, "leaves counted");
    fuzz_check(fabs(survey - s->survey_max) <= EPS * (1 + survey), "survey max counted");
}

static void check_result(const score_input_t *in, const score_result_t *r)
{
    const score_scheme_t *s = in->scheme;
    fuzz_check(isfinite(r->points) && isfinite(r->max) && isfinite(r->index) && isfinite(r->score),
               "finite totals");
    fuzz_check(r->max >= 0 && r->max <= s->max + EPS, "the max within the scheme's");
    fuzz_check(r->points >= -EPS && r->points <= r->max + EPS, "points within [0, max]");
    fuzz_check(r->index >= -EPS && r->index <= 100 + EPS, "an index within [0, 100]");
    fuzz_check(r->grade == score_grade(r->index), "the grade of the index");
    fuzz_check(r->nchecks <= SCORE_CHECKS_MAX, "checks within the cap");
    for (size_t i = 0; i < r->nchecks; i++)
        fuzz_check(utf8(r->checks[i].message), "a check's message is UTF-8");
    for (size_t i = 0; i < s->nnodes; i++) {
        const score_node_result_t *n = &r->nodes[i];
        fuzz_check(isfinite(n->points) && isfinite(n->max), "finite node points");
        fuzz_check(n->max >= 0 && n->max <= s->nodes[i].max + EPS, "a node's max within its own");
        if (!score_node_is_leaf(&s->nodes[i]))
            fuzz_check(n->points >= -EPS && n->points <= n->max + EPS,
                       "group points within [0, max]");
        char line[2048];
        int len = score_explain_node(in, r, (int)i, line, sizeof line);
        fuzz_check(len >= 0 && utf8(line), "an explanation is UTF-8");
    }
    char total[1024];
    fuzz_check(score_explain_total(r, total, sizeof total) >= 0 && utf8(total), "totals UTF-8");
    json_t *j = score_result_to_json(in, r);
    fuzz_check(j != NULL, "JSON made");
    char *text = json_dumps(j, 0);
    fuzz_check(text != NULL, "JSON dumped");
    free(text);
    json_decref(j);
}

static void compute(const score_scheme_t *s, const score_facts_t *f)
{
    score_input_t *in = score_input_new(s);
    score_result_t *r = score_result_new(s);
    fuzz_check(in && r, "memory");
    if (f)
        score_input_bind(in, f);
    score_compute(in, r);
    check_result(in, r);
    score_result_destroy(&r);
    score_input_destroy(&in);
}

static void score_data(const score_data_t *d, const score_scheme_t *s)
{
    static problems_t problems;
    fuzz_check(score_data_check(d, s, &problems) == problems.n + problems.dropped ||
                   problems.dropped > 0,
               "score_data_check counts its problems");
    problems_clear(&problems);
    for (size_t u = 0; u < d->nunits; u++)
        for (size_t y = 0; y < d->units[u].nyears; y++)
            compute(s, &d->units[u].years[y]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char err[1024] = "";
    score_scheme_t *s = scheme_file_parse(text, size, "scheme.json", err, sizeof err);
    if (s) {
        check_scheme(s);
        compute(s, NULL);
    } else {
        fuzz_check(strncmp(err, "scheme.json", 11) == 0, "a refused scheme: the file named");
        fuzz_check(utf8(err), "a refused scheme: the reason is UTF-8");
    }

    static problems_t problems;
    problems_clear(&problems);
    err[0] = '\0';
    score_data_t *d = score_data_parse(text, size, "data.json", &problems, err, sizeof err);
    if (d) {
        if (sample)
            score_data(d, sample);
        if (s)
            score_data(d, s);
        score_data_destroy(&d);
        fuzz_check(d == NULL, "destroy clears the pointer");
    } else {
        fuzz_check(*err != '\0' && utf8(err), "refused data: a reason in UTF-8");
        for (size_t i = 0; i < problems.n; i++)
            fuzz_check(utf8(problems.items[i].message) && utf8(problems.items[i].field),
                       "refused data: problems in UTF-8");
    }
    problems_clear(&problems);
    score_scheme_destroy(&s);
    fuzz_check(s == NULL, "destroy clears the pointer");
    return 0;
}
