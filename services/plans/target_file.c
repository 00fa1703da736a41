/* target_file.c - reading a plan's targets file (chỉ tiêu), CSV or TSV
 *
 * One pass over the rows of the shared CSV reader. The header is mapped to
 * fields through a table of folded synonyms (text_fold, so case and
 * diacritics do not matter). Each row's cells are checked for UTF-8 and
 * cleaned first; then the sentence is read with target_parse only if a cell
 * it could fill is empty, and each field is taken from its cell, else from
 * the sentence (or, for the comparator, from a range value), with the reason
 * recorded when neither gives it. Every row is kept, complete or not, so a
 * later row can be checked against it; duplicates of (for_unit, code) are
 * found at the end by sorting (a large file stays O(n log n)), and the
 * problems of this file are then put in line order. Whether the file is good
 * is whether the problem count grew: if it did, the rows are dropped and -1
 * returned, so a caller never sees a part of a file. Running out of memory
 * sets a flag that ends the reading with an "out of memory" problem.
 */
#include "target_file.h"

#include "csv.h"
#include "text.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest indicator code, in bytes. */
#define TF_CODE_MAX 64

/* Longest number in a value cell, in digits (exact in a double). */
#define TF_DIGITS_MAX 15

enum {
    TF_CODE,
    TF_AREA,
    TF_INDICATOR,
    TF_COMPARATOR,
    TF_VALUE,
    TF_UNIT,
    TF_SCOPE,
    TF_SENTENCE,
    TF_FOR_UNIT,
    TF_NFIELDS
};

enum { TF_NO_COLUMN = -1 };

/* Field names as problems name them. */
static const char *const tf_field_names[TF_NFIELDS] = {
    "code", "area", "indicator", "comparator", "value", "unit", "scope", "sentence", "for_unit",
};

/* Header names, folded (text_fold: lower case, no diacritics, đ made d). */
static const struct {
    const char *folded;
    int field;
} tf_synonyms[] = {
    {"code", TF_CODE},
    {"ma", TF_CODE},
    {"ma chi tieu", TF_CODE},
    {"area", TF_AREA},
    {"linh vuc", TF_AREA},
    {"indicator", TF_INDICATOR},
    {"chi so", TF_INDICATOR},
    {"noi dung", TF_INDICATOR},
    {"comparator", TF_COMPARATOR},
    {"so sanh", TF_COMPARATOR},
    {"value", TF_VALUE},
    {"gia tri", TF_VALUE},
    {"chi tieu", TF_VALUE},
    {"unit", TF_UNIT},
    {"don vi tinh", TF_UNIT},
    {"dvt", TF_UNIT},
    {"scope", TF_SCOPE},
    {"pham vi", TF_SCOPE},
    {"sentence", TF_SENTENCE},
    {"nguyen van", TF_SENTENCE},
    {"cau chi tieu", TF_SENTENCE},
    {"for", TF_FOR_UNIT},
    {"for_unit", TF_FOR_UNIT},
    {"don vi ap dung", TF_FOR_UNIT},
};

/* Comparator cells, folded. */
static const struct {
    const char *folded;
    target_cmp_t cmp;
    bool strict;
} tf_comparators[] = {
    {">=", TARGET_CMP_GE, false},
    {"\u2265", TARGET_CMP_GE, false},
    {">", TARGET_CMP_GE, true},
    {"<=", TARGET_CMP_LE, false},
    {"\u2264", TARGET_CMP_LE, false},
    {"<", TARGET_CMP_LE, true},
    {"=", TARGET_CMP_EQ, false},
    {"range", TARGET_CMP_RANGE, false},
    {"rank<=", TARGET_CMP_RANK_LE, false},
    {"top", TARGET_CMP_RANK_LE, false},
};

typedef struct {
    const char *file;
    problems_t *problems;
    int col[TF_NFIELDS]; /* header index of each field, or TF_NO_COLUMN */
    bool *named;         /* per header cell: it names a field (known or not) */
    size_t nheader;      /* header cells */
    target_file_t *f;    /* every row read, complete or not */
    size_t cap;
    bool oom;
} tf_reader_t;

/* A value cell, read. */
typedef struct {
    double low, high;
    bool range;
    bool percent; /* written with '%' */
} tf_value_t;

static size_t tf_problem_count(const problems_t *p)
{
    return p->n + p->dropped;
}

static void tf_row_free(target_row_t *r)
{
    free(r->code);
    free(r->area);
    free(r->indicator);
    free(r->unit);
    free(r->scope);
    free(r->sentence);
    free(r->for_unit);
}

void target_file_destroy(target_file_t **f)
{
    if (!f || !*f)
        return;
    for (size_t i = 0; i < (*f)->nrows; i++)
        tf_row_free(&(*f)->rows[i]);
    free((*f)->rows);
    free(*f);
    *f = NULL;
}

const char *target_row_comparator(const target_row_t *r)
{
    switch (r->comparator) {
    case TARGET_CMP_GE: return r->strict ? ">" : ">=";
    case TARGET_CMP_LE: return r->strict ? "<" : "<=";
    case TARGET_CMP_EQ: return "=";
    case TARGET_CMP_RANGE: return "range";
    case TARGET_CMP_RANK_LE: return "rank<=";
    case TARGET_CMP_UNKNOWN: break;
    }
    return "unknown";
}

static bool tf_code_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > TF_CODE_MAX || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* A unit code as the registry writes them (see unit_import.h). */
static bool tf_unit_code_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] < 'A' || s[0] > 'Z')
        return false;
    bool segment_start = true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (segment_start)
                return false;
            segment_start = true;
            continue;
        }
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
        segment_start = false;
    }
    return !segment_start;
}

static bool tf_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of a dash at s (ASCII '-', U+2010..U+2014, U+2212), or 0. */
static size_t tf_dash(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] == '-')
        return 1;
    if (u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0x90 && u[2] <= 0x94)
        return 3;
    if (u[0] == 0xE2 && u[1] == 0x88 && u[2] == 0x92)
        return 3;
    return 0;
}

/* Reads a number at s[*p]: digits, maybe one ',' or '.' and more digits,
 * maybe a space and '%'. Returns 0, or -1 with the reason in why. */
static int tf_read_number(const char *s, size_t *p, double *out, bool *percent, bool *grouped,
                          char *why, size_t whylen)
{
    size_t i = *p, digits = 0, frac_digits = 0, int_start = i;
    double whole = 0, scale = 1;
    while (tf_is_digit(s[i])) {
        whole = whole * 10 + (s[i] - '0');
        i++;
        digits++;
    }
    if (digits == 0)
        return -1;
    bool leading_zero = digits == 1 && s[int_start] == '0';
    if ((s[i] == ',' || s[i] == '.') && tf_is_digit(s[i + 1])) {
        i++;
        while (tf_is_digit(s[i])) {
            whole = whole * 10 + (s[i] - '0');
            scale *= 10;
            i++;
            digits++;
            frac_digits++;
        }
    }
    if (digits > TF_DIGITS_MAX) {
        snprintf(why, whylen, "a number of more than %d digits", TF_DIGITS_MAX);
        return -1;
    }
    /* "1.000" or "1,000": a thousand, or one? Only a '%' tells. */
    *grouped = frac_digits == 3 && !leading_zero;
    size_t j = i;
    if (s[j] == ' ')
        j++;
    *percent = false;
    if (s[j] == '%') {
        *percent = true;
        i = j + 1;
    }
    *out = whole / scale;
    *p = i;
    return 0;
}

/* Reads a value cell (cleaned): a number or a range. Returns 0, or -1 with
 * the reason in why. */
static int tf_read_value(const char *s, tf_value_t *v, char *why, size_t whylen)
{
    size_t p = 0;
    bool pct_low = false, pct_high = false, grouped_low = false, grouped_high = false;
    memset(v, 0, sizeof *v);
    why[0] = '\0';
    if (tf_read_number(s, &p, &v->low, &pct_low, &grouped_low, why, whylen) < 0)
        goto not_value;
    v->high = v->low;
    if (s[p] == ' ')
        p++;
    size_t dash = tf_dash(s + p);
    if (dash) {
        p += dash;
        if (s[p] == ' ')
            p++;
        if (tf_read_number(s, &p, &v->high, &pct_high, &grouped_high, why, whylen) < 0)
            goto not_value;
        v->range = true;
    }
    if (s[p] != '\0')
        goto not_value;
    v->percent = pct_low || pct_high;
    if (!v->percent && (grouped_low || grouped_high)) {
        snprintf(why, whylen,
                 "\"%s\" is ambiguous: a '.' or ',' before three digits may group "
                 "thousands; write whole numbers with no separator (1000, not 1.000)",
                 s);
        return -1;
    }
    if (v->range && v->low > v->high) {
        snprintf(why, whylen, "the range %s runs backwards (%g is above %g)", s, v->low, v->high);
        return -1;
    }
    return 0;
not_value:
    if (why[0]) {
        char reason[128];
        snprintf(reason, sizeof reason, "%s", why);
        snprintf(why, whylen, "\"%s\": %s", s, reason);
    } else {
        snprintf(why, whylen, "\"%s\" is not a number or a range (like 90, 95,5%%, 40-50)", s);
    }
    return -1;
}

/* Reads a comparator cell. Returns 0, or -1 if it is none. */
static int tf_read_comparator(const char *s, target_cmp_t *cmp, bool *strict, bool *oom)
{
    char *f = text_fold(s);
    if (!f) {
        *oom = true;
        return -1;
    }
    int rc = -1;
    for (size_t i = 0; rc < 0 && i < sizeof tf_comparators / sizeof tf_comparators[0]; i++) {
        if (strcmp(f, tf_comparators[i].folded) == 0) {
            *cmp = tf_comparators[i].cmp;
            *strict = tf_comparators[i].strict;
            rc = 0;
        }
    }
    free(f);
    return rc;
}

/* True if every byte of s is ASCII white space. */
static bool tf_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

/* Maps the header. Returns 0, or -1 when the rows cannot be read for what
 * the header lacks; other header problems are recorded and reading goes on. */
static int tf_map_header(tf_reader_t *rd, const csv_row_t *header)
{
    for (size_t c = 0; c < TF_NFIELDS; c++)
        rd->col[c] = TF_NO_COLUMN;
    rd->nheader = header->ncells;
    rd->named = calloc(header->ncells ? header->ncells : 1, sizeof *rd->named);
    if (!rd->named) {
        rd->oom = true;
        return -1;
    }
    for (size_t i = 0; i < header->ncells; i++) {
        const char *raw = header->cells[i];
        size_t at;
        if (!text_valid_utf8(raw, strlen(raw), &at)) {
            problems_add(rd->problems, rd->file, header->line, NULL,
                         "header cell %zu is not valid UTF-8 (byte %zu of the cell)", i + 1, at);
            rd->named[i] = true;
            continue;
        }
        char *name = text_fold(raw);
        char *shown = text_clean(raw);
        if (!name || !shown) {
            free(name);
            free(shown);
            rd->oom = true;
            return -1;
        }
        rd->named[i] = *name != '\0';
        int field = TF_NO_COLUMN;
        for (size_t s = 0; s < sizeof tf_synonyms / sizeof tf_synonyms[0]; s++)
            if (strcmp(name, tf_synonyms[s].folded) == 0)
                field = tf_synonyms[s].field;
        if (field == TF_NO_COLUMN && *name) {
            problems_add(rd->problems, rd->file, header->line, shown,
                         "unknown column (the columns are code, area, indicator, comparator, "
                         "value, unit, scope, sentence, for_unit, or their Vietnamese names)");
        } else if (field != TF_NO_COLUMN && rd->col[field] != TF_NO_COLUMN) {
            problems_add(rd->problems, rd->file, header->line, tf_field_names[field],
                         "column appears twice (columns %d and %zu)", rd->col[field] + 1, i + 1);
        } else if (field != TF_NO_COLUMN) {
            rd->col[field] = (int)i;
        }
        free(name);
        free(shown);
    }
    int rc = 0;
    bool sentence = rd->col[TF_SENTENCE] != TF_NO_COLUMN;
    if (!sentence && rd->col[TF_CODE] == TF_NO_COLUMN) {
        problems_add(rd->problems, rd->file, header->line, "code",
                     "no code column, and no sentence column to suggest codes");
        rc = -1;
    }
    if (!sentence && rd->col[TF_VALUE] == TF_NO_COLUMN) {
        problems_add(rd->problems, rd->file, header->line, "value",
                     "no value column, and no sentence column to read values from");
        rc = -1;
    }
    if (!sentence && rd->col[TF_INDICATOR] == TF_NO_COLUMN) {
        problems_add(rd->problems, rd->file, header->line, "indicator",
                     "no indicator column, and no sentence column to read indicators from");
        rc = -1;
    }
    return rc;
}

/* The cleaned cells of a row, NULL where absent or empty; bad[] set (and a
 * problem recorded) for a cell that is not valid UTF-8. */
static void tf_cells(tf_reader_t *rd, const csv_row_t *row, char *v[TF_NFIELDS],
                     bool bad[TF_NFIELDS])
{
    for (size_t c = 0; c < TF_NFIELDS; c++) {
        v[c] = NULL;
        bad[c] = false;
        int i = rd->col[c];
        if (i == TF_NO_COLUMN || (size_t)i >= row->ncells)
            continue;
        const char *raw = row->cells[i];
        size_t at;
        if (!text_valid_utf8(raw, strlen(raw), &at)) {
            problems_add(rd->problems, rd->file, row->line, tf_field_names[c],
                         "not valid UTF-8 (byte %zu of the cell)", at);
            bad[c] = true;
            continue;
        }
        char *clean = text_clean(raw);
        if (!clean) {
            rd->oom = true;
        } else if (!*clean) {
            free(clean);
        } else {
            v[c] = clean;
        }
    }
}

/* Records cells that have no column: past the header, or under a header
 * cell with no name. */
static void tf_check_stray(tf_reader_t *rd, const csv_row_t *row)
{
    for (size_t i = 0; i < row->ncells; i++) {
        if (tf_blank(row->cells[i]))
            continue;
        if (i >= rd->nheader) {
            problems_add(rd->problems, rd->file, row->line, NULL, "%zu cells, the header has %zu",
                         row->ncells, rd->nheader);
            return;
        }
        if (!rd->named[i]) {
            problems_add(rd->problems, rd->file, row->line, NULL,
                         "a value in column %zu, which has no name in the header", i + 1);
            return;
        }
    }
}

static bool tf_row_blank(const csv_row_t *row)
{
    for (size_t i = 0; i < row->ncells; i++)
        if (!tf_blank(row->cells[i]))
            return false;
    return true;
}

static char *tf_strdup(tf_reader_t *rd, const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        rd->oom = true;
    return d;
}

/* "a range (40-50)", "a rank (3)" or "one value (90)", for messages. */
static void tf_describe(char *buf, size_t len, target_cmp_t cmp, double low, double high)
{
    if (cmp == TARGET_CMP_RANGE)
        snprintf(buf, len, "a range (%g-%g)", low, high);
    else if (cmp == TARGET_CMP_RANK_LE)
        snprintf(buf, len, "a rank (%g)", low);
    else
        snprintf(buf, len, "one value (%g)", low);
}

static void tf_read_row(tf_reader_t *rd, const csv_row_t *row)
{
    const char *file = rd->file;
    problems_t *pr = rd->problems;
    unsigned line = row->line;
    char *v[TF_NFIELDS];
    bool bad[TF_NFIELDS];
    target_row_t r = {.line = line};
    target_t *t = NULL;

    tf_check_stray(rd, row);
    tf_cells(rd, row, v, bad);
    if (rd->oom)
        goto done;

    bool no_sentence = !v[TF_SENTENCE] && !bad[TF_SENTENCE];
    bool need_cmp = !v[TF_COMPARATOR] && !bad[TF_COMPARATOR];
    bool need_value = !v[TF_VALUE] && !bad[TF_VALUE];
    bool need_sentence = need_cmp || need_value; /* must be understood */
    if (v[TF_SENTENCE] && (need_sentence || !v[TF_CODE] || !v[TF_INDICATOR] || !v[TF_UNIT])) {
        char err[256] = "";
        if (strlen(v[TF_SENTENCE]) > TARGET_MAX_BYTES) {
            if (need_sentence)
                problems_add(pr, file, line, "sentence",
                             "not read: longer than %d bytes; give comparator and value",
                             TARGET_MAX_BYTES);
        } else if (target_parse(v[TF_SENTENCE], &t, err, sizeof err) < 0) {
            rd->oom = true; /* the sentence is valid and short: only memory fails */
            goto done;
        } else if (!t->understood && need_sentence) {
            problems_add(pr, file, line, "sentence", "not understood: %s",
                         t->reason ? t->reason : "?");
        }
    }
    bool understood = t && t->understood;

    /* Text fields. */
    r.area = v[TF_AREA];
    r.scope = v[TF_SCOPE];
    r.sentence = v[TF_SENTENCE];
    r.for_unit = v[TF_FOR_UNIT];
    v[TF_AREA] = v[TF_SCOPE] = v[TF_SENTENCE] = v[TF_FOR_UNIT] = NULL;
    if (r.for_unit && !tf_unit_code_valid(r.for_unit))
        problems_add(pr, file, line, "for_unit",
                     "\"%s\" is not a unit code (upper-case letters, digits and _ in "
                     "dot-separated parts, like HN.HADONG.PHULAM)",
                     r.for_unit);

    /* Code. */
    if (v[TF_CODE]) {
        r.code = v[TF_CODE];
        v[TF_CODE] = NULL;
        if (!tf_code_valid(r.code))
            problems_add(pr, file, line, "code",
                         "\"%s\" is not an indicator code (lower-case letters, digits, _ and ., "
                         "starting with a letter, at most %d bytes, like online_rate)",
                         r.code, TF_CODE_MAX);
    } else if (!bad[TF_CODE]) {
        if (understood && t->code)
            r.code = tf_strdup(rd, t->code);
        else if (no_sentence)
            problems_add(pr, file, line, "code", "empty, and there is no sentence");
        else if (!bad[TF_SENTENCE])
            problems_add(pr, file, line, "code", "empty, and the sentence suggests none");
    }

    /* Indicator. */
    if (v[TF_INDICATOR]) {
        r.indicator = v[TF_INDICATOR];
        v[TF_INDICATOR] = NULL;
    } else if (!bad[TF_INDICATOR]) {
        if (understood && t->indicator)
            r.indicator = tf_strdup(rd, t->indicator);
        else if (no_sentence)
            problems_add(pr, file, line, "indicator", "empty, and there is no sentence");
        else if (!bad[TF_SENTENCE])
            problems_add(pr, file, line, "indicator", "empty, and the sentence gives none");
    }

    /* Value. */
    tf_value_t val = {0};
    bool have_value = false, value_from_sentence = false;
    if (v[TF_VALUE]) {
        char why[512] = "";
        if (tf_read_value(v[TF_VALUE], &val, why, sizeof why) < 0)
            problems_add(pr, file, line, "value", "%s", why);
        else
            have_value = true;
    } else if (need_value) {
        if (understood) {
            val.low = t->value;
            val.high = t->value_high;
            val.range = t->comparator == TARGET_CMP_RANGE;
            val.percent = t->unit && strcmp(t->unit, "%") == 0;
            have_value = value_from_sentence = true;
        } else if (no_sentence) {
            problems_add(pr, file, line, "value",
                         "empty, and there is no sentence to read it from");
        }
    }

    /* Comparator. */
    bool have_cmp = false, cmp_from_sentence = false, cmp_explicit = false;
    if (v[TF_COMPARATOR]) {
        if (tf_read_comparator(v[TF_COMPARATOR], &r.comparator, &r.strict, &rd->oom) < 0) {
            if (rd->oom)
                goto done;
            problems_add(pr, file, line, "comparator",
                         "\"%s\" is not a comparator (>=, >, <=, <, =, range, rank<= or top)",
                         v[TF_COMPARATOR]);
        } else {
            have_cmp = cmp_explicit = true;
        }
    } else if (need_cmp) {
        if (v[TF_VALUE] && val.range) { /* even a range that runs backwards */
            r.comparator = TARGET_CMP_RANGE;
            have_cmp = true;
        } else if (understood) {
            r.comparator = t->comparator;
            r.strict = t->strict;
            have_cmp = cmp_from_sentence = true;
        } else if (no_sentence) {
            problems_add(pr, file, line, "comparator",
                         "empty, and there is no sentence to read it from (a range value like "
                         "40-50 needs none)");
        }
    }

    /* Unit: the cell, else '%' written in the value cell, else the sentence's. */
    if (v[TF_UNIT]) {
        r.unit = v[TF_UNIT];
        v[TF_UNIT] = NULL;
        if (have_value && !value_from_sentence && val.percent && strcmp(r.unit, "%") != 0)
            problems_add(pr, file, line, "unit", "\"%s\", but the value is written with %%",
                         r.unit);
    } else if (have_value && !value_from_sentence && val.percent) {
        r.unit = tf_strdup(rd, "%");
    } else if (understood && t->unit) {
        r.unit = tf_strdup(rd, t->unit);
    }

    /* The value and the comparator together. */
    if (have_value && have_cmp) {
        char what[96];
        r.value = val.low;
        r.value_high = val.high;
        if (value_from_sentence && cmp_explicit &&
            (val.range != (r.comparator == TARGET_CMP_RANGE) ||
             (t->comparator == TARGET_CMP_RANK_LE) != (r.comparator == TARGET_CMP_RANK_LE))) {
            tf_describe(what, sizeof what, t->comparator, val.low, val.high);
            problems_add(pr, file, line, "value", "the sentence gives %s, but the comparator is %s",
                         what, target_row_comparator(&r));
        } else if (cmp_from_sentence && r.comparator == TARGET_CMP_RANGE && !val.range) {
            tf_describe(what, sizeof what, t->comparator, t->value, t->value_high);
            problems_add(pr, file, line, "comparator",
                         "empty, and the sentence gives %s but the value is one number; give the "
                         "comparator",
                         what);
        } else if (r.comparator == TARGET_CMP_RANGE && !val.range) {
            problems_add(pr, file, line, "value",
                         "the comparator is range, and %g is no range (like 40-50)", val.low);
        } else if (r.comparator != TARGET_CMP_RANGE && val.range) {
            problems_add(pr, file, line, "value", "%s is a range, but the comparator is %s",
                         v[TF_VALUE], target_row_comparator(&r));
        } else if (r.comparator == TARGET_CMP_RANK_LE &&
                   (val.low < 1 || val.low > 1e6 || val.low != (long)val.low)) {
            problems_add(pr, file, line, "value", "a rank is a whole number from 1, not %g",
                         val.low);
        } else if (r.comparator != TARGET_CMP_RANK_LE && r.unit && strcmp(r.unit, "%") == 0 &&
                   val.high > 100) {
            problems_add(pr, file, line, "value", "%g%% is above 100%%", val.high);
        }
        if (r.comparator == TARGET_CMP_RANGE || r.comparator == TARGET_CMP_EQ ||
            r.comparator == TARGET_CMP_RANK_LE)
            r.strict = false;
    }

done:
    for (size_t c = 0; c < TF_NFIELDS; c++)
        free(v[c]);
    target_destroy(&t);
    if (rd->oom) {
        tf_row_free(&r);
        return;
    }
    if (rd->f->nrows == rd->cap) {
        size_t cap = rd->cap ? rd->cap * 2 : 16;
        target_row_t *grown = realloc(rd->f->rows, cap * sizeof *grown);
        if (!grown) {
            rd->oom = true;
            tf_row_free(&r);
            return;
        }
        rd->f->rows = grown;
        rd->cap = cap;
    }
    rd->f->rows[rd->f->nrows++] = r;
}

/* Orders rows by (for_unit, code, line), a missing for_unit first. */
static int tf_cmp_key(const void *a, const void *b)
{
    const target_row_t *x = *(const target_row_t *const *)a;
    const target_row_t *y = *(const target_row_t *const *)b;
    int c = (x->for_unit != NULL) - (y->for_unit != NULL);
    if (c == 0 && x->for_unit)
        c = strcmp(x->for_unit, y->for_unit);
    if (c == 0)
        c = strcmp(x->code, y->code);
    if (c == 0)
        c = (x->line > y->line) - (x->line < y->line);
    return c;
}

static int tf_cmp_line(const void *a, const void *b)
{
    const target_row_t *x = ((const target_row_t *const *)a)[0];
    const target_row_t *y = ((const target_row_t *const *)b)[0];
    return (x->line > y->line) - (x->line < y->line);
}

/* Records each row whose (for_unit, code) an earlier row has, in file order. */
static void tf_check_duplicates(tf_reader_t *rd)
{
    target_file_t *f = rd->f;
    size_t n = 0;
    /* Pairs: [2k] the repeat, [2k+1] the first row with its key. */
    const target_row_t **keyed = malloc((f->nrows ? f->nrows : 1) * sizeof *keyed);
    const target_row_t **pairs = malloc((f->nrows ? f->nrows : 1) * 2 * sizeof *pairs);
    if (!keyed || !pairs) {
        rd->oom = true;
        goto done;
    }
    for (size_t i = 0; i < f->nrows; i++)
        if (f->rows[i].code)
            keyed[n++] = &f->rows[i];
    qsort(keyed, n, sizeof *keyed, tf_cmp_key);
    size_t npairs = 0;
    for (size_t i = 1, first = 0; i < n; i++) {
        bool same =
            ((keyed[i]->for_unit == NULL) == (keyed[first]->for_unit == NULL)) &&
            (!keyed[i]->for_unit || strcmp(keyed[i]->for_unit, keyed[first]->for_unit) == 0) &&
            strcmp(keyed[i]->code, keyed[first]->code) == 0;
        if (!same) {
            first = i;
            continue;
        }
        pairs[2 * npairs] = keyed[i];
        pairs[2 * npairs + 1] = keyed[first];
        npairs++;
    }
    qsort(pairs, npairs, 2 * sizeof *pairs, tf_cmp_line);
    for (size_t k = 0; k < npairs; k++) {
        const target_row_t *again = pairs[2 * k], *first = pairs[2 * k + 1];
        if (again->for_unit)
            problems_add(rd->problems, rd->file, again->line, "code",
                         "%s given twice for %s (first at line %u)", again->code, again->for_unit,
                         first->line);
        else
            problems_add(rd->problems, rd->file, again->line, "code",
                         "%s given twice (first at line %u)", again->code, first->line);
    }
done:
    free(keyed);
    free(pairs);
}

/* Puts the problems from items[from] on in line order, keeping the order of
 * those on one line (insertion sort: there are at most PROBLEMS_MAX). */
static void tf_sort_problems(problems_t *p, size_t from)
{
    for (size_t i = from + 1; i < p->n; i++) {
        problem_t it = p->items[i];
        size_t j = i;
        for (; j > from && p->items[j - 1].line > it.line; j--)
            p->items[j] = p->items[j - 1];
        p->items[j] = it;
    }
}

int target_file_read(const char *file, const char *data, size_t len, target_file_t **out,
                     problems_t *problems)
{
    assert(file && out && problems && (data || len == 0));
    *out = NULL;
    size_t before = tf_problem_count(problems), first = problems->n;
    char errbuf[256];
    csv_t *csv = NULL;
    tf_reader_t rd = {.file = file, .problems = problems};

    if (len > TARGET_FILE_MAX_BYTES) {
        problems_add(problems, file, 0, NULL, "file of %zu bytes, more than the %u read", len,
                     TARGET_FILE_MAX_BYTES);
        goto fail;
    }
    if (len && memchr(data, '\0', len)) {
        problems_add(problems, file, 0, NULL, "file holds NUL bytes: not a text file");
        goto fail;
    }
    if (!(rd.f = calloc(1, sizeof *rd.f)) || !(csv = csv_new(data ? data : "", len, 0))) {
        rd.oom = true;
        goto fail;
    }
    csv_row_t row;
    int rc = csv_next(csv, &row, errbuf, sizeof errbuf);
    if (rc <= 0) {
        problems_add(problems, file, 0, NULL, "%s", rc == 0 ? "file is empty" : errbuf);
        goto fail;
    }
    if (tf_map_header(&rd, &row) < 0)
        goto fail;
    while (!rd.oom && (rc = csv_next(csv, &row, errbuf, sizeof errbuf)) == 1) {
        if (!tf_row_blank(&row))
            tf_read_row(&rd, &row);
    }
    if (rc < 0)
        problems_add(problems, file, 0, NULL, "%s", errbuf);
    if (!rd.oom)
        tf_check_duplicates(&rd);
    if (rd.oom || tf_problem_count(problems) != before)
        goto fail;
    csv_destroy(&csv);
    free(rd.named);
    *out = rd.f;
    return 0;
fail:
    if (rd.oom)
        problems_add(problems, file, 0, NULL, "out of memory");
    tf_sort_problems(problems, first);
    csv_destroy(&csv);
    free(rd.named);
    target_file_destroy(&rd.f);
    return -1;
}
