/* target_file.h - reading a plan's targets file (chỉ tiêu), CSV or TSV
 *
 * A plan's targets reach partrack as a table, one target a row: an indicator
 * code, what is measured, a comparator and a value (or a range), a unit, and
 * often the plan's own sentence ("Phấn đấu 100% hồ sơ TTHC được trả kết quả
 * đúng hạn"). target_file_read checks the whole file and gives either every
 * row, complete, or every problem it found, each "file:line: field: what";
 * never a part of the file.
 *
 * Format: CSV or TSV (the delimiter guessed by csv_new), UTF-8, a byte-order
 * mark and CRLF accepted. The first non-blank row is the header; its names
 * are matched ignoring case and diacritics, in any order:
 *   code        code, mã, mã chỉ tiêu
 *   area        area, lĩnh vực
 *   indicator   indicator, chỉ số, nội dung
 *   comparator  comparator, so sánh
 *   value       value, giá trị, chỉ tiêu
 *   unit        unit, đơn vị tính, đvt
 *   scope       scope, phạm vi
 *   sentence    sentence, nguyên văn, câu chỉ tiêu
 *   for_unit    for, for_unit, đơn vị áp dụng
 * An unknown name is a problem (a typo must not drop a column), and so is a
 * header with neither code nor sentence, neither value nor sentence, or
 * neither indicator nor sentence.
 *
 * Each row:
 *   - code: lower-case ASCII letters, digits, '_' and '.', starting with a
 *     letter, at most 64 bytes ("online_rate"); empty: the code target_parse
 *     suggests for the sentence;
 *   - indicator: empty: the sentence's indicator;
 *   - comparator: ">=" or "≥", ">" (>= strict), "<=" or "≤", "<" (<= strict),
 *     "=", "range", "rank<=" or "top" (rank<=), any case; empty: "range" when
 *     the value is a range, else the sentence's;
 *   - value: a number, "90", "95,5" or "95.5" (one decimal separator; no
 *     thousands separators: "1.000" and "1,000" without '%' are refused as
 *     ambiguous), maybe with a '%' after it; or a range, "40-50", "40–50",
 *     "40 - 50", "40%-50%", low not above high; empty: the sentence's. A rank
 *     is a whole number from 1; a value in % is at most 100 (a rank aside);
 *   - unit: empty: the sentence's unit, else "%" when the value is written
 *     with '%';
 *   - for_unit: a unit code (upper-case ASCII letters, digits and '_' in
 *     dot-separated parts, starting with a letter: "HN.HADONG.PHULAM"); a row
 *     with it overrides, for that unit, the target copied down from a higher
 *     plan;
 *   - area, scope, sentence: free text.
 * The sentence is read with target_parse (target_parse.h) when the code, the
 * indicator, the comparator or the value is empty; it must be understood when
 * the comparator or the value comes from it. Explicit cells win over what
 * the sentence says, but a value taken from the sentence must fit an
 * explicit comparator (a range for "range", a rank for "rank<=", neither for
 * the others). Two rows with the same (for_unit, code) are a problem. All
 * text is stored NFC, white space collapsed (text_clean); a cell that is not
 * valid UTF-8 is a problem. Rows whose cells are all empty are skipped.
 *
 * Nothing here touches a database or a network.
 */
#ifndef PARTRACK_TARGET_FILE_H
#define PARTRACK_TARGET_FILE_H

#include "problems.h"
#include "target_parse.h"

#include <stdbool.h>
#include <stddef.h>

/* Longest file read; a longer one is refused with a problem. */
#define TARGET_FILE_MAX_BYTES (16u << 20)

typedef struct {
    unsigned line;           /* the line the row starts on (1-based) */
    char *code;              /* never NULL in a returned row */
    char *area;              /* NULL when absent */
    char *indicator;         /* never NULL in a returned row */
    char *unit;              /* NULL when absent and not found in the sentence or the value */
    char *scope;             /* NULL when absent */
    char *sentence;          /* NULL when absent */
    char *for_unit;          /* NULL when absent: the row applies to the plan's own unit */
    target_cmp_t comparator; /* never TARGET_CMP_UNKNOWN in a returned row */
    bool strict;             /* ">" or "<" (or "trên", "dưới" in the sentence) */
    double value;            /* the value, the low end of a range, or the rank */
    double value_high;       /* the high end of a range; else equal to value */
} target_row_t;

typedef struct {
    target_row_t *rows; /* in file order */
    size_t nrows;
} target_file_t;

/* Reads the targets file data[0..len) (borrowed), named file in problems.
 * Returns 0 with *out set to the rows (the caller frees it with
 * target_file_destroy) when the file has no problems. Otherwise returns -1
 * with *out NULL and every problem found appended to *problems (which is not
 * cleared first), in line order (line 0, the file as a whole, first); running out of memory is -1
 * too, with an "out of memory" problem. A file of a header and no rows gives 0 rows. */
int target_file_read(const char *file, const char *data, size_t len, target_file_t **out,
                     problems_t *problems);

/* Frees *f and its rows and sets *f to NULL; takes NULL and a NULL *f. */
void target_file_destroy(target_file_t **f);

/* The row's comparator as written in the file format: ">=", ">", "<=", "<",
 * "=", "range" or "rank<=" (a static string). */
const char *target_row_comparator(const target_row_t *r);

#endif
