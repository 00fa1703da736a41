/* scheme_file.c - reading and validating a scoring scheme file (JSON)
 *
 * The file is read whole with jansson (duplicate keys refused), then walked
 * twice: once to count the nodes, so the flat pre-order array is allocated
 * once, and once to fill it, checking each field as it is met and naming it
 * by its JSON path (`areas[2].children[0].rule.target`). Checks that need the
 * whole tree (max sums, survey flags, unique codes) run after the fill. The
 * first problem stops the reader; nothing half-read is ever returned.
 */
#include "scheme_file.h"

#include "text.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 10000
#define MAX_DEPTH 8
#define EPS       1e-6

typedef struct {
    const char *file;
    char *err;
    size_t errlen;
    bool failed;
    score_scheme_t *s;
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

__attribute__((format(printf, 3, 4))) static int fail(reader_t *r, const char *path,
                                                      const char *fmt, ...)
{
    if (r->failed)
        return -1;
    r->failed = true;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s: %s%s%s", r->file, path, *path ? ": " : "", msg);
    return -1;
}

/* Only keys in `allowed` (NULL-terminated). */
static int check_keys(reader_t *r, json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok)
            return fail(r, path, "unknown key \"%s\"", key);
    }
    return 0;
}

static bool code_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* A required (or optional, when !required) text; NFC and trimmed for names,
 * [A-Za-z0-9._-] for codes. *out is malloc'd (NULL when absent). */
static int get_text(reader_t *r, json_t *obj, const char *key, const char *path, bool required,
                    bool is_code, char **out)
{
    char p[320];
    path_fmt(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return fail(r, p, "is required");
        return 0;
    }
    if (!json_is_string(v))
        return fail(r, p, "must be a string");
    const char *t = json_string_value(v);
    size_t len = json_string_length(v);
    if (!text_valid_utf8(t, len, NULL))
        return fail(r, p, "is not valid UTF-8");
    if (is_code) {
        if (len == 0 || len > 64)
            return fail(r, p, "must be 1 to 64 characters");
        for (size_t i = 0; i < len; i++)
            if (!code_char(t[i]))
                return fail(r, p, "must be letters, digits, '.', '_' or '-' (\"%s\")", t);
        *out = strdup(t);
    } else {
        *out = text_clean(t);
        if (*out && !**out && required) {
            free(*out);
            *out = NULL;
            return fail(r, p, "must not be empty");
        }
    }
    if (!*out)
        return fail(r, p, "out of memory");
    return 0;
}

/* A number in [lo, hi]; *out keeps its default when absent and !required. */
static int get_number(reader_t *r, json_t *obj, const char *key, const char *path, bool required,
                      double lo, double hi, double *out)
{
    char p[320];
    path_fmt(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return fail(r, p, "is required");
        return 0;
    }
    if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi ||
        !isfinite(json_number_value(v))) {
        char a[32], b[32];
        path_fmt(a, sizeof a, "%g", lo);
        path_fmt(b, sizeof b, "%g", hi);
        return fail(r, p, "must be a number between %s and %s", a, b);
    }
    *out = json_number_value(v);
    return 0;
}

static int get_bool(reader_t *r, json_t *obj, const char *key, const char *path, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (!json_is_boolean(v)) {
        char p[320];
        path_fmt(p, sizeof p, "%s.%s", path, key);
        return fail(r, p, "must be true or false");
    }
    *out = json_is_true(v);
    return 0;
}

/* Bands: [{"at_least"|"above": X, "points": P}, ...], decreasing. */
static int read_bands(reader_t *r, json_t *arr, const char *path, double max, double lo, double hi,
                      score_rule_t *rule)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 64)
        return fail(r, path,
                    "must be a list of 1 to 64 bands {\"at_least\" or \"above\": "
                    "value, \"points\": points}");
    rule->nbands = json_array_size(arr);
    rule->bands = calloc(rule->nbands, sizeof *rule->bands);
    if (!rule->bands)
        return fail(r, path, "out of memory");
    static const char *const keys[] = {"at_least", "above", "points", "note", NULL};
    for (size_t i = 0; i < rule->nbands; i++) {
        char p[320];
        path_fmt(p, sizeof p, "%s[%zu]", path, i);
        json_t *b = json_array_get(arr, i);
        if (!json_is_object(b))
            return fail(r, p,
                        "must be an object {\"at_least\" or \"above\": value, \"points\": "
                        "points}");
        if (check_keys(r, b, p, keys) < 0)
            return -1;
        score_band_t *band = &rule->bands[i];
        json_t *least = json_object_get(b, "at_least"), *above = json_object_get(b, "above");
        if (!!least == !!above)
            return fail(r, p, "needs exactly one of \"at_least\" and \"above\"");
        band->strict = above != NULL;
        if (get_number(r, b, above ? "above" : "at_least", p, true, lo, hi, &band->threshold) < 0)
            return -1;
        if (get_number(r, b, "points", p, true, 0, max, &band->points) < 0)
            return -1;
        if (i > 0) {
            const score_band_t *prev = &rule->bands[i - 1];
            bool lower = band->threshold < prev->threshold ||
                         (band->threshold == prev->threshold && prev->strict && !band->strict);
            if (!lower)
                return fail(r, p, "bands must go from the highest threshold down");
        }
    }
    return 0;
}

static int read_rule(reader_t *r, json_t *obj, const char *path, score_node_t *node)
{
    score_rule_t *rule = &node->rule;
    if (!json_is_object(obj))
        return fail(r, path, "must be an object with a \"kind\"");
    char *kind = NULL;
    if (get_text(r, obj, "kind", path, true, true, &kind) < 0)
        return -1;
    static const score_rule_kind_t kinds[] = {
        SCORE_RULE_RATIO, SCORE_RULE_BANDS,     SCORE_RULE_DELIVERABLE,
        SCORE_RULE_PLAN,  SCORE_RULE_MANUAL,    SCORE_RULE_SURVEY,
        SCORE_RULE_BONUS, SCORE_RULE_DEDUCTION, SCORE_RULE_PENALTY,
    };
    rule->kind = SCORE_RULE_NONE;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kind, score_rule_kind_name(kinds[i])) == 0)
            rule->kind = kinds[i];
    if (rule->kind == SCORE_RULE_NONE) {
        char p[320];
        path_fmt(p, sizeof p, "%s.kind", path);
        fail(r, p,
             "unknown rule \"%s\" (ratio, bands, deliverable, plan_completion, manual, survey, "
             "deduction, penalty, bonus)",
             kind);
        free(kind);
        return -1;
    }
    free(kind);
    char p[320];
    double max = node->max;
    switch (rule->kind) {
    case SCORE_RULE_RATIO: {
        static const char *const keys[] = {"kind",        "numerator", "denominator",
                                           "measurement", "target",    "below",
                                           "may_exceed",  "note",      NULL};
        if (check_keys(r, obj, path, keys) < 0 ||
            get_text(r, obj, "numerator", path, false, true, &rule->numerator) < 0 ||
            get_text(r, obj, "denominator", path, false, true, &rule->denominator) < 0 ||
            get_text(r, obj, "measurement", path, false, true, &rule->measurement) < 0 ||
            get_number(r, obj, "target", path, true, 0, 100, &rule->target) < 0 ||
            get_bool(r, obj, "may_exceed", path, &rule->may_exceed) < 0)
            return -1;
        if (rule->measurement ? (rule->numerator || rule->denominator)
                              : !(rule->numerator && rule->denominator))
            return fail(r, path,
                        "needs \"numerator\" and \"denominator\" (measurements), or a "
                        "\"measurement\" that is already a %%");
        if (rule->target <= 0) {
            path_fmt(p, sizeof p, "%s.target", path);
            return fail(r, p, "must be a number between 0 and 100 (and above 0)");
        }
        json_t *below = json_object_get(obj, "below");
        path_fmt(p, sizeof p, "%s.below", path);
        if (!below || (json_is_string(below) && strcmp(json_string_value(below), "zero") == 0))
            rule->below = SCORE_BELOW_ZERO;
        else if (json_is_string(below) && strcmp(json_string_value(below), "proportional") == 0)
            rule->below = SCORE_BELOW_PROPORTIONAL;
        else if (json_is_array(below)) {
            rule->below = SCORE_BELOW_BANDS;
            if (read_bands(r, below, p, max, 0, rule->target, rule) < 0)
                return -1;
            if (rule->bands[0].threshold >= rule->target && !rule->bands[0].strict)
                return fail(r, p, "bands below the target must have thresholds under it");
        } else
            return fail(r, p, "must be \"zero\", \"proportional\" or a list of bands");
        return 0;
    }
    case SCORE_RULE_BANDS: {
        static const char *const keys[] = {"kind",       "measurement", "bands",
                                           "may_exceed", "note",        NULL};
        path_fmt(p, sizeof p, "%s.bands", path);
        if (check_keys(r, obj, path, keys) < 0 ||
            get_text(r, obj, "measurement", path, true, true, &rule->measurement) < 0 ||
            get_bool(r, obj, "may_exceed", path, &rule->may_exceed) < 0 ||
            read_bands(r, json_object_get(obj, "bands"), p, max, -1e12, 1e12, rule) < 0)
            return -1;
        return 0;
    }
    case SCORE_RULE_DELIVERABLE: {
        static const char *const keys[] = {"kind",    "task", "on_time", "late",
                                           "missing", "note", NULL};
        rule->on_time = max;
        rule->late = 0;
        rule->missing = 0;
        if (check_keys(r, obj, path, keys) < 0 ||
            get_text(r, obj, "task", path, true, true, &rule->key) < 0 ||
            get_number(r, obj, "on_time", path, false, 0, max, &rule->on_time) < 0 ||
            get_number(r, obj, "late", path, false, 0, max, &rule->late) < 0 ||
            get_number(r, obj, "missing", path, false, 0, max, &rule->missing) < 0)
            return -1;
        if (rule->late > rule->on_time || rule->missing > rule->late)
            return fail(r, path, "points must be on_time >= late >= missing");
        return 0;
    }
    case SCORE_RULE_PLAN: {
        static const char *const keys[] = {"kind", "plan", "bands", "note", NULL};
        path_fmt(p, sizeof p, "%s.bands", path);
        if (check_keys(r, obj, path, keys) < 0 ||
            get_text(r, obj, "plan", path, true, true, &rule->key) < 0 ||
            read_bands(r, json_object_get(obj, "bands"), p, max, 0, 100, rule) < 0)
            return -1;
        return 0;
    }
    case SCORE_RULE_MANUAL: {
        static const char *const keys[] = {"kind", "note", NULL};
        return check_keys(r, obj, path, keys);
    }
    case SCORE_RULE_SURVEY: {
        static const char *const keys[] = {"kind", "bands", "note", NULL};
        if (check_keys(r, obj, path, keys) < 0)
            return -1;
        json_t *bands = json_object_get(obj, "bands");
        path_fmt(p, sizeof p, "%s.bands", path);
        if (bands && read_bands(r, bands, p, max, 0, 100, rule) < 0)
            return -1;
        return 0;
    }
    case SCORE_RULE_DEDUCTION:
    case SCORE_RULE_PENALTY:
    case SCORE_RULE_BONUS: {
        static const char *const keys[] = {"kind", "cap", "note", NULL};
        if (check_keys(r, obj, path, keys) < 0 ||
            get_number(r, obj, "cap", path, true, 0, 1e6, &rule->cap) < 0)
            return -1;
        if (rule->cap <= 0) {
            path_fmt(p, sizeof p, "%s.cap", path);
            return fail(r, p, "must be above 0");
        }
        if (node->max != 0) {
            path_fmt(p, sizeof p, "%s.max", path);
            return fail(r, p, "must be 0 for a %s (it moves points, it adds none to the max)",
                        score_rule_kind_name(rule->kind));
        }
        return 0;
    }
    case SCORE_RULE_NONE: break;
    }
    return 0;
}

static long count_nodes(json_t *arr, int depth)
{
    if (!json_is_array(arr) || depth > MAX_DEPTH)
        return 0;
    long n = 0;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        n += 1 + count_nodes(json_is_object(v) ? json_object_get(v, "children") : NULL, depth + 1);
        if (n > MAX_NODES)
            return n;
    }
    return n;
}

static int read_node(reader_t *r, json_t *obj, const char *path, int parent, int depth)
{
    score_scheme_t *s = r->s;
    if (!json_is_object(obj))
        return fail(r, path, "must be an object with code, name, max and children or a rule");
    if (depth > MAX_DEPTH)
        return fail(r, path, "is deeper than %d levels", MAX_DEPTH);
    static const char *const keys[] = {"code", "name", "max", "children", "rule", "note", NULL};
    if (check_keys(r, obj, path, keys) < 0)
        return -1;
    int i = (int)s->nnodes++;
    score_node_t *n = &s->nodes[i];
    n->parent = parent;
    n->depth = depth;
    json_t *children = json_object_get(obj, "children"), *rule = json_object_get(obj, "rule");
    if (get_text(r, obj, "code", path, true, true, &n->code) < 0 ||
        get_text(r, obj, "name", path, true, false, &n->name) < 0 ||
        get_text(r, obj, "note", path, false, false, &n->note) < 0)
        return -1;
    /* deductions, penalties and bonuses may leave out their max of 0 */
    bool adjust = false;
    if (json_is_object(rule)) {
        json_t *k = json_object_get(rule, "kind");
        const char *ks = json_is_string(k) ? json_string_value(k) : "";
        adjust = !strcmp(ks, "deduction") || !strcmp(ks, "penalty") || !strcmp(ks, "bonus");
    }
    if (get_number(r, obj, "max", path, !adjust, 0, 10000, &n->max) < 0)
        return -1;
    if (!!children == !!rule)
        return fail(r, path, "needs either \"children\" (a group) or a \"rule\" (a leaf)");
    char p[320];
    if (rule) {
        path_fmt(p, sizeof p, "%s.rule", path);
        if (read_rule(r, rule, p, n) < 0)
            return -1;
        n->survey = n->rule.kind == SCORE_RULE_SURVEY;
        s->nleaves++;
    } else {
        path_fmt(p, sizeof p, "%s.children", path);
        if (!json_is_array(children) || json_array_size(children) == 0)
            return fail(r, p, "must be a non-empty list of criteria");
        size_t k;
        json_t *c;
        double sum = 0;
        json_array_foreach(children, k, c)
        {
            char cp[320];
            path_fmt(cp, sizeof cp, "%s[%zu]", p, k);
            int ci = (int)s->nnodes;
            if (read_node(r, c, cp, i, depth + 1) < 0)
                return -1;
            sum += s->nodes[ci].max;
        }
        if (fabs(sum - n->max) > EPS) {
            path_fmt(p, sizeof p, "%s.max", path);
            return fail(r, p, "is %g but its children's maxima add up to %g", n->max, sum);
        }
    }
    n->end = (int)s->nnodes;
    return 0;
}

static int read_consistency(reader_t *r, json_t *arr)
{
    score_scheme_t *s = r->s;
    if (!arr)
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > 256)
        return fail(r, "consistency", "must be a list of {\"parts\": [...], \"at_most\": code}");
    s->consistency = calloc(json_array_size(arr) + 1, sizeof *s->consistency);
    if (!s->consistency)
        return fail(r, "consistency", "out of memory");
    static const char *const keys[] = {"parts", "at_most", "note", NULL};
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c)
    {
        char p[320];
        path_fmt(p, sizeof p, "consistency[%zu]", i);
        if (!json_is_object(c))
            return fail(r, p, "must be {\"parts\": [...], \"at_most\": code}");
        score_consistency_t *x = &s->consistency[s->nconsistency++];
        if (check_keys(r, c, p, keys) < 0 ||
            get_text(r, c, "at_most", p, true, true, &x->at_most) < 0 ||
            get_text(r, c, "note", p, false, false, &x->note) < 0)
            return -1;
        json_t *parts = json_object_get(c, "parts");
        char pp[340];
        path_fmt(pp, sizeof pp, "%s.parts", p);
        if (!json_is_array(parts) || json_array_size(parts) == 0 || json_array_size(parts) > 64)
            return fail(r, pp, "must be a list of 1 to 64 measurement codes");
        x->parts = calloc(json_array_size(parts), sizeof *x->parts);
        if (!x->parts)
            return fail(r, pp, "out of memory");
        size_t k;
        json_t *v;
        json_array_foreach(parts, k, v)
        {
            json_t *wrap = json_pack("{sO}", "code", v);
            char ip[360];
            path_fmt(ip, sizeof ip, "%s[%zu]", pp, k);
            int rc = wrap ? get_text(r, wrap, "code", "", true, true, &x->parts[k])
                          : fail(r, ip, "out of memory");
            json_decref(wrap);
            if (rc < 0)
                return -1;
            x->nparts++;
        }
    }
    return 0;
}

static score_scheme_t *read_root(reader_t *r, json_t *root)
{
    score_scheme_t *s = calloc(1, sizeof *s);
    if (!s) {
        fail(r, "", "out of memory");
        return NULL;
    }
    r->s = s;
    s->file = strdup(r->file);
    static const char *const keys[] = {"format", "code", "name",        "year",  "level", "source",
                                       "note",   "max",  "consistency", "areas", NULL};
    double format = 0, year = 0, max = -1;
    if (!json_is_object(root)) {
        fail(r, "", "must hold a JSON object");
        goto fail;
    }
    if (check_keys(r, root, "", keys) < 0 ||
        get_number(r, root, "format", "", true, 1, 1, &format) < 0 ||
        get_text(r, root, "code", "", true, true, &s->code) < 0 ||
        get_text(r, root, "name", "", true, false, &s->name) < 0 ||
        get_text(r, root, "level", "", true, true, &s->level) < 0 ||
        get_text(r, root, "source", "", false, false, &s->source) < 0 ||
        get_number(r, root, "year", "", true, 1900, 2100, &year) < 0 ||
        get_number(r, root, "max", "", false, 0, 10000, &max) < 0)
        goto fail;
    if (year != floor(year)) {
        fail(r, "year", "must be a whole year");
        goto fail;
    }
    s->year = (int)year;
    json_t *areas = json_object_get(root, "areas");
    if (!json_is_array(areas) || json_array_size(areas) == 0) {
        fail(r, "areas", "must be a non-empty list of areas");
        goto fail;
    }
    long total = 1 + count_nodes(areas, 1);
    if (total > MAX_NODES) {
        fail(r, "areas", "has more than %d nodes", MAX_NODES);
        goto fail;
    }
    s->nodes = calloc((size_t)total, sizeof *s->nodes);
    if (!s->nodes) {
        fail(r, "areas", "out of memory");
        goto fail;
    }
    score_node_t *root_node = &s->nodes[0];
    s->nnodes = 1;
    root_node->parent = -1;
    root_node->code = strdup("");
    root_node->name = strdup(s->name);
    if (!root_node->code || !root_node->name) {
        fail(r, "", "out of memory");
        goto fail;
    }
    size_t i;
    json_t *a;
    json_array_foreach(areas, i, a)
    {
        char p[64];
        path_fmt(p, sizeof p, "areas[%zu]", i);
        int ai = (int)s->nnodes;
        if (read_node(r, a, p, 0, 1) < 0)
            goto fail;
        root_node->max += s->nodes[ai].max;
    }
    root_node->end = (int)s->nnodes;
    s->max = root_node->max;
    if (max >= 0 && fabs(max - s->max) > EPS) {
        fail(r, "max", "is %g but the areas' maxima add up to %g", max, s->max);
        goto fail;
    }
    if (s->max <= 0) {
        fail(r, "areas", "have no points at all (every max is 0)");
        goto fail;
    }
    /* unique codes (n² is fine for a scheme of a few hundred nodes) */
    for (size_t x = 1; x < s->nnodes; x++)
        for (size_t y = 1; y < x; y++)
            if (strcmp(s->nodes[x].code, s->nodes[y].code) == 0) {
                fail(r, "areas", "the code \"%s\" is used twice", s->nodes[x].code);
                goto fail;
            }
    /* survey flags: a group is survey when all its leaves are */
    for (size_t x = s->nnodes; x-- > 1;) {
        score_node_t *n = &s->nodes[x];
        if (score_node_is_leaf(n)) {
            if (n->survey)
                s->survey_max += n->max;
            continue;
        }
        n->survey = true;
        for (int c = (int)x + 1; c < n->end; c++)
            if (score_node_is_leaf(&s->nodes[c]) && !s->nodes[c].survey)
                n->survey = false;
    }
    if (read_consistency(r, json_object_get(root, "consistency")) < 0)
        goto fail;
    return s;
fail:
    score_scheme_destroy(&s);
    return NULL;
}

/* The reason is valid UTF-8 even when jansson's context ("near '\"ab\\\xe1'")
 * cuts a character, or a path or quoted code is cut to errlen: the scoring
 * service sends it back in a protobuf string. */
static score_scheme_t *from_json(json_t *root, json_error_t *jerr, const char *name, char *err,
                                 size_t errlen)
{
    if (!root) {
        if (jerr->line > 0)
            snprintf(err, errlen, "%s:%d:%d: %s", name, jerr->line, jerr->column, jerr->text);
        else
            snprintf(err, errlen, "%s: %s", name, jerr->text);
        if (errlen)
            text_scrub_utf8(err);
        return NULL;
    }
    reader_t r = {.file = name, .err = err, .errlen = errlen};
    score_scheme_t *s = read_root(&r, root);
    json_decref(root);
    if (!s && errlen)
        text_scrub_utf8(err);
    return s;
}

score_scheme_t *scheme_file_load(const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    return from_json(root, &jerr, path, err, errlen);
}

score_scheme_t *scheme_file_parse(const char *text, size_t len, const char *name, char *err,
                                  size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    return from_json(root, &jerr, name, err, errlen);
}
