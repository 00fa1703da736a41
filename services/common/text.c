/* text.c - Vietnamese text helpers over utf8proc
 *
 * Every function runs one pipeline over an array of code points: check that
 * the bytes are valid UTF-8; decompose each code point with utf8proc and put
 * each run of combining marks into canonical order (NFD); for the keys, case
 * fold and decompose and order again; make the edits the function is for
 * (squeeze white space, unify dashes, move tone marks, strip marks); then
 * utf8proc_reencode composes (for NFC results) and writes UTF-8 in place.
 * The array holds four bytes per code point plus one, so the UTF-8 always
 * fits in it and becomes the returned string without another copy.
 *
 * We decompose code point by code point and order the marks here, instead of
 * calling utf8proc_decompose, because utf8proc orders them with a bubble
 * sort: a megabyte of alternating marks took minutes. Here runs longer than
 * any real text has are sorted with qsort.
 *
 * The keys work on the decomposed, case-folded form. There a Vietnamese tone
 * mark is a code point of its own (U+0300, U+0301, U+0303, U+0309, U+0323)
 * after the vowel's other marks, so taking the tone marks of each word out
 * and putting them after its last character gives "hoá" and "hóa" the same
 * code points whichever vowel the writer put the tone on. text_key's result
 * stays decomposed, since it is only compared; text_fold has no marks left
 * to compose and is composed only so Hangul and the like come out whole.
 */
#include "text.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Mark runs up to this long are sorted in place by insertion sort. */
#define TEXT_SHORT_RUN 32

/* Room made before decomposing each code point; a decomposition is rarely
 * longer, and when it is the buffer grows and the code point is redone. */
#define TEXT_DECOMPOSE_ROOM 8

/* What utf8proc_NFC passes to utf8proc_reencode. */
#define TEXT_OPT_NFC (UTF8PROC_STABLE | UTF8PROC_COMPOSE)

/* Code points being worked on. cp has room for cap code points plus one
 * byte, which is what utf8proc_reencode needs to write UTF-8 in place. */
typedef struct {
    utf8proc_int32_t *cp;
    size_t len;
    size_t cap;
} text_buf_t;

/* A combining mark with its place, for the stable qsort of long runs. */
typedef struct {
    utf8proc_int32_t cp;
    utf8proc_propval_t ccc;
    size_t pos;
} text_mark_t;

static utf8proc_propval_t text_ccc(utf8proc_int32_t c)
{
    return utf8proc_get_property(c)->combining_class;
}

/* Unicode White_Space: the ASCII controls \t \n \v \f \r, NEL, and the
 * space, line and paragraph separators (Zs includes NBSP and U+3000). */
static bool text_is_space(utf8proc_int32_t c)
{
    if ((c >= 0x09 && c <= 0x0d) || c == 0x85)
        return true;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP: return true;
    default: return false;
    }
}

/* Characters that text_key writes as '-': the hyphens and dashes people
 * type or paste for '-' (hyphen, non-breaking hyphen, figure dash, en dash,
 * em dash, horizontal bar, minus sign, small and full-width hyphen-minus). */
static bool text_is_dash(utf8proc_int32_t c)
{
    switch (c) {
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xfe63:
    case 0xff0d: return true;
    default: return false;
    }
}

/* The combining forms of the five Vietnamese tones: huyền, sắc, ngã, hỏi,
 * nặng. */
static bool text_is_tone(utf8proc_int32_t c)
{
    return c == 0x0300 || c == 0x0301 || c == 0x0303 || c == 0x0309 || c == 0x0323;
}

/* Words are runs of letters, marks and digits; white space, punctuation and
 * everything else ends one. */
static bool text_in_word(utf8proc_int32_t c)
{
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return true;
    default: return false;
    }
}

/* Makes room for at least extra more code points. */
static int text_buf_reserve(text_buf_t *buf, size_t extra)
{
    if (buf->cp && extra <= buf->cap - buf->len)
        return 0;
    size_t cap = buf->cap ? buf->cap : 16;
    while (cap - buf->len < extra) {
        if (cap > (SIZE_MAX - 1) / sizeof *buf->cp / 2)
            return -1;
        cap *= 2;
    }
    utf8proc_int32_t *cp = realloc(buf->cp, cap * sizeof *cp + 1);
    if (!cp)
        return -1;
    buf->cp = cp;
    buf->cap = cap;
    return 0;
}

static int text_mark_cmp(const void *a, const void *b)
{
    const text_mark_t *x = a;
    const text_mark_t *y = b;
    if (x->ccc != y->ccc)
        return x->ccc < y->ccc ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Stable sort of one run of combining marks by combining class. */
static int text_sort_run(utf8proc_int32_t *run, size_t n)
{
    if (n <= TEXT_SHORT_RUN) {
        for (size_t i = 1; i < n; i++) {
            utf8proc_int32_t c = run[i];
            utf8proc_propval_t ccc = text_ccc(c);
            size_t j = i;
            while (j > 0 && text_ccc(run[j - 1]) > ccc) {
                run[j] = run[j - 1];
                j--;
            }
            run[j] = c;
        }
        return 0;
    }
    text_mark_t *marks = malloc(n * sizeof *marks);
    if (!marks)
        return -1;
    for (size_t i = 0; i < n; i++)
        marks[i] = (text_mark_t){run[i], text_ccc(run[i]), i};
    qsort(marks, n, sizeof *marks, text_mark_cmp);
    for (size_t i = 0; i < n; i++)
        run[i] = marks[i].cp;
    free(marks);
    return 0;
}

/* Canonical ordering: each run of non-starters sorted by combining class. */
static int text_order_marks(text_buf_t *buf)
{
    size_t i = 0;
    while (i < buf->len) {
        if (text_ccc(buf->cp[i]) == 0) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < buf->len && text_ccc(buf->cp[i]) != 0)
            i++;
        if (text_sort_run(buf->cp + start, i - start) < 0)
            return -1;
    }
    return 0;
}

/* Appends the decomposition of c to buf. */
static int text_append_decomposed(text_buf_t *buf, utf8proc_int32_t c, utf8proc_option_t options)
{
    if (text_buf_reserve(buf, TEXT_DECOMPOSE_ROOM) < 0)
        return -1;
    for (;;) {
        utf8proc_ssize_t room = (utf8proc_ssize_t)(buf->cap - buf->len);
        utf8proc_ssize_t n = utf8proc_decompose_char(c, buf->cp + buf->len, room, options, NULL);
        if (n < 0)
            return -1;
        if (n <= room) {
            buf->len += (size_t)n;
            return 0;
        }
        if (text_buf_reserve(buf, (size_t)n) < 0)
            return -1;
    }
}

/* Fills buf with the canonical decomposition of s (NFD). On failure buf may
 * hold memory; the caller frees buf->cp either way. */
static int text_decompose(const char *s, text_buf_t *buf)
{
    size_t len = strlen(s);
    if (!text_valid_utf8(s, len, NULL))
        return -1;
    if (text_buf_reserve(buf, len + 1) < 0)
        return -1;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    const utf8proc_uint8_t *end = p + len;
    while (p < end) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &c);
        assert(n > 0); /* checked by text_valid_utf8 */
        p += n;
        if (text_append_decomposed(buf, c, UTF8PROC_DECOMPOSE) < 0)
            return -1;
    }
    return text_order_marks(buf);
}

/* Case folds NFD code points and decomposes and orders them again:
 * NFD(casefold(NFD(s))), Unicode's canonical caseless match. Folding before
 * the first ordering would not do: U+0345 is a mark that folds to a letter,
 * so where it lands would depend on whether s came in NFC or NFD. */
static int text_casefold(text_buf_t *buf)
{
    text_buf_t out = {0};
    if (text_buf_reserve(&out, buf->len + 1) < 0)
        goto fail;
    const utf8proc_option_t options = UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD;
    for (size_t i = 0; i < buf->len; i++) {
        if (text_append_decomposed(&out, buf->cp[i], options) < 0)
            goto fail;
    }
    if (text_order_marks(&out) < 0)
        goto fail;
    free(buf->cp);
    *buf = out;
    return 0;
fail:
    free(out.cp);
    return -1;
}

/* Drops white space at both ends and makes each inner run one ' '. */
static void text_squeeze_space(text_buf_t *buf)
{
    size_t w = 0;
    bool gap = false;
    for (size_t r = 0; r < buf->len; r++) {
        utf8proc_int32_t c = buf->cp[r];
        if (text_is_space(c)) {
            gap = w > 0;
            continue;
        }
        if (gap)
            buf->cp[w++] = ' ';
        gap = false;
        buf->cp[w++] = c;
    }
    buf->len = w;
}

/* Makes every dash '-' and drops the space on either side of one, so
 * "a - b", "a – b" and "a-b" read the same. Expects squeezed space. */
static void text_unify_dashes(text_buf_t *buf)
{
    size_t w = 0;
    for (size_t r = 0; r < buf->len; r++) {
        utf8proc_int32_t c = buf->cp[r];
        if (text_is_dash(c))
            c = '-';
        if (c == '-' && w > 0 && buf->cp[w - 1] == ' ')
            w--;
        else if (c == ' ' && w > 0 && buf->cp[w - 1] == '-')
            continue;
        buf->cp[w++] = c;
    }
    buf->len = w;
}

/* Moves the tone marks of each word, in the order they came, after the
 * word's last character. */
static int text_move_tones(text_buf_t *buf)
{
    utf8proc_int32_t *out = malloc(buf->cap * sizeof *out + 1);
    if (!out)
        return -1;
    size_t w = 0;
    size_t i = 0;
    while (i < buf->len) {
        if (!text_in_word(buf->cp[i])) {
            out[w++] = buf->cp[i++];
            continue;
        }
        size_t start = i;
        while (i < buf->len && text_in_word(buf->cp[i]))
            i++;
        for (size_t j = start; j < i; j++) {
            if (!text_is_tone(buf->cp[j]))
                out[w++] = buf->cp[j];
        }
        for (size_t j = start; j < i; j++) {
            if (text_is_tone(buf->cp[j]))
                out[w++] = buf->cp[j];
        }
    }
    free(buf->cp);
    buf->cp = out;
    buf->len = w;
    return 0;
}

/* Drops nonspacing and enclosing marks and makes đ d (the key is case
 * folded, so Đ is already đ). */
static void text_strip_marks(text_buf_t *buf)
{
    size_t w = 0;
    for (size_t r = 0; r < buf->len; r++) {
        utf8proc_int32_t c = buf->cp[r];
        utf8proc_category_t cat = utf8proc_category(c);
        if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME)
            continue;
        buf->cp[w++] = c == 0x0111 ? 'd' : c;
    }
    buf->len = w;
}

/* Turns buf into the returned UTF-8 string, composing first if options say
 * so. Takes buf's memory whether it succeeds or not. */
static char *text_encode(text_buf_t *buf, utf8proc_option_t options)
{
    utf8proc_ssize_t n = utf8proc_reencode(buf->cp, (utf8proc_ssize_t)buf->len, options);
    char *s = (char *)buf->cp;
    buf->cp = NULL;
    if (n < 0) {
        free(s);
        return NULL;
    }
    char *small = realloc(s, (size_t)n + 1);
    return small ? small : s;
}

/* The code points of text_key(s), not yet encoded. */
static int text_key_points(const char *s, text_buf_t *buf)
{
    if (text_decompose(s, buf) < 0 || text_casefold(buf) < 0)
        return -1;
    text_squeeze_space(buf);
    text_unify_dashes(buf);
    return text_move_tones(buf);
}

bool text_valid_utf8(const char *s, size_t len, size_t *bad_offset)
{
    assert(s || len == 0);
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] > 0 && p[i] < 0x80) {
            i++;
            continue;
        }
        size_t rest = len - i;
        utf8proc_ssize_t max = rest < 4 ? (utf8proc_ssize_t)rest : 4; /* longest sequence */
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p + i, max, &c);
        if (n <= 0 || c == 0) {
            if (bad_offset)
                *bad_offset = i;
            return false;
        }
        i += (size_t)n;
    }
    return true;
}

char *text_scrub_utf8(char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s), at = 0, bad;
    while (!text_valid_utf8(s + at, len - at, &bad)) {
        s[at + bad] = '?';
        at += bad + 1;
    }
    return s;
}

char *text_nfc(const char *s)
{
    text_buf_t buf = {0};
    if (!s || text_decompose(s, &buf) < 0)
        goto fail;
    return text_encode(&buf, TEXT_OPT_NFC);
fail:
    free(buf.cp);
    return NULL;
}

char *text_clean(const char *s)
{
    text_buf_t buf = {0};
    if (!s || text_decompose(s, &buf) < 0)
        goto fail;
    text_squeeze_space(&buf);
    return text_encode(&buf, TEXT_OPT_NFC);
fail:
    free(buf.cp);
    return NULL;
}

char *text_key(const char *s)
{
    text_buf_t buf = {0};
    if (!s || text_key_points(s, &buf) < 0)
        goto fail;
    return text_encode(&buf, 0);
fail:
    free(buf.cp);
    return NULL;
}

char *text_fold(const char *s)
{
    text_buf_t buf = {0};
    if (!s || text_key_points(s, &buf) < 0)
        goto fail;
    text_strip_marks(&buf);
    /* A mark gone can leave a space at an end or next to a dash. */
    text_squeeze_space(&buf);
    text_unify_dashes(&buf);
    return text_encode(&buf, TEXT_OPT_NFC);
fail:
    free(buf.cp);
    return NULL;
}

bool text_equal_folded(const char *a, const char *b)
{
    char *fa = text_fold(a);
    char *fb = text_fold(b);
    bool equal = fa && fb && strcmp(fa, fb) == 0;
    free(fa);
    free(fb);
    return equal;
}
