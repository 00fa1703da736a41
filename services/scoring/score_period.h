/* score_period.h - dates and reporting periods of a scoring year
 *
 * A forecast works with the date facts were collected up to ("as of"),
 * the due dates of open deliverables and the periods measurements are
 * reported for: months ("2024-06") and quarters ("2024-Q1"). Dates are day
 * numbers (days since 1970-01-01, proleptic Gregorian), so comparing and
 * subtracting them is plain arithmetic; a period is its year, how many such
 * periods a year has (12 or 4) and its 1-based index. Written as Vietnamese
 * documents write them: 31/03/2024, "tháng 6", "quý II". Pure, no I/O.
 */
#ifndef PARTRACK_SCORE_PERIOD_H
#define PARTRACK_SCORE_PERIOD_H

#include <stdbool.h>
#include <stddef.h>

/* The day number of a valid date, or false (y 1900-2100). */
bool score_date_make(int y, int m, int d, int *days);

/* "YYYY-MM-DD" to a day number; false unless exactly that and a real date. */
bool score_date_parse(const char *s, int *days);

/* The year, month and day of a day number (any may be NULL). */
void score_date_split(int days, int *y, int *m, int *d);

/* "31/03/2024". Returns buf; 16 bytes are enough. */
char *score_date_format(int days, char *buf, size_t len);

/* "2024-03-31". Returns buf; 16 bytes are enough. */
char *score_date_iso(int days, char *buf, size_t len);

typedef struct {
    int year;
    int per_year; /* 12 (months) or 4 (quarters) */
    int index;    /* 1..per_year */
} score_period_t;

/* "2024-06" (a month) or "2024-Q2" / "2024-q2" (a quarter); false otherwise. */
bool score_period_parse(const char *s, score_period_t *p);

/* The period's last day. */
int score_period_end(const score_period_t *p);

/* "tháng 6" or "quý II". Returns buf. */
char *score_period_name(int per_year, int index, char *buf, size_t len);

/* "tháng" or "quý": the unit of a count of periods ("3 quý"). */
const char *score_period_unit(int per_year);

#endif
