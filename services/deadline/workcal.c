/* workcal.c - the Vietnamese working-day calendar
 *
 * A calendar is built once, for every day of 1900-2100, and is read-only
 * afterwards. Each year's special days (holidays, compensation days, swapped
 * working Saturdays) come either from the data file, when it has an entry
 * for the year (the entry replaces the year completely), or from the
 * statutory rules:
 *
 * - Bộ luật Lao động 2019, Điều 112 khoản 1: Tết Dương lịch 1/1; Tết Âm lịch
 *   5 days; Ngày Chiến thắng 30/4; Ngày Quốc tế Lao động 1/5; Quốc khánh 2/9
 *   and one adjacent day; Giỗ Tổ Hùng Vương 10/3 lunar.
 * - The statute leaves the exact Tết days and the adjacent day of 2/9 to the
 *   Prime Minister (khoản 3). Defaults here: Tết is the last day of the old
 *   lunar year (29 or 30 tháng Chạp) and mùng 1 to mùng 4; the day adjacent
 *   to 2/9 is 3/9 when 2/9 is a Monday or a Thursday and 1/9 otherwise, which
 *   always joins the holiday to a weekend when it can and matches the
 *   decisions of 2021-2025.
 * - A holiday on a Saturday or Sunday is compensated on the next working day
 *   that is not itself a holiday or a compensation day (Điều 111 khoản 3:
 *   "nghỉ bù vào ngày làm việc kế tiếp"), in date order. Giỗ Tổ falling on
 *   30/4 or 1/5 gives one day off (the statute grants no extra day).
 *
 * Lookups use a bitmap of the days off over the whole range (1 bit per day,
 * 9 KB), so is_workday is a shift and a mask and add_workdays walks the
 * bitmap; names and reasons come from a sorted array with an index by year.
 * Outside 1900-2100 only Saturdays and Sundays are days off.
 */
#include "workcal.h"

#include "lunar.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIRST_YEAR       1900
#define LAST_YEAR        2100
#define NYEARS           (LAST_YEAR - FIRST_YEAR + 1)
#define MAX_RANGE_DAYS   31
#define STATUTORY_SOURCE "statutory rules (Labour Code 2019, Điều 112)"
#define DATA_RELPATH     "/../share/partrack/calendar-vn.json"

struct workcal {
    date_t first, last;  /* the days the bitmap covers */
    uint64_t *off;       /* bit set: not a working day */
    workcal_day_t *days; /* special days, by date */
    size_t ndays, cap;
    size_t year_start[NYEARS + 1]; /* days of year y: [year_start[y-1900], year_start[y-1899]) */
    const char *source[NYEARS];    /* NULL: statutory */
    char **strings;                /* owned texts (names, sources) */
    size_t nstrings, capstrings;
};

/* Statutory names and the name of their compensation day. */
static const struct {
    const char *name, *compensation;
} holiday_names[] = {
    {"Tết Dương lịch", "nghỉ bù Tết Dương lịch"},
    {"Tết Nguyên đán", "nghỉ bù Tết Nguyên đán"},
    {"Giỗ Tổ Hùng Vương", "nghỉ bù Giỗ Tổ Hùng Vương"},
    {"Ngày Chiến thắng", "nghỉ bù Ngày Chiến thắng"},
    {"Ngày Quốc tế Lao động", "nghỉ bù Ngày Quốc tế Lao động"},
    {"Quốc khánh", "nghỉ bù Quốc khánh"},
    {"Giỗ Tổ Hùng Vương và Ngày Chiến thắng", "nghỉ bù Giỗ Tổ Hùng Vương và Ngày Chiến thắng"},
    {"Giỗ Tổ Hùng Vương và Ngày Quốc tế Lao động",
     "nghỉ bù Giỗ Tổ Hùng Vương và Ngày Quốc tế Lao động"},
};
enum { H_NEWYEAR, H_TET, H_HUNG, H_VICTORY, H_LABOUR, H_NATIONAL, H_HUNG_VICTORY, H_HUNG_LABOUR };

static bool is_weekend(date_t d)
{
    int w = date_weekday(d);
    return w == 0 || w == 6;
}

static int cmp_day(const void *a, const void *b)
{
    const workcal_day_t *x = a, *y = b;
    return (x->date > y->date) - (x->date < y->date);
}

/* ---- building ---------------------------------------------------------- */

static workcal_t *cal_alloc(void)
{
    workcal_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->first = date_from_ymd(FIRST_YEAR, 1, 1);
    self->last = date_from_ymd(LAST_YEAR, 12, 31);
    size_t words = (size_t)(self->last - self->first) / 64 + 1;
    self->off = calloc(words, sizeof *self->off);
    if (!self->off) {
        free(self);
        return NULL;
    }
    return self;
}

static int cal_add_day(workcal_t *self, date_t date, const char *name, bool working)
{
    if (self->ndays == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 4096;
        workcal_day_t *days = realloc(self->days, cap * sizeof *days);
        if (!days)
            return -1;
        self->days = days;
        self->cap = cap;
    }
    self->days[self->ndays++] = (workcal_day_t){.date = date, .name = name, .working = working};
    return 0;
}

/* A copy of s owned by the calendar, or NULL. */
static const char *cal_keep(workcal_t *self, const char *s)
{
    if (self->nstrings == self->capstrings) {
        size_t cap = self->capstrings ? self->capstrings * 2 : 64;
        char **strings = realloc(self->strings, cap * sizeof *strings);
        if (!strings)
            return NULL;
        self->strings = strings;
        self->capstrings = cap;
    }
    char *copy = strdup(s);
    if (copy)
        self->strings[self->nstrings++] = copy;
    return copy;
}

typedef struct {
    date_t date;
    int name; /* index in holiday_names */
} holiday_t;

static bool holiday_at(const holiday_t *h, size_t n, date_t d)
{
    for (size_t i = 0; i < n; i++)
        if (h[i].date == d)
            return true;
    return false;
}

/* Adds the statutory special days of `year`, in date order. */
static int cal_add_statutory(workcal_t *self, int year)
{
    holiday_t h[16];
    size_t n = 0;
    h[n++] = (holiday_t){date_from_ymd(year, 1, 1), H_NEWYEAR};
    date_t tet = lunar_tet(year);
    if (tet != DATE_INVALID)
        for (int i = -1; i <= 3; i++)
            h[n++] = (holiday_t){tet + i, H_TET};
    lunar_date_t gio_to = {.year = year, .month = 3, .day = 10, .leap = false};
    date_t hung = lunar_to_solar(&gio_to);
    date_t victory = date_from_ymd(year, 4, 30), labour = date_from_ymd(year, 5, 1);
    h[n++] = (holiday_t){victory, hung == victory ? H_HUNG_VICTORY : H_VICTORY};
    h[n++] = (holiday_t){labour, hung == labour ? H_HUNG_LABOUR : H_LABOUR};
    if (hung != DATE_INVALID && hung != victory && hung != labour)
        h[n++] = (holiday_t){hung, H_HUNG};
    date_t national = date_from_ymd(year, 9, 2);
    int w = date_weekday(national);
    h[n++] = (holiday_t){national + (w == 1 || w == 4 ? 1 : -1), H_NATIONAL};
    h[n++] = (holiday_t){national, H_NATIONAL};

    /* Date order (insertion sort: n <= 12). */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && h[j - 1].date > h[j].date; j--) {
            holiday_t t = h[j];
            h[j] = h[j - 1];
            h[j - 1] = t;
        }

    /* Compensation for holidays on a weekend. */
    holiday_t comp[16];
    size_t ncomp = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_weekend(h[i].date))
            continue;
        date_t c = h[i].date + 1;
        while (is_weekend(c) || holiday_at(h, n, c) || holiday_at(comp, ncomp, c))
            c++;
        comp[ncomp++] = (holiday_t){c, h[i].name};
    }

    size_t start = self->ndays;
    for (size_t i = 0; i < n; i++)
        if (cal_add_day(self, h[i].date, holiday_names[h[i].name].name, false) != 0)
            return -1;
    for (size_t i = 0; i < ncomp; i++)
        if (cal_add_day(self, comp[i].date, holiday_names[comp[i].name].compensation, false) != 0)
            return -1;
    qsort(self->days + start, self->ndays - start, sizeof *self->days, cmp_day);
    return 0;
}

/* Sets the bitmap from weekends and the special days. */
static void cal_fill_bitmap(workcal_t *self)
{
    for (date_t d = self->first; d <= self->last; d++) {
        size_t bit = (size_t)(d - self->first);
        if (is_weekend(d))
            self->off[bit / 64] |= UINT64_C(1) << (bit % 64);
    }
    for (size_t i = 0; i < self->ndays; i++) {
        size_t bit = (size_t)(self->days[i].date - self->first);
        if (self->days[i].working)
            self->off[bit / 64] &= ~(UINT64_C(1) << (bit % 64));
        else
            self->off[bit / 64] |= UINT64_C(1) << (bit % 64);
    }
}

/* ---- the data file ------------------------------------------------------ */

/* Reads a "YYYY-MM-DD" member of obj into *out. Fills err (with `where`) and
 * returns -1 if missing, not a string, not a date or not in `year`. */
static int read_date(json_t *obj, const char *key, int year, const char *where, date_t *out,
                     char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        snprintf(err, errlen, "%s: \"%s\" is missing", where, key);
        return -1;
    }
    const char *s = json_string_value(v);
    date_t d = s ? date_parse(s) : DATE_INVALID;
    if (!s || d == DATE_INVALID || strlen(s) != 10 || s[4] != '-') {
        if (s)
            snprintf(err, errlen, "%s.%s: \"%s\" is not a date (YYYY-MM-DD)", where, key, s);
        else
            snprintf(err, errlen, "%s.%s: not a string (a date YYYY-MM-DD)", where, key);
        return -1;
    }
    int y;
    date_to_ymd(d, &y, NULL, NULL);
    if (y != year) {
        snprintf(err, errlen, "%s.%s: %s is not in %d (each year lists its own days)", where, key,
                 s, year);
        return -1;
    }
    *out = d;
    return 0;
}

/* Checks that obj has only the keys in `allowed` (space-separated). */
static int check_keys(json_t *obj, const char *allowed, const char *where, char *err, size_t errlen)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        (void)value;
        size_t len = strlen(key);
        const char *p = allowed;
        bool ok = false;
        while (!ok && (p = strstr(p, key)) != NULL) {
            ok = (p == allowed || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0');
            p += len ? len : 1;
        }
        if (!ok || len == 0) {
            snprintf(err, errlen, "%s: unknown key \"%s\" (known: %s)", where, key, allowed);
            return -1;
        }
    }
    return 0;
}

/* An optional string member; NULL if absent. -1 if present but not a string. */
static int read_text(json_t *obj, const char *key, bool required, const char *where,
                     const char **out, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v && !required)
        return 0;
    if (!v || !json_is_string(v) || json_string_length(v) == 0) {
        snprintf(err, errlen, "%s.%s: %s", where, key,
                 v ? "must be a non-empty string" : "is missing");
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* Adds the special days of one year's entry; sorted, checked. */
static int cal_add_data_year(workcal_t *self, int year, json_t *entry, char *err, size_t errlen)
{
    char where[96];
    snprintf(where, sizeof where, "years.%d", year);
    if (!json_is_object(entry)) {
        snprintf(err, errlen, "%s: must be an object", where);
        return -1;
    }
    if (check_keys(entry, "source note days_off working_days", where, err, errlen) != 0)
        return -1;
    const char *source, *text;
    if (read_text(entry, "source", true, where, &source, err, errlen) != 0 ||
        read_text(entry, "note", false, where, &text, err, errlen) != 0)
        return -1;
    if (!(self->source[year - FIRST_YEAR] = cal_keep(self, source)))
        goto nomem;

    size_t start = self->ndays;
    static const char *const lists[2] = {"days_off", "working_days"};
    for (int l = 0; l < 2; l++) {
        bool working = l == 1;
        json_t *arr = json_object_get(entry, lists[l]);
        if (!arr)
            continue;
        if (!json_is_array(arr)) {
            snprintf(err, errlen, "%s.%s: must be an array", where, lists[l]);
            return -1;
        }
        size_t i;
        json_t *item;
        json_array_foreach(arr, i, item)
        {
            char at[160];
            snprintf(at, sizeof at, "%s.%s[%zu]", where, lists[l], i);
            if (!json_is_object(item)) {
                snprintf(err, errlen, "%s: must be an object", at);
                return -1;
            }
            if (check_keys(item, working ? "date name note" : "date from to name note", at, err,
                           errlen) != 0)
                return -1;
            const char *name;
            if (read_text(item, "name", !working, at, &name, err, errlen) != 0 ||
                read_text(item, "note", false, at, &text, err, errlen) != 0)
                return -1;
            date_t from, to;
            if (json_object_get(item, "date")) {
                if (json_object_get(item, "from") || json_object_get(item, "to")) {
                    snprintf(err, errlen, "%s: give either \"date\" or \"from\" and \"to\"", at);
                    return -1;
                }
                if (read_date(item, "date", year, at, &from, err, errlen) != 0)
                    return -1;
                to = from;
            } else if (working) {
                snprintf(err, errlen, "%s: \"date\" is missing", at);
                return -1;
            } else {
                if (read_date(item, "from", year, at, &from, err, errlen) != 0 ||
                    read_date(item, "to", year, at, &to, err, errlen) != 0)
                    return -1;
                if (to < from || to - from >= MAX_RANGE_DAYS) {
                    snprintf(err, errlen, "%s: \"from\" .. \"to\" must be 1 to %d days in order",
                             at, MAX_RANGE_DAYS);
                    return -1;
                }
            }
            if (working && !is_weekend(from)) {
                char iso[11];
                date_format_iso(from, iso);
                snprintf(err, errlen,
                         "%s: %s is a %s, already a working day (working_days lists weekend "
                         "days that are worked)",
                         at, iso, date_weekday_vn(from));
                return -1;
            }
            const char *kept = cal_keep(self, name ? name : "ngày làm việc bù");
            if (!kept)
                goto nomem;
            for (date_t d = from; d <= to; d++)
                if (cal_add_day(self, d, kept, working) != 0)
                    goto nomem;
        }
    }
    qsort(self->days + start, self->ndays - start, sizeof *self->days, cmp_day);
    for (size_t i = start + 1; i < self->ndays; i++) {
        if (self->days[i].date == self->days[i - 1].date) {
            char iso[11];
            date_format_iso(self->days[i].date, iso);
            snprintf(err, errlen, "%s: %s is listed twice%s", where, iso,
                     self->days[i].working != self->days[i - 1].working
                         ? " (as a day off and as a working day)"
                         : "");
            return -1;
        }
    }
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* Builds every year: from `years` (may be NULL) or the statutory rules. */
static int cal_build(workcal_t *self, json_t *years, char *err, size_t errlen)
{
    for (int y = FIRST_YEAR; y <= LAST_YEAR; y++) {
        self->year_start[y - FIRST_YEAR] = self->ndays;
        char key[12];
        snprintf(key, sizeof key, "%d", y);
        json_t *entry = years ? json_object_get(years, key) : NULL;
        int rc =
            entry ? cal_add_data_year(self, y, entry, err, errlen) : cal_add_statutory(self, y);
        if (rc != 0) {
            if (!entry)
                snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    self->year_start[NYEARS] = self->ndays;
    cal_fill_bitmap(self);
    return 0;
}

workcal_t *workcal_new_statutory(void)
{
    char err[64];
    workcal_t *self = cal_alloc();
    if (self && cal_build(self, NULL, err, sizeof err) != 0)
        workcal_destroy(&self);
    return self;
}

/* Builds a calendar from a parsed document; `name` for messages. Takes
 * ownership of root. */
static workcal_t *load_document(json_t *root, const char *name, char *errbuf, size_t errlen)
{
    char err[512];
    workcal_t *self = NULL;
    if (!json_is_object(root)) {
        snprintf(err, sizeof err, "the top level must be an object");
        goto fail;
    }
    if (check_keys(root, "format description note years", "top level", err, sizeof err) != 0)
        goto fail;
    json_t *format = json_object_get(root, "format");
    if (!json_is_integer(format) || json_integer_value(format) != 1) {
        snprintf(err, sizeof err, "\"format\": must be 1 (the only format this partrack reads)");
        goto fail;
    }
    json_t *years = json_object_get(root, "years");
    if (!json_is_object(years)) {
        snprintf(err, sizeof err, "\"years\": %s", years ? "must be an object" : "is missing");
        goto fail;
    }
    const char *key;
    json_t *value;
    json_object_foreach(years, key, value)
    {
        (void)value;
        char *end;
        errno = 0;
        long y = strtol(key, &end, 10);
        if (strlen(key) != 4 || *end || errno || y < FIRST_YEAR || y > LAST_YEAR) {
            snprintf(err, sizeof err, "years.%s: not a year between %d and %d", key, FIRST_YEAR,
                     LAST_YEAR);
            goto fail;
        }
    }
    if (!(self = cal_alloc())) {
        snprintf(err, sizeof err, "out of memory");
        goto fail;
    }
    if (cal_build(self, years, err, sizeof err) != 0)
        goto fail;
    json_decref(root);
    return self;
fail:
    snprintf(errbuf, errlen, "%s: %s", name, err);
    workcal_destroy(&self);
    json_decref(root);
    return NULL;
}

static workcal_t *json_failed(json_error_t *jerr, const char *name, char *errbuf, size_t errlen)
{
    if (jerr->line > 0)
        snprintf(errbuf, errlen, "%s:%d:%d: %s", name, jerr->line, jerr->column, jerr->text);
    else
        snprintf(errbuf, errlen, "%s: %s", name, jerr->text);
    return NULL;
}

workcal_t *workcal_load(const char *path, char *errbuf, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return json_failed(&jerr, path, errbuf, errlen);
    return load_document(root, path, errbuf, errlen);
}

workcal_t *workcal_load_text(const char *text, size_t len, const char *name, char *errbuf,
                             size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return json_failed(&jerr, name, errbuf, errlen);
    return load_document(root, name, errbuf, errlen);
}

workcal_t *workcal_load_default(char *errbuf, size_t errlen)
{
    const char *env = getenv("PARTRACK_CALENDAR_FILE");
    if (env && *env) {
        char err[512];
        workcal_t *self = workcal_load(env, err, sizeof err);
        if (!self)
            snprintf(errbuf, errlen, "%s (from PARTRACK_CALENDAR_FILE)", err);
        return self;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(errbuf, errlen,
                 "cannot find the running binary (%s); set PARTRACK_CALENDAR_FILE to the "
                 "calendar data file",
                 strerror(errno));
        return NULL;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    char path[PATH_MAX + sizeof DATA_RELPATH];
    snprintf(path, sizeof path, "%s%s", exe, DATA_RELPATH);
    if (access(path, R_OK) != 0) {
        snprintf(errbuf, errlen,
                 "no calendar data at %s (%s); set PARTRACK_CALENDAR_FILE to the data file", path,
                 strerror(errno));
        return NULL;
    }
    return workcal_load(path, errbuf, errlen);
}

void workcal_destroy(workcal_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    workcal_t *self = *self_p;
    for (size_t i = 0; i < self->nstrings; i++)
        free(self->strings[i]);
    free(self->strings);
    free(self->days);
    free(self->off);
    free(self);
    *self_p = NULL;
}

/* ---- lookups ------------------------------------------------------------ */

bool workcal_is_workday(const workcal_t *self, date_t date)
{
    if (date >= self->first && date <= self->last) {
        size_t bit = (size_t)(date - self->first);
        return !(self->off[bit / 64] >> (bit % 64) & 1);
    }
    return date != DATE_INVALID && !is_weekend(date);
}

date_t workcal_next_workday(const workcal_t *self, date_t date)
{
    if (date == DATE_INVALID)
        return DATE_INVALID;
    while (!workcal_is_workday(self, date))
        date++;
    return date;
}

date_t workcal_add_workdays(const workcal_t *self, date_t date, int n)
{
    if (date == DATE_INVALID)
        return DATE_INVALID;
    if (n == 0)
        return workcal_next_workday(self, date);
    int step = n > 0 ? 1 : -1;
    long left = n > 0 ? n : -(long)n;
    while (left > 0) {
        date += step;
        if (workcal_is_workday(self, date))
            left--;
    }
    return date;
}

/* The special day at `date`, or NULL. */
static const workcal_day_t *find_day(const workcal_t *self, date_t date)
{
    if (date < self->first || date > self->last)
        return NULL;
    int y;
    date_to_ymd(date, &y, NULL, NULL);
    size_t lo = self->year_start[y - FIRST_YEAR], hi = self->year_start[y - FIRST_YEAR + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (self->days[mid].date < date)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < self->year_start[y - FIRST_YEAR + 1] && self->days[lo].date == date
               ? &self->days[lo]
               : NULL;
}

const char *workcal_reason(const workcal_t *self, date_t date)
{
    if (date == DATE_INVALID || workcal_is_workday(self, date))
        return NULL;
    const workcal_day_t *day = find_day(self, date);
    if (day && !day->working)
        return day->name;
    return date_weekday_vn(date); /* "Thứ Bảy", "Chủ nhật" */
}

const char *workcal_source(const workcal_t *self, int year)
{
    if (year < FIRST_YEAR || year > LAST_YEAR)
        return "outside 1900-2100: Saturdays and Sundays only";
    const char *s = self->source[year - FIRST_YEAR];
    return s ? s : STATUTORY_SOURCE;
}

size_t workcal_year(const workcal_t *self, int year, workcal_day_t *out, size_t max)
{
    if (year < FIRST_YEAR || year > LAST_YEAR)
        return 0;
    size_t from = self->year_start[year - FIRST_YEAR], to = self->year_start[year - FIRST_YEAR + 1];
    size_t n = 0;
    for (size_t i = from; i < to && n < max; i++)
        out[n++] = self->days[i];
    return n;
}
