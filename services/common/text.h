/* text.h - Vietnamese text helpers over utf8proc
 *
 * Everything partrack compares or stores passes through here: input is checked
 * to be valid UTF-8 and brought to NFC before it is stored; names are compared
 * through keys that ignore case, tone-mark placement ("hoá" = "hóa",
 * "thuỷ" = "thủy"), dash variants (- – — ‐ ‑ −) and runs of white space, and,
 * for the loosest match, all diacritics ("nha van hoa" = "Nhà văn hoá",
 * "đ" = "d").
 *
 * All returned strings are malloc'd; the caller frees them with free().
 * Functions return NULL for invalid UTF-8 (or on allocation failure), and
 * for a NULL s.
 */
#ifndef PARTRACK_TEXT_H
#define PARTRACK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True if s[0..len) is valid UTF-8 (no NUL bytes inside, no surrogates). When
 * it is not, *bad_offset (if not NULL) gets the byte offset of the first bad
 * sequence. Overlong forms and code points above U+10FFFF are bad too. s may
 * be NULL only when len is 0. *bad_offset is left alone when s is valid. */
bool text_valid_utf8(const char *s, size_t len, size_t *bad_offset);

/* Makes the string s valid UTF-8 in place: each byte where no valid
 * sequence starts becomes '?'. For messages that quote input or were cut
 * to a buffer's size (a parser's context, an excerpt, snprintf), which must
 * still be valid UTF-8 to travel in a protobuf string or JSON. Returns s;
 * takes NULL. */
char *text_scrub_utf8(char *s);

/* NFC form of a valid UTF-8 string, white space trimmed at both ends and runs
 * of white space (including NBSP, tabs and newlines) collapsed to one space.
 * This is how partrack stores names. Caller frees. (White space is Unicode's
 * White_Space property.) */
char *text_clean(const char *s);

/* NFC form of a valid UTF-8 string, nothing else changed. Caller frees. */
char *text_nfc(const char *s);

/* Matching key that keeps diacritics: text_clean, case folded, dash variants
 * made '-', tone marks (sắc, huyền, hỏi, ngã, nặng) moved to the end of their
 * word so that both tone placements give the same key. Two names with the same
 * key are the same name written differently. Caller frees. (A word here is a
 * run of letters, marks and digits. The key is in decomposed form, not NFC:
 * compare it, do not show it.) */
char *text_key(const char *s);

/* Loosest matching key: text_key with every diacritic removed and đ/Đ made d,
 * so "Nha van hoa" and "Nhà văn hoá" share it. Caller frees. (Diacritics
 * here are all nonspacing and enclosing marks.) */
char *text_fold(const char *s);

/* Case-insensitive, accent-insensitive equality (text_fold of both). False if
 * either is NULL or not valid UTF-8. */
bool text_equal_folded(const char *a, const char *b);

#endif
