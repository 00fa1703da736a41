/* test_workcal.c - unit tests for services/deadline/workcal.c
 *
 * The shipped data file is read from the source tree (SHIPPED_CALENDAR); the
 * default lookup next to the binary is tested too, since the build copies
 * the file to build/share/partrack. Expected days off are written by hand
 * from the official notices (2024, DESIGN.md) and from the statute; the
 * properties (never a day off, monotonic) run over random dates 1900-2100.
 * Bad files are written to a temporary directory.
 */
#include "workcal.h"

#include "lunar.h"

#include "source_tree.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static date_t ymd(int y, int m, int d)
{
    return date_from_ymd(y, m, d);
}

static workcal_t *shipped(void)
{
    char err[512] = "";
    workcal_t *cal = workcal_load(SHIPPED_CALENDAR, err, sizeof err);
    cr_assert_not_null(cal, "%s", err);
    return cal;
}

/* Expects exactly the days in [from, to] listed in `off` (and the weekends
 * not listed in `worked`) to be days off. */
static void expect_year(const workcal_t *cal, int year, const date_t *off, size_t noff,
                        const date_t *worked, size_t nworked)
{
    for (date_t d = ymd(year, 1, 1); d <= ymd(year, 12, 31); d++) {
        int w = date_weekday(d);
        bool want_off = w == 0 || w == 6;
        for (size_t i = 0; i < noff; i++)
            want_off |= off[i] == d;
        for (size_t i = 0; i < nworked; i++)
            want_off &= worked[i] != d;
        char iso[11];
        date_format_iso(d, iso);
        cr_expect_eq(workcal_is_workday(cal, d), !want_off, "%s (%s): expected %s", iso,
                     date_weekday_vn(d), want_off ? "a day off" : "a working day");
    }
}

/* Appends the days from..to to a list. */
static size_t add_range(date_t *list, size_t n, date_t from, date_t to)
{
    for (date_t d = from; d <= to; d++)
        list[n++] = d;
    return n;
}

Test(workcal, official_2024_exactly)
{
    workcal_t *cal = shipped();
    date_t off[40];
    size_t n = 0;
    off[n++] = ymd(2024, 1, 1);
    n = add_range(off, n, ymd(2024, 2, 8), ymd(2024, 2, 14));
    off[n++] = ymd(2024, 4, 18);
    n = add_range(off, n, ymd(2024, 4, 27), ymd(2024, 5, 1));
    n = add_range(off, n, ymd(2024, 8, 31), ymd(2024, 9, 3));
    date_t worked[] = {ymd(2024, 5, 4)};
    expect_year(cal, 2024, off, n, worked, 1);

    cr_expect(workcal_is_workday(cal, ymd(2024, 5, 4)));
    cr_expect_not(workcal_is_workday(cal, ymd(2024, 5, 5)));
    cr_expect_null(workcal_reason(cal, ymd(2024, 5, 4)));
    cr_expect_str_eq(workcal_reason(cal, ymd(2024, 5, 5)), "Chủ nhật");
    cr_expect_str_eq(workcal_reason(cal, ymd(2024, 2, 10)), "Tết Nguyên đán");
    cr_expect_str_eq(workcal_reason(cal, ymd(2024, 1, 1)), "Tết Dương lịch");
    cr_expect_str_eq(workcal_reason(cal, ymd(2024, 4, 18)), "Giỗ Tổ Hùng Vương");
    cr_expect_str_eq(workcal_reason(cal, ymd(2024, 6, 29)), "Thứ Bảy");
    cr_expect_null(workcal_reason(cal, ymd(2024, 6, 28)));
    cr_expect_null(strstr(workcal_source(cal, 2024), "statutory"));

    workcal_day_t days[64];
    size_t nd = workcal_year(cal, 2024, days, 64);
    cr_expect_eq(nd, n + 1);
    for (size_t i = 1; i < nd; i++)
        cr_expect_lt(days[i - 1].date, days[i].date);
    size_t nworking = 0;
    for (size_t i = 0; i < nd; i++)
        if (days[i].working) {
            nworking++;
            cr_expect_eq(days[i].date, ymd(2024, 5, 4));
        }
    cr_expect_eq(nworking, 1);
    cr_expect_eq(workcal_year(cal, 2024, days, 3), 3);
    workcal_destroy(&cal);
    cr_expect_null(cal);
}

Test(workcal, official_2023_2025_2026)
{
    workcal_t *cal = shipped();
    date_t off[60];
    size_t n = 0;
    n = add_range(off, n, ymd(2023, 1, 1), ymd(2023, 1, 2));
    n = add_range(off, n, ymd(2023, 1, 20), ymd(2023, 1, 26));
    n = add_range(off, n, ymd(2023, 4, 29), ymd(2023, 5, 3));
    n = add_range(off, n, ymd(2023, 9, 1), ymd(2023, 9, 4));
    expect_year(cal, 2023, off, n, NULL, 0);

    n = 0;
    off[n++] = ymd(2025, 1, 1);
    n = add_range(off, n, ymd(2025, 1, 25), ymd(2025, 2, 2));
    off[n++] = ymd(2025, 4, 7);
    n = add_range(off, n, ymd(2025, 4, 30), ymd(2025, 5, 4));
    n = add_range(off, n, ymd(2025, 8, 30), ymd(2025, 9, 2));
    date_t worked25[] = {ymd(2025, 2, 8), ymd(2025, 4, 26)};
    expect_year(cal, 2025, off, n, worked25, 2);

    n = 0;
    off[n++] = ymd(2026, 1, 1);
    n = add_range(off, n, ymd(2026, 2, 14), ymd(2026, 2, 22));
    n = add_range(off, n, ymd(2026, 4, 26), ymd(2026, 4, 27));
    n = add_range(off, n, ymd(2026, 4, 30), ymd(2026, 5, 1));
    n = add_range(off, n, ymd(2026, 9, 1), ymd(2026, 9, 2));
    expect_year(cal, 2026, off, n, NULL, 0);
    cr_expect_neq(strstr(workcal_source(cal, 2026), "NOT an official"), NULL);
    workcal_destroy(&cal);
}

/* 2031 has no data: Tết Tân Hợi is Thursday 23/01/2031, so the last day
 * of the old year is Wednesday 22/01 and mùng 3, mùng 4 fall on Saturday
 * and Sunday, compensated on Monday 27 and Tuesday 28; Giỗ Tổ is Tuesday
 * 01/04/2031; 2/9 is a Tuesday, so the adjacent day is Monday 1/9. */
Test(workcal, statutory_2031)
{
    workcal_t *cal = shipped();
    cr_expect_str_eq(workcal_source(cal, 2031), "statutory rules (Labour Code 2019, Điều 112)");
    date_t off[40];
    size_t n = 0;
    off[n++] = ymd(2031, 1, 1);
    n = add_range(off, n, ymd(2031, 1, 22), ymd(2031, 1, 28));
    off[n++] = ymd(2031, 4, 1);
    n = add_range(off, n, ymd(2031, 4, 30), ymd(2031, 5, 1));
    n = add_range(off, n, ymd(2031, 9, 1), ymd(2031, 9, 2));
    expect_year(cal, 2031, off, n, NULL, 0);
    cr_expect_str_eq(workcal_reason(cal, ymd(2031, 1, 27)), "nghỉ bù Tết Nguyên đán");
    cr_expect_str_eq(workcal_reason(cal, ymd(2031, 1, 25)), "Tết Nguyên đán");
    workcal_destroy(&cal);
}

/* Weekend compensation and the 2/9 rule in other statutory years. */
Test(workcal, statutory_compensation)
{
    workcal_t *cal = workcal_new_statutory();
    cr_assert_not_null(cal);
    /* 1/1/2033 is a Saturday: Monday 3/1 off. */
    cr_expect_not(workcal_is_workday(cal, ymd(2033, 1, 3)));
    cr_expect_str_eq(workcal_reason(cal, ymd(2033, 1, 3)), "nghỉ bù Tết Dương lịch");
    cr_expect(workcal_is_workday(cal, ymd(2033, 1, 4)));
    /* Tết 2033 is Monday 31/1; the last day of the old year is Sunday 30/1,
     * compensated after mùng 4 (Thursday 3/2) on Friday 4/2. */
    cr_expect_eq(lunar_tet(2033), ymd(2033, 1, 31));
    for (date_t d = ymd(2033, 1, 31); d <= ymd(2033, 2, 4); d++)
        cr_expect_not(workcal_is_workday(cal, d));
    cr_expect(workcal_is_workday(cal, ymd(2033, 1, 28)));
    cr_expect(workcal_is_workday(cal, ymd(2033, 2, 7)));
    /* 2/9/2029 is a Sunday: 1/9 (Saturday) and 2/9 give Monday 3/9 and
     * Tuesday 4/9. */
    cr_expect_not(workcal_is_workday(cal, ymd(2029, 9, 3)));
    cr_expect_not(workcal_is_workday(cal, ymd(2029, 9, 4)));
    cr_expect(workcal_is_workday(cal, ymd(2029, 9, 5)));
    cr_expect(workcal_is_workday(cal, ymd(2029, 8, 31)));
    /* 2/9/2027 is a Thursday: the adjacent day is Friday 3/9. */
    cr_expect_not(workcal_is_workday(cal, ymd(2027, 9, 3)));
    cr_expect(workcal_is_workday(cal, ymd(2027, 9, 1)));
    /* Giỗ Tổ on a Sunday (6/4/2036) is compensated on Monday. */
    lunar_date_t g = {.year = 2036, .month = 3, .day = 10};
    date_t hung = lunar_to_solar(&g);
    cr_expect_eq(date_weekday(hung), 0);
    cr_expect_str_eq(workcal_reason(cal, hung), "Giỗ Tổ Hùng Vương");
    cr_expect_str_eq(workcal_reason(cal, hung + 1), "nghỉ bù Giỗ Tổ Hùng Vương");
    /* 1947: Giỗ Tổ falls on 30/4; one day off, both names. */
    g.year = 1947;
    cr_expect_eq(lunar_to_solar(&g), ymd(1947, 4, 30));
    cr_expect_str_eq(workcal_reason(cal, ymd(1947, 4, 30)),
                     "Giỗ Tổ Hùng Vương và Ngày Chiến thắng");
    /* The statutory 2024 differs from the official one. */
    cr_expect_not(workcal_is_workday(cal, ymd(2024, 5, 4)));
    cr_expect_str_eq(workcal_source(cal, 2024), "statutory rules (Labour Code 2019, Điều 112)");
    /* Every statutory year has its 11 holidays, compensation inside the year. */
    for (int y = 1900; y <= 2100; y++) {
        workcal_day_t days[32];
        size_t n = workcal_year(cal, y, days, 32);
        size_t plain = 0;
        for (size_t i = 0; i < n; i++) {
            cr_assert_not(days[i].working);
            plain += strncmp(days[i].name, "nghỉ bù", strlen("nghỉ bù")) != 0;
            int yy;
            date_to_ymd(days[i].date, &yy, NULL, NULL);
            cr_assert_eq(yy, y);
        }
        cr_assert(plain == 11 || (plain == 10 && y == 1947), "%d: %zu holidays", y, plain);
    }
    cr_expect_eq(workcal_year(cal, 1899, NULL, 0), 0);
    workcal_destroy(&cal);
}

Test(workcal, add_workdays_examples)
{
    workcal_t *cal = shipped();
    /* Monday 5/2/2024: 6 and 7/2, then Tết 8-14/2, then 15, 16, 19-23, 26. */
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 2, 5), 10), ymd(2024, 2, 26));
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 2, 5), 2), ymd(2024, 2, 7));
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 2, 5), 3), ymd(2024, 2, 15));
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 2, 5), 0), ymd(2024, 2, 5));
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 2, 10), 0), ymd(2024, 2, 15));
    /* From a day off, the first working day after it is day 1: as for n = 0. */
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 2, 10), 1), ymd(2024, 2, 15));
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 2, 10), 2), ymd(2024, 2, 16));
    /* Friday 26/4/2024: next is Thursday 2/5; Friday 3/5 + 1 is the worked Saturday. */
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 4, 26), 1), ymd(2024, 5, 2));
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 5, 3), 1), ymd(2024, 5, 4));
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 5, 3), 2), ymd(2024, 5, 6));
    /* Backwards. */
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 2, 15), -1), ymd(2024, 2, 7));
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 2, 26), -10), ymd(2024, 2, 5));
    /* Over a year end. */
    cr_expect_eq(workcal_add_workdays(cal, ymd(2024, 12, 30), 2), ymd(2025, 1, 2));
    cr_expect_eq(workcal_next_workday(cal, ymd(2024, 6, 29)), ymd(2024, 7, 1));
    cr_expect_eq(workcal_next_workday(cal, ymd(2024, 7, 1)), ymd(2024, 7, 1));
    cr_expect_eq(workcal_next_workday(cal, DATE_INVALID), DATE_INVALID);
    cr_expect_eq(workcal_add_workdays(cal, DATE_INVALID, 3), DATE_INVALID);
    /* Outside 1900-2100: weekends only. */
    cr_expect_eq(date_weekday(ymd(2101, 1, 1)), 6);
    cr_expect_eq(workcal_next_workday(cal, ymd(2101, 1, 1)), ymd(2101, 1, 3));
    cr_expect(workcal_is_workday(cal, ymd(2101, 1, 3)));
    workcal_destroy(&cal);
}

/* A small deterministic generator (the tests must not depend on rand()). */
static uint32_t next_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

static void check_properties(const workcal_t *cal)
{
    date_t first = ymd(1900, 1, 1), last = ymd(2100, 12, 31);
    uint64_t state = 42;
    for (int i = 0; i < 20000; i++) {
        date_t d = first + (date_t)(next_rand(&state) % (uint32_t)(last - first - 400));
        date_t nw = workcal_next_workday(cal, d);
        cr_assert_geq(nw, d);
        cr_assert(workcal_is_workday(cal, nw));
        for (date_t x = d; x < nw; x++)
            cr_assert_not(workcal_is_workday(cal, x));
        cr_assert_null(workcal_reason(cal, nw));
        date_t prev = workcal_add_workdays(cal, d, 0);
        cr_assert_eq(prev, nw);
        for (int n = 1; n <= 25; n++) {
            date_t r = workcal_add_workdays(cal, d, n);
            cr_assert(workcal_is_workday(cal, r), "add(%d, %d) lands on a day off", (int)d, n);
            /* n = 0 and n = 1 agree when d is a day off; strictly after that. */
            if (n == 1 && !workcal_is_workday(cal, d))
                cr_assert_eq(r, prev);
            else
                cr_assert_gt(r, prev, "not monotonic at n = %d", n);
            cr_assert_gt(r, d);
            prev = r;
        }
        int back = (int)(next_rand(&state) % 30) + 1;
        date_t r = workcal_add_workdays(cal, d, -back);
        cr_assert(workcal_is_workday(cal, r));
        cr_assert_lt(r, d);
    }
}

Test(workcal, properties_over_1900_2100)
{
    workcal_t *cal = shipped();
    check_properties(cal);
    workcal_destroy(&cal);
    cal = workcal_new_statutory();
    check_properties(cal);
    workcal_destroy(&cal);
}

/* Every day: is_workday and reason agree, and days off have a reason. */
Test(workcal, reason_agrees_with_is_workday)
{
    workcal_t *cal = shipped();
    for (date_t d = ymd(1900, 1, 1); d <= ymd(2100, 12, 31); d++) {
        const char *why = workcal_reason(cal, d);
        cr_assert_eq(why == NULL, workcal_is_workday(cal, d), "day %d", (int)d);
    }
    workcal_destroy(&cal);
}

/* ---- data files --------------------------------------------------------- */

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_workcal.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/cal.json", tmpdir);
    unlink(path);
    rmdir(tmpdir);
}

/* Writes text to tmpdir/cal.json; returns the path. */
static const char *write_file(const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/cal.json", tmpdir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Expects loading text to fail with a message containing every `want`. */
static void expect_bad(const char *text, const char *want1, const char *want2)
{
    char err[512] = "";
    const char *path = write_file(text);
    workcal_t *cal = workcal_load(path, err, sizeof err);
    cr_expect_null(cal, "loaded: %s", text);
    workcal_destroy(&cal);
    cr_expect_neq(strstr(err, path), NULL, "no file name in \"%s\"", err);
    cr_expect_neq(strstr(err, want1), NULL, "\"%s\" lacks \"%s\"", err, want1);
    if (want2)
        cr_expect_neq(strstr(err, want2), NULL, "\"%s\" lacks \"%s\"", err, want2);
}

#define YEAR_2030(body) "{\"format\": 1, \"years\": {\"2030\": {\"source\": \"test\", " body "}}}"

Test(workcal, bad_files_say_what_is_wrong, .init = make_tmpdir, .fini = remove_tmpdir)
{
    /* Syntax: file:line:column. */
    expect_bad("{\"format\": 1,\n  \"years\": {\n    \"2030\": {\"source\": \"x\",}\n",
               ":3:", NULL);
    expect_bad("", ":", NULL);
    expect_bad(YEAR_2030("\"days_off\": [{\"date\": \"2030-02-30\", \"name\": \"x\"}]"),
               "years.2030.days_off[0].date", "\"2030-02-30\" is not a date");
    expect_bad(YEAR_2030("\"days_off\": [{\"date\": \"30/01/2030\", \"name\": \"x\"}]"),
               "\"30/01/2030\" is not a date", NULL);
    expect_bad(YEAR_2030("\"days_off\": [{\"date\": \"2031-01-01\", \"name\": \"x\"}]"),
               "is not in 2030", NULL);
    expect_bad(YEAR_2030("\"days_off\": [{\"date\": \"2030-01-01\"}]"), "days_off[0].name",
               "missing");
    expect_bad(YEAR_2030("\"days_off\": [{\"date\": \"2030-01-01\", \"name\": \"x\", \"nam\": 1}]"),
               "unknown key \"nam\"", NULL);
    expect_bad(YEAR_2030("\"days_off\": [{\"from\": \"2030-01-05\", \"to\": \"2030-01-01\", "
                         "\"name\": \"x\"}]"),
               "days_off[0]", "in order");
    expect_bad(YEAR_2030("\"working_days\": [{\"date\": \"2030-01-02\"}]"), "working_days[0]",
               "already a working day");
    expect_bad(YEAR_2030("\"days_off\": [{\"date\": \"2030-01-05\", \"name\": \"x\"}], "
                         "\"working_days\": [{\"date\": \"2030-01-05\"}]"),
               "2030-01-05 is listed twice", "working day");
    expect_bad(YEAR_2030("\"days_off\": [{\"date\": \"2030-01-01\", \"name\": \"x\"}, "
                         "{\"from\": \"2029-12-31\", \"to\": \"2030-01-02\", \"name\": \"y\"}]"),
               "days_off[1].from", "not in 2030");
    expect_bad("{\"format\": 2, \"years\": {}}", "\"format\"", "must be 1");
    expect_bad("{\"format\": 1}", "\"years\"", "missing");
    expect_bad("{\"format\": 1, \"years\": {\"2200\": {\"source\": \"x\"}}}", "years.2200", NULL);
    expect_bad("{\"format\": 1, \"years\": {\"2030\": {}}}", "years.2030.source", "missing");
    expect_bad("{\"format\": 1, \"years\": {\"2030\": {\"source\": \"a\"}, \"2030\": "
               "{\"source\": \"b\"}}}",
               "duplicate", NULL);
    expect_bad("[1, 2]", "top level", NULL);

    char err[512];
    cr_expect_null(workcal_load("/nonexistent/cal.json", err, sizeof err));
    cr_expect_neq(strstr(err, "/nonexistent/cal.json"), NULL, "%s", err);
}

Test(workcal, a_data_year_replaces_the_statutory_year, .init = make_tmpdir, .fini = remove_tmpdir)
{
    const char *path =
        write_file(YEAR_2030("\"note\": \"n\", \"days_off\": [{\"from\": \"2030-03-04\", \"to\": "
                             "\"2030-03-06\", \"name\": \"Nghỉ thử\", \"note\": \"a test\"}], "
                             "\"working_days\": [{\"date\": \"2030-03-09\", \"name\": \"bù\"}]"));
    char err[512] = "";
    workcal_t *cal = workcal_load(path, err, sizeof err);
    cr_assert_not_null(cal, "%s", err);
    cr_expect_str_eq(workcal_source(cal, 2030), "test");
    cr_expect_str_eq(workcal_reason(cal, ymd(2030, 3, 5)), "Nghỉ thử");
    cr_expect(workcal_is_workday(cal, ymd(2030, 3, 9)));
    /* The statutory days of 2030 are gone: 1/1/2030 is a Tuesday. */
    cr_expect(workcal_is_workday(cal, ymd(2030, 1, 1)));
    cr_expect(workcal_is_workday(cal, ymd(2030, 9, 2)));
    /* Other years stay statutory. */
    cr_expect_not(workcal_is_workday(cal, ymd(2029, 1, 1)));
    cr_expect_not(workcal_is_workday(cal, ymd(2024, 5, 4)));
    workcal_day_t days[8];
    cr_expect_eq(workcal_year(cal, 2030, days, 8), 4);
    workcal_destroy(&cal);
}

Test(workcal, env_override_and_default_lookup, .init = make_tmpdir, .fini = remove_tmpdir)
{
    char err[512] = "";
    /* Default: build/bin/../share/partrack/calendar-vn.json, copied by the build. */
    unsetenv("PARTRACK_CALENDAR_FILE");
    workcal_t *cal = workcal_load_default(err, sizeof err);
    cr_assert_not_null(cal, "%s", err);
    cr_expect(workcal_is_workday(cal, ymd(2024, 5, 4)));
    workcal_destroy(&cal);

    const char *path = write_file(YEAR_2030("\"days_off\": []"));
    setenv("PARTRACK_CALENDAR_FILE", path, 1);
    cal = workcal_load_default(err, sizeof err);
    cr_assert_not_null(cal, "%s", err);
    cr_expect_str_eq(workcal_source(cal, 2030), "test");
    cr_expect_not(workcal_is_workday(cal, ymd(2024, 5, 4))); /* 2024 is statutory here */
    workcal_destroy(&cal);

    write_file("{not json");
    cal = workcal_load_default(err, sizeof err);
    cr_expect_null(cal);
    cr_expect_neq(strstr(err, "PARTRACK_CALENDAR_FILE"), NULL, "%s", err);
    cr_expect_neq(strstr(err, ":1:"), NULL, "%s", err);

    setenv("PARTRACK_CALENDAR_FILE", "/nonexistent/cal.json", 1);
    cr_expect_null(workcal_load_default(err, sizeof err));
    cr_expect_neq(strstr(err, "/nonexistent/cal.json"), NULL, "%s", err);
    unsetenv("PARTRACK_CALENDAR_FILE");
}

Test(workcal, destroy_takes_null)
{
    workcal_t *cal = NULL;
    workcal_destroy(&cal);
    workcal_destroy(NULL);
}
