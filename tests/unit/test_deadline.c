/* test_deadline.c - unit tests for the deadline language (deadline_*.c)
 *
 * Every phrase of DESIGN.md's table and of the seed plans is read for plan
 * year 2024 on the shipped calendar (services/deadline/data) and compared
 * with its schedule written out by hand. The 2024
 * facts used: weekends; days off 1/1, 8/2-14/2 (Tết), 18/4, 27/4-1/5 with
 * Saturday 4/5 worked, 31/8-3/9. So 30/6 (Sunday) moves to Monday 1/7, 30/4
 * to Thursday 2/5, 31/8 to Wednesday 4/9, 30/11 (Saturday) to Monday 2/12.
 * Then variants (case, diacritics, tone placement, Roman or Arabic numbers,
 * punctuation), the Civil Code rules, phrases that must stay unparsed,
 * garbage, the property that no effective date is a day off over many
 * phrases and plan years 2023-2026, and the JSON. The fuzzing corpus
 * (tests/fuzz/corpus/deadline) is replayed through the fuzzing harness
 * itself, with the same invariants, by unit.fuzz_replay_deadline.
 */
#include "deadline.h"
#include "deadline_json.h"
#include "workcal.h"

#include "source_tree.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static workcal_t *cal;

static void setup(void)
{
    char err[512] = "";
    cal = workcal_load(SHIPPED_CALENDAR, err, sizeof err);
    cr_assert_not_null(cal, "%s", err);
}

static void teardown(void)
{
    workcal_destroy(&cal);
}

TestSuite(deadline, .init = setup, .fini = teardown);

static deadline_t *parse(const char *text, int year)
{
    char err[256] = "";
    deadline_t *d = deadline_parse(text, year, cal, err, sizeof err);
    cr_assert_not_null(d, "deadline_parse(\"%s\"): %s", text, err);
    return d;
}

/* The due dates, effective or nominal, as "YYYY-MM-DD YYYY-MM-DD ...". */
static const char *dates(const deadline_t *d, bool nominal, char *buf, size_t len)
{
    size_t w = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < d->ndue && w + 12 < len; k++) {
        char iso[11];
        date_format_iso(nominal ? d->due[k].nominal : d->due[k].effective, iso);
        w += (size_t)snprintf(buf + w, len - w, "%s%s", k ? " " : "", iso);
    }
    return buf;
}

static const char *parts(const deadline_t *d, char *buf, size_t len)
{
    size_t w = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < d->nparts && w + 12 < len; k++)
        w += (size_t)snprintf(buf + w, len - w, "%s%s", k ? "+" : "",
                              deadline_kind_name(d->parts[k]));
    return buf;
}

/* One phrase, as the table below writes it: its parts ("once+continuous"),
 * effective due dates, nominal dates (NULL: the same), and flags: C
 * continuous, A ad hoc, E event. */
typedef struct {
    const char *text;
    const char *parts;
    const char *due;
    const char *nominal;
    const char *flags;
} expect_t;

static void check_expect(const expect_t *e, int year)
{
    deadline_t *d = parse(e->text, year);
    char got[4096], kind[32], got_flags[8] = "";
    cr_expect(!d->unparsed, "\"%s\" unparsed: %s", e->text, d->reason ? d->reason : "");
    cr_expect_str_eq(parts(d, got, sizeof got), e->parts, "parts of \"%s\"", e->text);
    snprintf(kind, sizeof kind, "%.*s", (int)strcspn(e->parts, "+"), e->parts);
    cr_expect_str_eq(deadline_kind_name(d->kind), kind, "kind of \"%s\"", e->text);
    cr_expect_str_eq(dates(d, false, got, sizeof got), e->due, "due of \"%s\"", e->text);
    cr_expect_str_eq(dates(d, true, got, sizeof got), e->nominal ? e->nominal : e->due,
                     "nominal of \"%s\"", e->text);
    snprintf(got_flags, sizeof got_flags, "%s%s%s", d->continuous ? "C" : "", d->adhoc ? "A" : "",
             d->event ? "E" : "");
    cr_expect_str_eq(got_flags, e->flags ? e->flags : "", "flags of \"%s\"", e->text);
    deadline_destroy(&d);
    cr_expect_null(d);
}

#define MONTH_ENDS_DUE                                                                             \
    "2024-01-31 2024-02-29 2024-04-01 2024-05-02 2024-05-31 2024-07-01 2024-07-31 2024-09-04 "     \
    "2024-09-30 2024-10-31 2024-12-02 2024-12-31"
#define MONTH_ENDS_NOMINAL                                                                         \
    "2024-01-31 2024-02-29 2024-03-31 2024-04-30 2024-05-31 2024-06-30 2024-07-31 2024-08-31 "     \
    "2024-09-30 2024-10-31 2024-11-30 2024-12-31"
#define QUARTER_ENDS_DUE     "2024-04-01 2024-07-01 2024-09-30 2024-12-31"
#define QUARTER_ENDS_NOMINAL "2024-03-31 2024-06-30 2024-09-30 2024-12-31"
#define HALF_ENDS_DUE        "2024-07-01 2024-12-31"
#define HALF_ENDS_NOMINAL    "2024-06-30 2024-12-31"

/* DESIGN.md's table, plan year 2024. */
static const expect_t design_table[] = {
    {"Tháng 6", "once", "2024-07-01", "2024-06-30", NULL},
    {"tháng 9/2024", "once", "2024-09-30", NULL, NULL},
    {"trong tháng 9 năm 2024", "once", "2024-09-30", NULL, NULL},
    {"Quý II", "once", "2024-07-01", "2024-06-30", NULL},
    {"Quý III/2024", "once", "2024-09-30", NULL, NULL},
    {"Quý II năm 2024", "once", "2024-07-01", "2024-06-30", NULL},
    {"Quý II, Quý IV/2024", "once", "2024-07-01 2024-12-31", "2024-06-30 2024-12-31", NULL},
    {"Quý I, II, III, IV và đột xuất", "once+adhoc", QUARTER_ENDS_DUE, QUARTER_ENDS_NOMINAL, "A"},
    {"Tháng 6-9", "window", "2024-09-30", NULL, NULL},
    {"Trong năm", "once", "2024-12-31", NULL, NULL},
    {"Trong năm 2024", "once", "2024-12-31", NULL, NULL},
    {"Năm 2024", "once", "2024-12-31", NULL, NULL},
    {"Hàng tháng", "recurring", MONTH_ENDS_DUE, MONTH_ENDS_NOMINAL, NULL},
    {"Định kỳ hàng tháng", "recurring", MONTH_ENDS_DUE, MONTH_ENDS_NOMINAL, NULL},
    {"Tổng hợp hàng tháng", "recurring", MONTH_ENDS_DUE, MONTH_ENDS_NOMINAL, NULL},
    {"Mùng 5 hàng tháng", "recurring",
     "2024-01-05 2024-02-05 2024-03-05 2024-04-05 2024-05-06 2024-06-05 2024-07-05 2024-08-05 "
     "2024-09-05 2024-10-07 2024-11-05 2024-12-05",
     "2024-01-05 2024-02-05 2024-03-05 2024-04-05 2024-05-05 2024-06-05 2024-07-05 2024-08-05 "
     "2024-09-05 2024-10-05 2024-11-05 2024-12-05",
     NULL},
    {"Định kỳ trước ngày 08 hàng tháng", "recurring",
     "2024-01-08 2024-02-07 2024-03-07 2024-04-08 2024-05-07 2024-06-07 2024-07-08 2024-08-07 "
     "2024-09-09 2024-10-07 2024-11-07 2024-12-09",
     "2024-01-07 2024-02-07 2024-03-07 2024-04-07 2024-05-07 2024-06-07 2024-07-07 2024-08-07 "
     "2024-09-07 2024-10-07 2024-11-07 2024-12-07",
     NULL},
    {"trước ngày 05 tháng cuối quý", "recurring", "2024-03-04 2024-06-04 2024-09-04 2024-12-04",
     NULL, NULL},
    {"trước mùng 10 tháng cuối quý", "recurring", "2024-03-11 2024-06-10 2024-09-09 2024-12-09",
     "2024-03-09 2024-06-09 2024-09-09 2024-12-09", NULL},
    {"ít nhất 6 tháng/lần", "recurring", HALF_ENDS_DUE, HALF_ENDS_NOMINAL, NULL},
    {"ít nhất 2 lần/năm", "recurring", HALF_ENDS_DUE, HALF_ENDS_NOMINAL, NULL},
    {"ít nhất 01 lần/quý", "recurring", QUARTER_ENDS_DUE, QUARTER_ENDS_NOMINAL, NULL},
    {"trước ngày 01/3/2024", "once", "2024-02-29", NULL, NULL},
    {"trước ngày 10 tháng 6 năm 2024", "once", "2024-06-10", "2024-06-09", NULL},
    {"Thường xuyên", "continuous", "", NULL, "C"},
    {"Thường xuyên trong năm", "continuous", "", NULL, "C"},
    {"Thường xuyên (nếu có)", "continuous", "", NULL, "C"},
    {"Thường xuyên; Theo quý.", "recurring", QUARTER_ENDS_DUE, QUARTER_ENDS_NOMINAL, NULL},
    {"Thường xuyên theo từng quý", "recurring", QUARTER_ENDS_DUE, QUARTER_ENDS_NOMINAL, NULL},
    {"Năm 2024 và duy trì Thường xuyên", "once+continuous", "2024-12-31", NULL, "C"},
    {"Thường xuyên, Tổng hợp kết quả vào tháng 6/2024", "continuous+once", "2024-07-01",
     "2024-06-30", "C"},
    {"Sau khi Sở Nội vụ triển khai (dự kiến tháng 10 năm 2024)", "event", "", NULL, "E"},
    {"Ngay sau khi có Quyết định công bố TTHC", "event", "", NULL, "E"},
    {"Khi được quận tổ chức", "event", "", NULL, "E"},
};

Test(deadline, design_table)
{
    for (size_t k = 0; k < sizeof design_table / sizeof design_table[0]; k++)
        check_expect(&design_table[k], 2024);
}

/* The deadline cells of the seed plans (002: Phụ lục I and II) and the
 * deadlines in their body text (000, 001, 002), plan year 2024. */
static const expect_t seed_phrases[] = {
    /* 002, Phụ lục I, "Thời gian hoàn thành" */
    {"Tổng hợp hàng tháng", "recurring", MONTH_ENDS_DUE, MONTH_ENDS_NOMINAL, NULL},
    {"Tháng 9/2024", "once", "2024-09-30", NULL, NULL},
    {"Quý II, Quý IV/2024", "once", "2024-07-01 2024-12-31", "2024-06-30 2024-12-31", NULL},
    {"Thường xuyên", "continuous", "", NULL, "C"},
    {"Quý I, II, III, IV và đột xuất", "once+adhoc", QUARTER_ENDS_DUE, QUARTER_ENDS_NOMINAL, "A"},
    {"Thường xuyên, Tổng hợp kết quả vào tháng 6/2024, thường xuyên", "continuous+once+continuous",
     "2024-07-01", "2024-06-30", "C"},
    {"Tháng 10/2024", "once", "2024-10-31", NULL, NULL},
    {"Thường xuyên; Theo quý.", "recurring", QUARTER_ENDS_DUE, QUARTER_ENDS_NOMINAL, NULL},
    {"Hàng tháng", "recurring", MONTH_ENDS_DUE, MONTH_ENDS_NOMINAL, NULL},
    {"Thường xuyên theo Giấy mời của quận", "continuous+adhoc", "", NULL, "CA"},
    /* 002, Phụ lục II */
    {"Năm 2024 và duy trì Thường xuyên", "once+continuous", "2024-12-31", NULL, "C"},
    {"Năm 2024 và Thường xuyên", "once+continuous", "2024-12-31", NULL, "C"},
    {"Ngay sau khi có Quyết định công bố TTHC của Thành phố", "event", "", NULL, "E"},
    {"Thường xuyên.", "continuous", "", NULL, "C"},
    {"Khi được quận tổ chức", "event", "", NULL, "E"},
    {"Thường xuyên theo từng quý", "recurring", QUARTER_ENDS_DUE, QUARTER_ENDS_NOMINAL, NULL},
    {"Mùng 5 hàng tháng, Hàng quý, lồng ghép trong báo cáo CCHC", "recurring+recurring",
     "2024-01-05 2024-02-05 2024-03-05 2024-04-01 2024-04-05 2024-05-06 2024-06-05 2024-07-01 "
     "2024-07-05 2024-08-05 2024-09-05 2024-09-30 2024-10-07 2024-11-05 2024-12-05 2024-12-31",
     "2024-01-05 2024-02-05 2024-03-05 2024-03-31 2024-04-05 2024-05-05 2024-06-05 2024-06-30 "
     "2024-07-05 2024-08-05 2024-09-05 2024-09-30 2024-10-05 2024-11-05 2024-12-05 2024-12-31",
     NULL},
    {"Thường xuyên (nếu có)", "continuous", "", NULL, "C"},
    {"Thường Xuyên", "continuous", "", NULL, "C"},
    /* body text */
    {"trước ngày 01/3/2024", "once", "2024-02-29", NULL, NULL},
    {"trước tháng 9/2024", "once", "2024-09-04", "2024-08-31", NULL},
    {"ít nhất 6 tháng/lần", "recurring", HALF_ENDS_DUE, HALF_ENDS_NOMINAL, NULL},
    {"định kỳ ít nhất 6 tháng/lần", "recurring", HALF_ENDS_DUE, HALF_ENDS_NOMINAL, NULL},
    {"ít nhất 2 lần/năm", "recurring", HALF_ENDS_DUE, HALF_ENDS_NOMINAL, NULL},
    {"ít nhất 01 lần trong năm", "recurring", "2024-12-31", NULL, NULL},
    {"trước ngày 05 tháng cuối quý", "recurring", "2024-03-04 2024-06-04 2024-09-04 2024-12-04",
     NULL, NULL},
    {"trước mùng 10 tháng cuối quý (hoặc khi có Văn bản yêu cầu của quận)", "recurring+adhoc",
     "2024-03-11 2024-06-10 2024-09-09 2024-12-09", "2024-03-09 2024-06-09 2024-09-09 2024-12-09",
     "A"},
    {"theo định kỳ hằng tháng, quý, năm", "recurring+recurring+recurring", MONTH_ENDS_DUE,
     MONTH_ENDS_NOMINAL, NULL},
    {"định kỳ hàng quý", "recurring", QUARTER_ENDS_DUE, QUARTER_ENDS_NOMINAL, NULL},
    {"hàng tháng, hàng quý", "recurring+recurring", MONTH_ENDS_DUE, MONTH_ENDS_NOMINAL, NULL},
    {"Quý 1, 6 tháng, 9 tháng và báo cáo năm", "once", QUARTER_ENDS_DUE, QUARTER_ENDS_NOMINAL,
     NULL},
    {"khi Thành phố triển khai đến cấp xã", "event", "", NULL, "E"},
    {"sau khi có hướng dẫn", "event", "", NULL, "E"},
};

Test(deadline, seed_phrases)
{
    for (size_t k = 0; k < sizeof seed_phrases / sizeof seed_phrases[0]; k++)
        check_expect(&seed_phrases[k], 2024);
}

/* The brief's other phrases: parts of months and years, halves, periods. */
static const expect_t more_phrases[] = {
    {"6 tháng đầu năm", "once", "2024-07-01", "2024-06-30", NULL},
    {"6 tháng cuối năm", "once", "2024-12-31", NULL, NULL},
    {"9 tháng đầu năm 2024", "once", "2024-09-30", NULL, NULL},
    {"nửa đầu năm 2024", "once", "2024-07-01", "2024-06-30", NULL},
    {"đầu tháng 6", "once", "2024-06-10", NULL, NULL},
    {"giữa tháng 6/2024", "once", "2024-06-17", "2024-06-15", NULL},
    {"cuối tháng 6", "once", "2024-07-01", "2024-06-30", NULL},
    {"đầu năm", "once", "2024-04-01", "2024-03-31", NULL},
    {"giữa năm", "once", "2024-07-01", "2024-06-30", NULL},
    {"cuối năm", "once", "2024-12-31", NULL, NULL},
    {"đầu quý IV", "once", "2024-10-31", NULL, NULL},
    {"giữa quý II", "once", "2024-05-15", NULL, NULL},
    {"cuối quý III/2024", "once", "2024-09-30", NULL, NULL},
    {"trong 10 ngày làm việc kể từ ngày 05/02/2024", "once", "2024-02-26", NULL, NULL},
    {"trong 05 ngày kể từ khi nhận được", "event", "", NULL, "E"},
    {"trong vòng 15 ngày kể từ ngày 01/7/2024", "once", "2024-07-16", NULL, NULL},
    {"trong 2 tuần kể từ ngày 01/02/2024", "once", "2024-02-15", NULL, NULL},
    {"từ tháng 6 đến tháng 9/2024", "window", "2024-09-30", NULL, NULL},
    {"Từ ngày 01/6/2024 đến ngày 30/9/2024", "window", "2024-09-30", NULL, NULL},
    {"Quý II-III/2024", "window", "2024-09-30", NULL, NULL},
    {"Tháng 6, 9/2024", "once", "2024-07-01 2024-09-30", "2024-06-30 2024-09-30", NULL},
    {"Trong tháng 6 và tháng 9/2024", "once", "2024-07-01 2024-09-30", "2024-06-30 2024-09-30",
     NULL},
    {"chậm nhất ngày 15/7/2024", "once", "2024-07-15", NULL, NULL},
    {"Hoàn thành trước ngày 30/6/2024", "once", "2024-07-01", "2024-06-29", NULL},
    {"Trước 30/6", "once", "2024-07-01", "2024-06-29", NULL},
    {"ngày 15/12 hàng năm", "recurring", "2024-12-16", "2024-12-15", NULL},
    {"Hằng năm vào ngày 15/12", "recurring", "2024-12-16", "2024-12-15", NULL},
    {"Hàng năm", "recurring", "2024-12-31", NULL, NULL},
    {"Hàng quý, trước ngày 05 tháng cuối quý", "recurring",
     "2024-03-04 2024-06-04 2024-09-04 2024-12-04", NULL, NULL},
    {"Hàng tháng, trước ngày 08", "recurring",
     "2024-01-08 2024-02-07 2024-03-07 2024-04-08 2024-05-07 2024-06-07 2024-07-08 2024-08-07 "
     "2024-09-09 2024-10-07 2024-11-07 2024-12-09",
     "2024-01-07 2024-02-07 2024-03-07 2024-04-07 2024-05-07 2024-06-07 2024-07-07 2024-08-07 "
     "2024-09-07 2024-10-07 2024-11-07 2024-12-07",
     NULL},
    {"cuối mỗi quý", "recurring", QUARTER_ENDS_DUE, QUARTER_ENDS_NOMINAL, NULL},
    {"mỗi quý 01 lần", "recurring", QUARTER_ENDS_DUE, QUARTER_ENDS_NOMINAL, NULL},
    {"06 tháng 01 lần", "recurring", HALF_ENDS_DUE, HALF_ENDS_NOMINAL, NULL},
    {"Định kỳ 6 tháng", "recurring", HALF_ENDS_DUE, HALF_ENDS_NOMINAL, NULL},
    {"ít nhất 3 lần/năm", "recurring", "2024-05-02 2024-09-04 2024-12-31",
     "2024-04-30 2024-08-31 2024-12-31", NULL},
    {"Theo yêu cầu", "adhoc", "", NULL, "A"},
    {"Đột xuất", "adhoc", "", NULL, "A"},
    {"Thường xuyên, hàng tháng", "recurring", MONTH_ENDS_DUE, MONTH_ENDS_NOMINAL, NULL},
    {"Hàng ngày", "continuous", "", NULL, "C"},
    {"Dự kiến tháng 10/2024", "once", "2024-10-31", NULL, NULL},
    {"Năm 2024-2025", "window", "2025-12-31", NULL, NULL},
    {"tháng 6 hàng năm", "recurring", "2024-07-01", "2024-06-30", NULL},
    {"Trước 20/12 hằng năm", "recurring", "2024-12-19", NULL, NULL},
    {"quý I hằng năm", "recurring", "2024-04-01", "2024-03-31", NULL},
    {"Quý 1, 2/2024", "once", "2024-04-01 2024-07-01", "2024-03-31 2024-06-30", NULL},
    {"Tháng 3 - 6/2024", "window", "2024-07-01", "2024-06-30", NULL},
    {"Sau 05 ngày làm việc kể từ ngày 10/5/2024", "once", "2024-05-17", NULL, NULL},
    {"ngày 20 tháng đầu quý sau", "recurring", "2024-04-22 2024-07-22 2024-10-21 2025-01-20",
     "2024-04-20 2024-07-20 2024-10-20 2025-01-20", NULL},
    {"Hàng tháng (vào cuối tháng)", "recurring", MONTH_ENDS_DUE, MONTH_ENDS_NOMINAL, NULL},
};

Test(deadline, more_phrases)
{
    for (size_t k = 0; k < sizeof more_phrases / sizeof more_phrases[0]; k++)
        check_expect(&more_phrases[k], 2024);
}

Test(deadline, event_details)
{
    deadline_t *d = parse("Sau khi Sở Nội vụ triển khai (dự kiến tháng 10 năm 2024)", 2024);
    cr_expect_str_eq(d->event_text, "Sở Nội vụ triển khai");
    cr_expect_eq(d->expected_nominal, date_from_ymd(2024, 10, 31));
    cr_expect_eq(d->expected, date_from_ymd(2024, 10, 31)); /* a Thursday */
    deadline_destroy(&d);

    d = parse("Sau khi có hướng dẫn (dự kiến quý II)", 2024);
    cr_expect_eq(d->expected_nominal, date_from_ymd(2024, 6, 30));
    cr_expect_eq(d->expected, date_from_ymd(2024, 7, 1));
    deadline_destroy(&d);

    d = parse("trong 05 ngày kể từ khi nhận được", 2024);
    cr_expect_str_eq(d->event_text, "nhận được");
    cr_expect_eq(d->period_days, 5);
    cr_expect(!d->period_workdays);
    cr_expect_eq(d->expected, DATE_INVALID);
    deadline_destroy(&d);

    d = parse("trong thời hạn 05 ngày làm việc kể từ ngày nhận được hồ sơ", 2024);
    cr_expect_str_eq(d->event_text, "ngày nhận được hồ sơ");
    cr_expect_eq(d->period_days, 5);
    cr_expect(d->period_workdays);
    deadline_destroy(&d);

    d = parse("Ngay sau khi có Quyết định công bố TTHC", 2024);
    cr_expect_str_eq(d->event_text, "có Quyết định công bố TTHC");
    cr_expect_eq(d->expected, DATE_INVALID);
    deadline_destroy(&d);
}

Test(deadline, window_and_recurrence_details)
{
    deadline_t *d = parse("Tháng 6-9", 2024);
    cr_expect(d->has_window);
    cr_expect_eq(d->window_start, date_from_ymd(2024, 6, 1));
    cr_expect_eq(d->window_end, date_from_ymd(2024, 9, 30));
    deadline_destroy(&d);

    d = parse("trước ngày 05 tháng cuối quý", 2024);
    cr_assert_eq(d->nrecurrences, 1);
    cr_expect_eq(d->recurrences[0].months, 3);
    cr_expect_eq(d->recurrences[0].month, 3);
    cr_expect_eq(d->recurrences[0].day, 5);
    cr_expect(d->recurrences[0].before);
    cr_expect_str_eq(deadline_recurrence_name(&d->recurrences[0]), "quarterly");
    deadline_destroy(&d);

    d = parse("Mùng 5 hàng tháng, Hàng quý, lồng ghép trong báo cáo CCHC", 2024);
    cr_assert_eq(d->nrecurrences, 2);
    cr_expect_eq(d->recurrences[0].months, 1);
    cr_expect_eq(d->recurrences[0].day, 5);
    cr_expect_eq(d->recurrences[1].months, 3);
    cr_expect_eq(d->recurrences[1].day, 0);
    deadline_destroy(&d);

    /* a named year overrides the plan year */
    d = parse("hàng quý năm 2025", 2024);
    cr_expect_eq(d->recurrences[0].year, 2025);
    cr_expect_eq(d->due[0].nominal, date_from_ymd(2025, 3, 31));
    deadline_destroy(&d);

    /* before the first of the month: the last day of the one before */
    d = parse("trước ngày 01 hàng tháng", 2024);
    cr_expect_eq(d->due[0].nominal, date_from_ymd(2023, 12, 31));
    deadline_destroy(&d);

    /* a day past the month's end is its last day */
    d = parse("ngày 31 hàng tháng", 2024);
    cr_expect_eq(d->due[1].nominal, date_from_ymd(2024, 2, 29));
    cr_expect_eq(d->due[3].nominal, date_from_ymd(2024, 4, 30));
    deadline_destroy(&d);

    /* weekly: each Sunday of the year, moved to Monday (or later) */
    d = parse("Hàng tuần", 2024);
    cr_expect_eq(d->ndue, 52);
    cr_expect_eq(d->due[0].nominal, date_from_ymd(2024, 1, 7));
    cr_expect_eq(d->due[0].effective, date_from_ymd(2024, 1, 8));
    cr_expect_eq(d->due[5].effective, date_from_ymd(2024, 2, 15)); /* 11/2: Tết */
    deadline_destroy(&d);
}

/* Variants must read exactly like the reference phrase. */
static void expect_same(const char *reference, const char *variant)
{
    deadline_t *a = parse(reference, 2024), *b = parse(variant, 2024);
    char da[4096], db[4096];
    cr_expect(!b->unparsed, "\"%s\" unparsed: %s", variant, b->reason ? b->reason : "");
    cr_expect_eq(a->kind, b->kind, "kind of \"%s\"", variant);
    cr_expect_str_eq(dates(b, false, db, sizeof db), dates(a, false, da, sizeof da),
                     "due of \"%s\"", variant);
    cr_expect_str_eq(dates(b, true, db, sizeof db), dates(a, true, da, sizeof da),
                     "nominal of \"%s\"", variant);
    cr_expect_eq(a->continuous, b->continuous, "continuous of \"%s\"", variant);
    cr_expect_eq(a->adhoc, b->adhoc, "adhoc of \"%s\"", variant);
    deadline_destroy(&a);
    deadline_destroy(&b);
}

Test(deadline, variants)
{
    static const char *const quarter[] = {
        "Quý 2",
        "Quý II",
        "quy ii/2024",
        "QUÝ II NĂM 2024",
        "Quý 02/2024",
        "quý hai",
        "Quí II",
        "Qúy II",
        "Quý II /2024.",
        "- Quý II/2024;",
        "  Quý   II/2024 ",
        "Quý II\u20132024",
        "\u201cQuý II/2024\u201d",
        "*Quý II/2024*",
        "Quy\u0301 II/2024", /* NFD: y + combining acute */
        "quý 2 năm 2024",
        "Quý II - 2024",
        "Quý\u00a0II/2024",
        "QUY 2",
    };
    for (size_t k = 0; k < sizeof quarter / sizeof quarter[0]; k++)
        expect_same("Quý II/2024", quarter[k]);
    static const char *const month[] = {"tháng 02",     "Tháng 2/2024",  "tháng 2 năm 2024",
                                        "THANG 2/2024", "tháng 02-2024", "Trong tháng 2"};
    for (size_t k = 0; k < sizeof month / sizeof month[0]; k++)
        expect_same("Tháng 2/2024", month[k]);
    expect_same("Hàng tháng", "Hằng tháng");
    expect_same("Hàng tháng", "hang thang");
    expect_same("Hàng tháng", "HÀNG THÁNG");
    expect_same("Hàng quý", "hằng quý");
    expect_same("Hàng quý", "Theo quý");
    expect_same("Hàng quý", "mỗi quý");
    expect_same("Mùng 5 hàng tháng", "mồng 5 hằng tháng");
    expect_same("Mùng 5 hàng tháng", "ngày 05 hàng tháng");
    expect_same("Mùng 5 hàng tháng", "hàng tháng vào ngày 5");
    expect_same("Thường xuyên", "thuong xuyen");
    expect_same("Thường xuyên", "THƯỜNG XUYÊN");
    expect_same("Thường xuyên", "Thường xuyên .");
    expect_same("ít nhất 2 lần/năm", "Ít nhất 02 lần / năm");
    expect_same("ít nhất 2 lần/năm", "tối thiểu 2 lần trong năm");
    expect_same("ít nhất 2 lần/năm", "mỗi năm 2 lần");
    expect_same("trước ngày 01/3/2024", "Trước ngày 01-03-2024");
    expect_same("trước ngày 01/3/2024", "truoc ngay 1.3.2024");
    expect_same("trước ngày 01/3/2024", "trước ngày 01 tháng 3 năm 2024");
    expect_same("trước ngày 10 tháng 6 năm 2024", "trước ngày 10/6/2024");
    /* tone placement: hoàn/hòan, hoá/hóa */
    expect_same("Hoàn thành trong tháng 6", "Hòan thành trong tháng 6");
    expect_same("Sau khi số hoá xong", "Sau khi số hóa xong");
    expect_same("Trong năm", "trong nam 2024");
    expect_same("6 tháng đầu năm", "06 tháng đầu năm 2024");
    expect_same("6 tháng đầu năm", "Trong 6 tháng đầu năm");
    expect_same("6 tháng đầu năm", "trong nửa đầu năm");
}

/* Civil Code 2015, Điều 146-148, as DESIGN.md states them. */
Test(deadline, civil_code)
{
    static const expect_t rules[] = {
        /* the end of a month is its last day */
        {"tháng 2/2023", "once", "2023-02-28", NULL, NULL},
        {"tháng 2/2024", "once", "2024-02-29", NULL, NULL},
        /* mid-month is the 15th; mid-year 30/6; year end 31/12 */
        {"giữa tháng 5/2024", "once", "2024-05-15", NULL, NULL},
        {"giữa năm 2025", "once", "2025-06-30", NULL, NULL},
        /* 31/12/2023 is a Sunday and 1/1/2024 a holiday */
        {"cuối năm 2023", "once", "2024-01-02", "2023-12-31", NULL},
        /* "trước ngày D" is the end of D-1 */
        {"trước ngày 01/01/2025", "once", "2024-12-31", NULL, NULL},
        {"trước ngày 05/5/2024", "once", "2024-05-04", NULL, NULL}, /* a worked Saturday */
        /* a period in days does not count its first day */
        {"trong 1 ngày kể từ ngày 01/7/2024", "once", "2024-07-02", NULL, NULL},
        /* a day off moves the end to the next working day: Tết, 30/4, 2/9 */
        {"ngày 10/02/2024", "once", "2024-02-15", "2024-02-10", NULL},
        {"ngày 30/04/2024", "once", "2024-05-02", "2024-04-30", NULL},
        {"ngày 02/09/2024", "once", "2024-09-04", "2024-09-02", NULL},
        {"ngày 04/05/2024", "once", "2024-05-04", NULL, NULL},
        /* working days skip days off and count the worked Saturday */
        {"trong 3 ngày làm việc kể từ ngày 26/04/2024", "once", "2024-05-04", NULL, NULL},
        /* months: the same day, or the month's last day if it has none */
        {"trong 1 tháng kể từ ngày 31/01/2024", "once", "2024-02-29", NULL, NULL},
        {"trong 3 tháng kể từ ngày 31/1/2024", "once", "2024-05-02", "2024-04-30", NULL},
    };
    for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++)
        check_expect(&rules[k], 2024);
}

/* The plan year fills in a missing year; a named year wins. */
Test(deadline, plan_year)
{
    static const expect_t y2025[] = {
        {"Quý II", "once", "2025-06-30", NULL, NULL},
        {"Tháng 6", "once", "2025-06-30", NULL, NULL},
        {"Trong năm", "once", "2025-12-31", NULL, NULL},
        {"Quý II/2024", "once", "2024-07-01", "2024-06-30", NULL},
        {"ít nhất 2 lần/năm", "recurring", "2025-06-30 2025-12-31", NULL, NULL},
    };
    for (size_t k = 0; k < sizeof y2025 / sizeof y2025[0]; k++)
        check_expect(&y2025[k], 2025);
}

static void expect_unparsed(const char *text, size_t len, const char *reason_part)
{
    char err[256] = "";
    deadline_t *d = deadline_parse_bytes(text, len, 2024, cal, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    cr_expect(d->unparsed, "\"%.60s\" should be unparsed", text);
    cr_expect_eq(d->kind, DEADLINE_UNPARSED);
    cr_expect_eq(d->ndue, 0);
    cr_expect_eq(d->nparts, 0);
    cr_expect_eq(d->nrecurrences, 0);
    cr_expect_null(d->event_text);
    cr_expect_not_null(d->reason);
    cr_expect(memcmp(d->text, text, len) == 0 && d->text[len] == '\0', "text kept verbatim");
    if (reason_part && d->reason)
        cr_expect(strstr(d->reason, reason_part) != NULL, "reason for \"%.60s\": %s", text,
                  d->reason);
    deadline_destroy(&d);
}

Test(deadline, unparsed)
{
    static const struct {
        const char *text, *reason;
    } cases[] = {
        {"Quý V", "no quarter \"Quý V\""},
        {"Quý V/2024", "no quarter"},
        {"Quý 5", "no quarter"},
        {"Quý I, V", "no quarter"},
        {"tháng 13", "no month 13"},
        {"tháng 0/2024", "no month"},
        {"ngày 31/02", "31/02/2024 is not a date"},
        {"ngày 30/02/2024", "not a date"},
        {"trước ngày 0/3/2024", "no day 0"},
        {"Mùng 40 hàng tháng", "no day 40"},
        {"năm 3000", "outside"},
        {"Quý II/1899", "outside"},
        {"ít nhất 5 lần/năm", "whole number"},
        {"7 tháng/lần", "divide"},
        {"hàng quý vào ngày 20", "which month"},
        {"Theo kế hoạch", "not understood"},
        {"Quý III/2024 (tùy tình hình)", "tùy tình hình"},
        {"cuối tháng", "not understood"},
        {"đầu tháng", "not understood"},
        {"Quý II hoặc Quý III", "not understood"},
        {"Thực hiện", "no deadline"},
        {"", "no deadline"},
        {"   ", "no deadline"},
        {"- ; ,", "no deadline"},
        {"Kiểm tra đột xuất hàng quý", "not understood"},
        {"Bổ trí ít nhất 1 ngày/ tuần", "not understood"},
        {"từ tháng 6", "not understood"},
        {"Tháng 9 - tháng 6", "ends before"},
        {"Quý II 😀", "not understood"},
        {"trong 10 ngày", "not understood"},
        {"Khi", "not understood"},
        {"Quý II/2024 Quý III/2024", "without a separator"},
        {"Mùng 5 hàng tháng hàng quý", "without a separator"},
        {"trong 99999 ngày kể từ ngày 01/01/2024", "out of range"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        expect_unparsed(cases[k].text, strlen(cases[k].text), cases[k].reason);
}

Test(deadline, garbage)
{
    /* invalid UTF-8, a NUL inside, a lone continuation byte */
    expect_unparsed("Qu\xc3 II/2024", 11, "UTF-8");
    expect_unparsed("Qu\xc3\xbd II\0/2024", 13, "UTF-8");
    expect_unparsed("\x80", 1, "UTF-8");
    expect_unparsed("\xed\xa0\x80", 3, "UTF-8"); /* a surrogate */
    /* a megabyte */
    size_t big = 1u << 20;
    char *s = malloc(big + 1);
    cr_assert_not_null(s);
    for (size_t k = 0; k < big; k++)
        s[k] = "Quý II, "[k % 9] ? "Quý II, "[k % 9] : ' ';
    s[big] = '\0';
    expect_unparsed(s, strlen(s), "at most");
    /* the longest phrase read, made of many parts: refused, not slow */
    memset(s, 0, big);
    size_t w = 0;
    while (w + 10 < DEADLINE_MAX_TEXT)
        w += (size_t)snprintf(s + w, big - w, "Quý II, ");
    deadline_t *d = parse(s, 2024);
    cr_expect(d->unparsed || d->ndue <= DEADLINE_MAX_DUE);
    deadline_destroy(&d);
    /* random bytes: unparsed or parsed, never a crash, always the rules */
    unsigned seed = 12345;
    for (int round = 0; round < 3000; round++) {
        size_t n = (size_t)(rand_r(&seed) % 64);
        for (size_t k = 0; k < n; k++) {
            int r = rand_r(&seed) % 4;
            s[k] = r == 0   ? (char)(rand_r(&seed) % 256)
                   : r == 1 ? "0123456789/-., ()"[rand_r(&seed) % 17]
                            : "quy thang nam ii iv hang truoc ngay "[rand_r(&seed) % 36];
        }
        char err[128];
        d = deadline_parse_bytes(s, n, 2024, cal, err, sizeof err);
        cr_assert_not_null(d, "%s", err);
        for (size_t k = 0; k < d->ndue; k++)
            cr_assert(workcal_is_workday(cal, d->due[k].effective));
        deadline_destroy(&d);
    }
    free(s);
}

Test(deadline, bad_arguments)
{
    char err[128] = "";
    cr_expect_null(deadline_parse(NULL, 2024, cal, err, sizeof err));
    cr_expect(strlen(err) > 0);
    cr_expect_null(deadline_parse("Quý II", 2024, NULL, err, sizeof err));
    cr_expect_null(deadline_parse("Quý II", 1800, cal, err, sizeof err));
    cr_expect(strstr(err, "1800") != NULL, "%s", err);
    deadline_t *d = deadline_parse("Quý II", 2024, cal, NULL, 0); /* no errbuf: fine */
    cr_expect_not_null(d);
    deadline_destroy(&d);
    cr_expect_null(deadline_parse(NULL, 2024, cal, NULL, 0));
    deadline_destroy(NULL);
    deadline_t *none = NULL;
    deadline_destroy(&none);
}

/* The invariants every schedule keeps (the fuzzer checks the same). */
static void expect_invariants(const deadline_t *d, const char *what)
{
    if (d->unparsed) {
        cr_expect(d->ndue == 0 && d->nparts == 0 && d->reason, "unparsed %s", what);
        return;
    }
    cr_expect(d->nparts > 0 && d->kind == d->parts[0], "parts of %s", what);
    for (size_t k = 0; k < d->ndue; k++) {
        const deadline_due_t *x = &d->due[k];
        cr_expect(workcal_is_workday(cal, x->effective), "a day off due for %s", what);
        cr_expect_eq(x->effective, workcal_next_workday(cal, x->nominal), "moved for %s", what);
        if (k > 0) {
            cr_expect(d->due[k - 1].effective <= x->effective, "order of %s", what);
            cr_expect_neq(d->due[k - 1].nominal, x->nominal, "repeated date in %s", what);
        }
    }
    if (d->expected != DATE_INVALID)
        cr_expect(workcal_is_workday(cal, d->expected), "expected date of %s", what);
}

Test(deadline, never_a_day_off)
{
    const expect_t *tables[] = {design_table, seed_phrases, more_phrases};
    size_t sizes[] = {sizeof design_table / sizeof design_table[0],
                      sizeof seed_phrases / sizeof seed_phrases[0],
                      sizeof more_phrases / sizeof more_phrases[0]};
    static const char *const extra[] = {
        "Hàng tuần",
        "ngày 31 hàng tháng",
        "trước ngày 01 hàng tháng",
        "giữa mỗi tháng",
        "đầu mỗi quý",
        "giữa mỗi năm",
        "trước ngày 20 tháng đầu quý sau",
        "mùng 1 hàng tháng",
        "ngày 1/1",
        "ngày 2/9",
        "cuối năm",
        "Quý I",
        "trong 20 ngày làm việc kể từ ngày 01/02",
    };
    size_t checked = 0, dues = 0;
    for (int year = 2023; year <= 2026; year++) {
        for (size_t t = 0; t < 3; t++) {
            for (size_t k = 0; k < sizes[t]; k++) {
                deadline_t *d = parse(tables[t][k].text, year);
                expect_invariants(d, tables[t][k].text);
                cr_expect(!d->unparsed, "\"%s\" unparsed for %d", tables[t][k].text, year);
                dues += d->ndue;
                checked++;
                deadline_destroy(&d);
            }
        }
        for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++) {
            deadline_t *d = parse(extra[k], year);
            cr_expect(!d->unparsed, "\"%s\" unparsed: %s", extra[k], d->reason ? d->reason : "");
            expect_invariants(d, extra[k]);
            dues += d->ndue;
            checked++;
            deadline_destroy(&d);
        }
    }
    cr_expect_gt(dues, 1000, "%zu due dates over %zu phrases", dues, checked);
}

Test(deadline, labels)
{
    char buf[96];
    deadline_t *d = parse("Quý II/2024", 2024);
    cr_expect_str_eq(deadline_due_label(d, &d->due[0], buf, sizeof buf), "quý II/2024");
    deadline_destroy(&d);
    d = parse("trước ngày 01/3/2024", 2024);
    cr_expect_str_eq(deadline_due_label(d, &d->due[0], buf, sizeof buf), "trước ngày 01/03/2024");
    deadline_destroy(&d);
    d = parse("Mùng 5 hàng tháng", 2024);
    cr_expect_str_eq(deadline_due_label(d, &d->due[4], buf, sizeof buf), "kỳ tháng 5/2024");
    deadline_destroy(&d);
    d = parse("6 tháng đầu năm", 2024);
    cr_expect_str_eq(deadline_due_label(d, &d->due[0], buf, sizeof buf), "6 tháng đầu năm 2024");
    deadline_destroy(&d);
}

Test(deadline, json)
{
    deadline_t *d = parse("Quý II, Quý IV/2024 và đột xuất", 2024);
    json_t *j = deadline_to_json(d);
    cr_assert_not_null(j);
    cr_expect_str_eq(json_string_value(json_object_get(j, "text")),
                     "Quý II, Quý IV/2024 và đột xuất");
    cr_expect_str_eq(json_string_value(json_object_get(j, "kind")), "once");
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(j, "due"), 0)), "2024-07-01");
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(j, "nominal"), 0)),
                     "2024-06-30");
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(j, "due"), 1)), "2024-12-31");
    cr_expect(json_is_true(json_object_get(j, "adhoc")));
    cr_expect(json_is_false(json_object_get(j, "continuous")));
    cr_expect(json_is_false(json_object_get(j, "event")));
    cr_expect(json_is_null(json_object_get(j, "expected")));
    cr_expect(json_is_null(json_object_get(j, "window")));
    cr_expect(json_is_null(json_object_get(j, "recurrence")));
    cr_expect(json_is_false(json_object_get(j, "unparsed")));
    json_decref(j);
    deadline_destroy(&d);

    d = parse("trước ngày 05 tháng cuối quý", 2024);
    j = deadline_to_json(d);
    json_t *r = json_object_get(j, "recurrence");
    cr_expect_str_eq(json_string_value(json_object_get(r, "freq")), "quarterly");
    cr_expect_eq(json_integer_value(json_object_get(r, "month_of_period")), 3);
    cr_expect_eq(json_integer_value(json_object_get(r, "day")), 5);
    cr_expect(json_is_true(json_object_get(r, "before")));
    json_decref(j);
    deadline_destroy(&d);

    d = parse("Tháng 6-9", 2024);
    j = deadline_to_json(d);
    json_t *w = json_object_get(j, "window");
    cr_expect_str_eq(json_string_value(json_object_get(w, "start")), "2024-06-01");
    cr_expect_str_eq(json_string_value(json_object_get(w, "end")), "2024-09-30");
    json_decref(j);
    deadline_destroy(&d);

    d = parse("Sau khi Sở Nội vụ triển khai (dự kiến tháng 10 năm 2024)", 2024);
    j = deadline_to_json(d);
    cr_expect_str_eq(json_string_value(json_object_get(j, "expected")), "2024-10-31");
    cr_expect(json_is_true(json_object_get(j, "event")));
    json_decref(j);
    deadline_destroy(&d);

    /* invalid UTF-8 is kept in the schedule and shown as U+FFFD in JSON */
    char err[64];
    d = deadline_parse_bytes("Qu\xff II", 6, 2024, cal, err, sizeof err);
    cr_assert_not_null(d);
    j = deadline_to_json(d);
    cr_expect_str_eq(json_string_value(json_object_get(j, "text")), "Qu\xef\xbf\xbd II");
    cr_expect(json_is_true(json_object_get(j, "unparsed")));
    cr_expect(json_is_string(json_object_get(j, "reason")));
    json_decref(j);
    deadline_destroy(&d);
}
