/* workcal.h - the Vietnamese working-day calendar
 *
 * Weekends are Saturday and Sunday. Public holidays follow the Labour Code
 * 2019 (Bộ luật Lao động, Điều 112): 1/1; Tết Nguyên đán (5 days, by the
 * Vietnamese lunar calendar); Giỗ Tổ Hùng Vương (10/3 lunar); 30/4; 1/5; 2/9
 * and one adjacent day. These statutory defaults are computed for any year;
 * each year's official days off for civil servants (with swapped working
 * days, e.g. Saturday 4/5/2024 worked) come from a data file that overrides
 * them for the years it covers. The file ships with partrack and users can
 * extend or replace it without rebuilding.
 *
 * A workcal_t is read-only after loading and may be shared by threads.
 * It covers 1900-2100; outside those years only Saturdays and Sundays are
 * days off. The statutory defaults (which Tết days, which day next to 2/9,
 * compensation of a holiday on a weekend) are described in workcal.c and
 * README.md, section Calendar.
 */
#ifndef PARTRACK_WORKCAL_H
#define PARTRACK_WORKCAL_H

#include "civil_date.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct workcal workcal_t;

/* A calendar with the statutory rules only (no data file). Caller destroys. */
workcal_t *workcal_new_statutory(void);

/* A calendar with the official data in `path` (JSON, format in the README)
 * over the statutory rules. NULL with a reason (file:line if the JSON is
 * bad) on failure. Caller destroys. */
workcal_t *workcal_load(const char *path, char *errbuf, size_t errlen);

/* The same from a document in memory (text[0..len), need not end in NUL);
 * `name` says where it came from in messages. */
workcal_t *workcal_load_text(const char *text, size_t len, const char *name, char *errbuf,
                             size_t errlen);

/* The shipped data file: $PARTRACK_CALENDAR_FILE if set, else
 * share/partrack/calendar-vn.json next to the running binary (build tree or
 * installed prefix). NULL with a reason on failure. */
workcal_t *workcal_load_default(char *errbuf, size_t errlen);

void workcal_destroy(workcal_t **self_p);

/* True if civil servants work on that day. */
bool workcal_is_workday(const workcal_t *self, date_t date);

/* The date itself if it is a working day, else the next working day. This
 * is the Civil Code rule (Điều 148) for a period ending on a day off. */
date_t workcal_next_workday(const workcal_t *self, date_t date);

/* The date n working days after `date` (the day itself not counted;
 * Điều 147). n >= 0; n = 0 gives workcal_next_workday of date + 0 days.
 * From a day off, day 1 is the first working day after it, so n = 0 and
 * n = 1 agree there. (A negative n counts back the same way.) */
date_t workcal_add_workdays(const workcal_t *self, date_t date, int n);

/* Why a day is not worked ("Tết Nguyên đán", "Thứ Bảy", "Quốc khánh",
 * "nghỉ bù"...), or NULL on a working day; a swapped working Saturday gives
 * NULL too. Pointer to static or calendar-owned text. */
const char *workcal_reason(const workcal_t *self, date_t date);

/* Where the rules for `year` come from: the data file's source note, or
 * "statutory rules (Labour Code 2019, Điều 112)" if the file has no entry. */
const char *workcal_source(const workcal_t *self, int year);

typedef struct {
    date_t date;
    const char *name; /* "Tết Dương lịch", "Tết Nguyên đán", ... */
    bool working;     /* a weekend day made a working day (swap) */
} workcal_day_t;

/* The year's days off that are not plain weekends, and its swapped working
 * days, in date order. Returns how many were written (at most max). A
 * statutory year has at most 20; a data year as many as its file lists
 * (weekend days inside a listed break included). */
size_t workcal_year(const workcal_t *self, int year, workcal_day_t *out, size_t max);

#endif
