/* test_text.c - unit tests for services/common/text.c
 *
 * Strings with marks are written with \u escapes where the exact code points
 * matter (NFD input, one tone placement against the other); elsewhere they
 * are plain UTF-8. Every string a function returns is freed, so the tests
 * also run clean under valgrind. The helpers use cr_expect, never cr_assert,
 * so that a failing check still frees.
 */
#include "text.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef char *(*text_fn)(const char *);

/* Expects fn(in) to be want; frees the result. */
static void expect_out(text_fn fn, const char *in, const char *want)
{
    char *got = fn(in);
    cr_expect_not_null(got, "NULL for \"%s\"", in);
    if (got)
        cr_expect_str_eq(got, want, "for \"%s\"", in);
    free(got);
}

/* True if fn gives a and b the same non-NULL result. */
static bool same_out(text_fn fn, const char *a, const char *b)
{
    char *ka = fn(a);
    char *kb = fn(b);
    cr_expect_not_null(ka, "NULL for \"%s\"", a);
    cr_expect_not_null(kb, "NULL for \"%s\"", b);
    bool same = ka && kb && strcmp(ka, kb) == 0;
    free(ka);
    free(kb);
    return same;
}

static void expect_same(text_fn fn, const char *a, const char *b)
{
    cr_expect(same_out(fn, a, b), "\"%s\" and \"%s\" should match", a, b);
}

static void expect_differ(text_fn fn, const char *a, const char *b)
{
    cr_expect(!same_out(fn, a, b), "\"%s\" and \"%s\" should differ", a, b);
}

static const text_fn all_fns[] = {text_nfc, text_clean, text_key, text_fold};

/* ---- text_valid_utf8 ---- */

static void expect_bad(const char *s, size_t len, size_t offset)
{
    size_t got = (size_t)-1;
    cr_expect(!text_valid_utf8(s, len, &got), "accepted bad input at %zu", offset);
    cr_expect_eq(got, offset, "bad offset %zu, want %zu", got, offset);
    cr_expect(!text_valid_utf8(s, len, NULL));
}

Test(text_valid_utf8, accepts_good_text)
{
    const char *good[] = {
        "",
        "plain ascii",
        "Nhà văn hoá Đống Đa",
        "Nha\xcc\x80 va\xcc\x86n",   /* NFD */
        "\xe2\x80\x93 \xc2\xa0",     /* en dash, NBSP */
        "\xef\xbf\xbd",              /* U+FFFD */
        "\xf0\x9f\x98\x80",          /* U+1F600 */
        "\xf4\x8f\xbf\xbf",          /* U+10FFFF */
        "\xed\x9f\xbf \xee\x80\x80", /* U+D7FF, U+E000: either side of the surrogates */
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        size_t offset = 12345;
        cr_expect(text_valid_utf8(good[i], strlen(good[i]), &offset), "rejected %zu", i);
        cr_expect_eq(offset, 12345, "offset written on success");
    }
    cr_expect(text_valid_utf8(NULL, 0, NULL));
}

Test(text_valid_utf8, rejects_bad_sequences)
{
    expect_bad("\x80", 1, 0); /* lone continuation byte */
    expect_bad("ab\xbf", 3, 2);
    expect_bad("\xff", 1, 0); /* never valid */
    expect_bad("x\xfe", 2, 1);
    expect_bad("ab\xc3(", 4, 2);    /* lead byte without continuation */
    expect_bad("ab\xe1\x80", 4, 2); /* truncated at the end */
    expect_bad("ab\xf0\x9f\x98", 5, 2);
    expect_bad("\xf8\x88\x80\x80\x80", 5, 0); /* old five-byte form */
    expect_bad("\xf4\x90\x80\x80", 4, 0);     /* above U+10FFFF */
    expect_bad("Nhà\xe0", 5, 4);              /* bad byte after good multibyte */
}

Test(text_valid_utf8, rejects_overlongs)
{
    expect_bad("\xc0\xaf", 2, 0); /* '/' in two bytes */
    expect_bad("a\xc1\xbf", 3, 1);
    expect_bad("\xc0\x80", 2, 0);         /* "modified UTF-8" NUL */
    expect_bad("ok\xe0\x80\xaf", 5, 2);   /* '/' in three bytes */
    expect_bad("\xe0\x9f\xbf", 3, 0);     /* U+07FF in three bytes */
    expect_bad("\xf0\x80\x80\xaf", 4, 0); /* '/' in four bytes */
    expect_bad("\xf0\x8f\xbf\xbf", 4, 0); /* U+FFFF in four bytes */
}

Test(text_valid_utf8, rejects_surrogates)
{
    expect_bad("\xed\xa0\x80", 3, 0);             /* U+D800 */
    expect_bad("ab\xed\xbf\xbf", 5, 2);           /* U+DFFF */
    expect_bad("\xed\xa0\xbd\xed\xb8\x80", 6, 0); /* CESU-8 pair */
}

Test(text_valid_utf8, rejects_embedded_nul)
{
    expect_bad("abc\0def", 7, 3);
    expect_bad("\0", 1, 0);
    expect_bad("Hà\0", 4, 3);
    cr_expect(text_valid_utf8("abc\0def", 3, NULL), "the NUL is past len");
}

/* ---- text_nfc ---- */

Test(text_scrub_utf8, replaces_what_is_not_utf8)
{
    char cut[] = "ab\\\xe1'"; /* jansson's context cut inside "ệ" */
    cr_expect_str_eq(text_scrub_utf8(cut), "ab\\?'");
    char mixed[] = "\xff Ph\xc3\xba \xed\xa0\x80 L\xc3\xa3m \xe1\xbb";
    cr_expect_str_eq(text_scrub_utf8(mixed), "? Ph\xc3\xba ??? L\xc3\xa3m ??");
    char good[] = "Phường Phú Lãm";
    cr_expect_str_eq(text_scrub_utf8(good), "Phường Phú Lãm");
    char empty[] = "";
    cr_expect_str_eq(text_scrub_utf8(empty), "");
    cr_expect_null(text_scrub_utf8(NULL));
}

Test(text_nfc, composes_nfd)
{
    /* "Nhà văn hoá" with every mark separate */
    expect_out(text_nfc, "Nha\u0300 va\u0306n hoa\u0301", "Nhà văn hoá");
    /* ệ as e + nặng + circumflex and as e + circumflex + nặng */
    expect_out(text_nfc, "e\u0323\u0302", "\u1ec7");
    expect_out(text_nfc, "e\u0302\u0323", "\u1ec7");
    expect_out(text_nfc, "D\u0323", "\u1e0c");
    expect_out(text_nfc, "\u1100\u1161", "\uac00"); /* Hangul jamo */
}

Test(text_nfc, changes_nothing_else)
{
    expect_out(text_nfc, "  Hà   Nội\t\n", "  Hà   Nội\t\n");
    expect_out(text_nfc, "A\u00a0B", "A\u00a0B");
    expect_out(text_nfc, "Tài chính – Kế hoạch", "Tài chính – Kế hoạch");
    expect_out(text_nfc, "\u212b", "\u00c5"); /* Angstrom sign is canonically Å */
    expect_out(text_nfc, "\ufb01", "\ufb01"); /* fi ligature: compatibility only */
}

Test(text_nfc, matches_utf8proc_nfc)
{
    const char *cases[] = {
        "Cộng hoà xã hội chủ nghĩa Việt Nam",      "Co\u0302\u0323ng ho\u0300a",
        "a\u0301\u0323\u031b\u0302 x\u0345\u0301", "\u1e9b\u0323 \u0344 \u0f73 \u2126",
        "\ud55c\uad6d\uc5b4 \u1112\u1161\u11ab",   "q\u0307\u0323 \u00c5\u0301",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *want = (char *)utf8proc_NFC((const utf8proc_uint8_t *)cases[i]);
        cr_expect_not_null(want);
        if (want)
            expect_out(text_nfc, cases[i], want);
        free(want);
    }
}

/* ---- text_clean ---- */

Test(text_clean, nfc_and_squeezed)
{
    expect_out(text_clean, "Nha\u0300 va\u0306n hoa\u0301", "Nhà văn hoá");
    expect_out(text_clean, "  Phường   Phú Lãm ", "Phường Phú Lãm");
    expect_out(text_clean, "\tHà\u00a0\u00a0Nội\r\n", "Hà Nội");
    expect_out(text_clean, "a \t\n\v\f\r b", "a b");
    expect_out(text_clean,
               "a\u3000b\u2003c\u2028d\xc2\x85"
               "e",
               "a b c d e");
    expect_out(text_clean, "Quận\n\nĐống Đa", "Quận Đống Đa");
}

Test(text_clean, keeps_the_rest)
{
    expect_out(text_clean, "Tài chính – Kế hoạch", "Tài chính – Kế hoạch");
    expect_out(text_clean, "UBND Tỉnh", "UBND Tỉnh");
    expect_out(text_clean, "Hello, World-2!", "Hello, World-2!");
}

Test(text_clean, empty_and_blank)
{
    expect_out(text_clean, "", "");
    expect_out(text_clean, " \t\n\u00a0 ", "");
}

/* ---- text_key ---- */

Test(text_key, dash_variants)
{
    const char *forms[] = {
        "Tài chính - Kế hoạch",     "Tài chính – Kế hoạch", /* en dash */
        "Tài chính—Kế hoạch",                               /* em dash */
        "Tài chính-Kế hoạch",       "Tài chính ‐ Kế hoạch", /* U+2010 */
        "Tài chính\u2011Kế hoạch",  "Tài chính \u2012 Kế hoạch",
        "Tài chính \u2212Kế hoạch", /* minus sign */
        "Tài chính -  Kế hoạch",    "  tài  chính\t–\nkế hoạch ",
    };
    for (size_t i = 1; i < sizeof forms / sizeof *forms; i++)
        expect_same(text_key, forms[0], forms[i]);
    expect_differ(text_key, "Tài chính - Kế hoạch", "Tài chính Kế hoạch");
    expect_differ(text_key, "Tài chính - Kế hoạch", "Tài chính_Kế hoạch");
}

Test(text_key, tone_placement)
{
    expect_same(text_key, "hoá", "hóa");
    expect_same(text_key, "thuỷ", "thủy");
    expect_same(text_key, "khoẻ", "khỏe");
    expect_same(text_key, "Hoà", "hòa");
    expect_same(text_key, "hoạ", "họa");
    expect_same(text_key, "Thuỵ", "thụy");
    expect_same(text_key, "Uỷ ban nhân dân", "ủy ban nhân dân");
    expect_same(text_key, "Sở Văn hoá, Thể thao", "sở văn hóa, thể thao");
    expect_same(text_key, "Phòng Tài chính – Kế hoạch quận Hoà Bình",
                "phòng tài chính-kế hoạch quận hòa bình");
    /* decomposed input, tone before or after the circumflex */
    expect_same(text_key, "Nguye\u0302\u0303n", "Nguyễn");
    expect_same(text_key, "Nguye\u0303\u0302n", "nguyễn");
}

Test(text_key, tone_stays_in_its_word)
{
    expect_differ(text_key, "hoá học", "hoa hóc");
    expect_differ(text_key, "Hoà Binh", "Hoa Bình");
    expect_differ(text_key, "hoá,hoc", "hoa,hóc");
    expect_differ(text_key, "hoá-hoc", "hoa-hóc");
    expect_differ(text_key, "ma", "má");
    expect_differ(text_key, "má", "mà");
    expect_differ(text_key, "mả", "mã");
}

Test(text_key, keeps_other_diacritics)
{
    expect_differ(text_key, "Phú Lâm", "Phú Lãm");
    expect_differ(text_key, "Phú Lâm", "Phú Lam");
    expect_differ(text_key, "Đống Đa", "Dống Da");
    expect_differ(text_key, "ăn", "an");
    expect_differ(text_key, "ơn", "ôn");
    expect_differ(text_key, "tư", "tu");
    expect_same(text_key, "Phú Lâm", "PHÚ LÂM");
    expect_same(text_key, "Đống Đa", "đống đa");
}

Test(text_key, ascii_lowercased)
{
    expect_out(text_key, "Hello World", "hello world");
    expect_out(text_key, "  UBND   Quan 1 ", "ubnd quan 1");
    expect_out(text_key, "A - B", "a-b");
    expect_out(text_key, "x_y.z/1+2", "x_y.z/1+2");
    expect_out(text_key, "", "");
    expect_out(text_key, " \u00a0 ", "");
}

Test(text_key, same_for_nfc_and_nfd)
{
    expect_same(text_key, "Nhà văn hoá", "Nha\u0300 va\u0306n hoa\u0301");
    expect_same(text_key, "Cộng hoà", "Co\u0302\u0323ng hoa\u0300");
    expect_same(text_key, "Cộng hoà", "Co\u0323\u0302ng hoa\u0300");
    /* U+0345 is a mark (class 240) that case folds to a letter, iota */
    expect_same(text_key, "a\u0345\u0302", "a\u0302\u0345");
    expect_same(text_key, "\u1fb3\u0302", "\u03b1\u0302\u0345");
}

/* ---- text_fold ---- */

Test(text_fold, strips_diacritics)
{
    expect_out(text_fold, "Nhà văn hoá", "nha van hoa");
    expect_out(text_fold, "Nha\u0300 va\u0306n hoa\u0301", "nha van hoa");
    expect_out(text_fold, "Đống Đa", "dong da");
    expect_out(text_fold, "Phú Lãm", "phu lam");
    expect_out(text_fold, "Phú Lâm", "phu lam");
    expect_out(text_fold, "Trường Sơn", "truong son");
    expect_out(text_fold, "Tài chính – Kế hoạch", "tai chinh-ke hoach");
    expect_out(text_fold, "  Hello   World ", "hello world");
    expect_out(text_fold, "", "");
}

Test(text_fold, loose_matches)
{
    expect_same(text_fold, "nha van hoa", "Nhà văn hoá");
    expect_same(text_fold, "Phu Lam", "Phú Lãm");
    expect_same(text_fold, "Phú Lãm", "Phú Lâm");
    expect_same(text_fold, "DONG DA", "Đống Đa");
    expect_same(text_fold, "thuy", "thuỷ");
    expect_differ(text_fold, "Phu Lam", "Phu Lan");
}

/* ---- text_equal_folded ---- */

Test(text_equal_folded, compares_folded)
{
    cr_expect(text_equal_folded("nha van hoa", "Nhà văn hoá"));
    cr_expect(text_equal_folded("Phu Lam", "Phú Lãm"));
    cr_expect(text_equal_folded("Phú Lãm", "Phú Lâm"));
    cr_expect(text_equal_folded("DONG DA", "Đống Đa"));
    cr_expect(text_equal_folded("Tài chính - Kế hoạch", "tai chinh – ke hoach"));
    cr_expect(text_equal_folded("", ""));
    cr_expect(text_equal_folded("", "  "));
    cr_expect(!text_equal_folded("Đống Đa", "Dong Do"));
    cr_expect(!text_equal_folded("a", ""));
}

Test(text_equal_folded, false_for_invalid)
{
    cr_expect(!text_equal_folded("ab\xff", "ab\xff"));
    cr_expect(!text_equal_folded("ab", "ab\xff"));
    cr_expect(!text_equal_folded("\xc0\xaf", "/"));
    cr_expect(!text_equal_folded(NULL, NULL));
    cr_expect(!text_equal_folded("a", NULL));
}

/* ---- all functions ---- */

Test(text_all, null_for_invalid_utf8)
{
    const char *bad[] = {
        "\xff",         "ab\xc3(",      "Hà Nội\xe1\x80",    "\xc0\xaf",
        "\xe0\x80\xaf", "\xed\xa0\x80", "x\xf4\x90\x80\x80", "\x80 leading continuation",
    };
    for (size_t f = 0; f < sizeof all_fns / sizeof *all_fns; f++) {
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            char *got = all_fns[f](bad[i]);
            cr_expect_null(got, "function %zu accepted bad case %zu", f, i);
            free(got);
        }
        cr_expect_null(all_fns[f](NULL), "function %zu gave non-NULL for NULL", f);
    }
}

Test(text_all, empty_string)
{
    for (size_t f = 0; f < sizeof all_fns / sizeof *all_fns; f++)
        expect_out(all_fns[f], "", "");
}

Test(text_all, ascii_passes_through)
{
    const char *in = "Ward 7, District 3 (HCMC) #42: plan-2024/v1";
    expect_out(text_nfc, in, in);
    expect_out(text_clean, in, in);
    expect_out(text_key, in, "ward 7, district 3 (hcmc) #42: plan-2024/v1");
    expect_out(text_fold, in, "ward 7, district 3 (hcmc) #42: plan-2024/v1");
}

/* ---- long input ---- */

#define MEGABYTE (1024 * 1024)

/* A malloc'd string of about n bytes made of unit repeated. */
static char *repeat(const char *unit, size_t n)
{
    size_t len = strlen(unit);
    size_t count = n / len;
    char *s = malloc(count * len + 1);
    cr_assert_not_null(s);
    for (size_t i = 0; i < count; i++)
        memcpy(s + i * len, unit, len);
    s[count * len] = '\0';
    return s;
}

Test(text_long, megabyte_of_text, .timeout = 60)
{
    char *s = repeat("Nha\u0300 va\u0306n hoá\u00a0\t Phú Lãm – ", MEGABYTE);
    size_t len = strlen(s);
    cr_expect(text_valid_utf8(s, len, NULL));
    for (size_t f = 0; f < sizeof all_fns / sizeof *all_fns; f++) {
        char *got = all_fns[f](s);
        cr_expect_not_null(got, "function %zu failed", f);
        if (got)
            cr_expect(strlen(got) > 0 && strlen(got) <= len, "function %zu length", f);
        free(got);
    }
    char *folded = text_fold(s);
    cr_expect_not_null(folded);
    if (folded)
        cr_expect(strncmp(folded, "nha van hoa phu lam-nha van hoa", 31) == 0);
    free(folded);
    cr_expect(text_equal_folded(s, s));
    free(s);
}

Test(text_long, megabyte_of_space_and_ascii, .timeout = 60)
{
    char *space = repeat(" \t\u00a0\n", MEGABYTE);
    for (size_t f = 1; f < sizeof all_fns / sizeof *all_fns; f++)
        expect_out(all_fns[f], space, "");
    free(space);

    char *ascii = repeat("AbC", MEGABYTE);
    char *key = text_key(ascii);
    cr_expect_not_null(key);
    if (key)
        cr_expect(strlen(key) == strlen(ascii) && strncmp(key, "abcabc", 6) == 0);
    free(key);
    free(ascii);
}

/* One combining sequence a megabyte long, marks of two classes alternating:
 * canonical ordering must not be quadratic. */
Test(text_long, megabyte_of_marks, .timeout = 60)
{
    char *marks = repeat("\u0301\u0323", MEGABYTE);
    for (size_t f = 0; f < sizeof all_fns / sizeof *all_fns; f++) {
        char *got = all_fns[f](marks);
        cr_expect_not_null(got, "function %zu failed", f);
        free(got);
    }
    char *nfc = text_nfc(marks);
    cr_expect_not_null(nfc);
    /* all the dots below come first */
    if (nfc)
        cr_expect(strncmp(nfc, "\u0323\u0323", 4) == 0 &&
                  strcmp(nfc + strlen(nfc) - 4, "\u0301\u0301") == 0);
    free(nfc);
    free(marks);
}

/* Long and not valid at the very end. */
Test(text_long, megabyte_invalid_at_end, .timeout = 60)
{
    char *s = repeat("hoá ", MEGABYTE);
    size_t len = strlen(s);
    s[len - 1] = '\xc3';
    size_t offset = 0;
    cr_expect(!text_valid_utf8(s, len, &offset));
    cr_expect_eq(offset, len - 1);
    for (size_t f = 0; f < sizeof all_fns / sizeof *all_fns; f++) {
        char *got = all_fns[f](s);
        cr_expect_null(got, "function %zu accepted bad input", f);
        free(got);
    }
    free(s);
}
