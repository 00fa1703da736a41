/* test_report_window.c - unit tests for services/deadline/report_window.c
 *
 * Seed 000 §III's four windows from the deadline phrases users write, the
 * clipping of a report due before its window closes (seed 002 §VI), months
 * and half years, calendar periods (cut-off day 1), the due dates that name
 * no period, and which titles are reports.
 */
#include "report_window.h"

#include "source_tree.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static workcal_t *cal;

static void setup(void)
{
    char err[512];
    cal = workcal_load(SHIPPED_CALENDAR, err, sizeof err);
    cr_assert_not_null(cal, "%s", err);
}

static void teardown(void)
{
    workcal_destroy(&cal);
}

static deadline_t *parse(const char *phrase)
{
    char err[256];
    deadline_t *d = deadline_parse(phrase, 2024, cal, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    cr_assert_not(d->unparsed, "%s: %s", phrase, d->reason);
    return d;
}

/* The window of due date i of a phrase as "DD/MM/YYYY-DD/MM/YYYY" ("-" if
 * none), with "!" when clipped. */
static const char *window_text(const deadline_t *d, size_t i, int cutoff)
{
    static char out[64];
    report_window_t w;
    cr_assert_lt(i, d->ndue);
    if (!report_window(d, &d->due[i], cutoff, &w))
        return "-";
    char a[11], b[11];
    date_format_vn(w.from, a);
    date_format_vn(w.to, b);
    snprintf(out, sizeof out, "%s-%s%s", a, b, w.clipped ? "!" : "");
    return out;
}

TestSuite(report_window, .init = setup, .fini = teardown);

Test(report_window, seed_000_periodic_reports)
{
    deadline_t *d = parse("Quý I, 6 tháng, quý III và năm");
    cr_assert_eq(d->ndue, 4);
    cr_assert_str_eq(window_text(d, 0, REPORT_CUTOFF_DAY), "15/12/2023-14/03/2024");
    cr_assert_str_eq(window_text(d, 1, REPORT_CUTOFF_DAY), "15/12/2023-14/06/2024");
    cr_assert_str_eq(window_text(d, 2, REPORT_CUTOFF_DAY), "15/06/2024-14/09/2024");
    cr_assert_str_eq(window_text(d, 3, REPORT_CUTOFF_DAY), "15/12/2023-14/12/2024");
    deadline_destroy(&d);
}

Test(report_window, nine_months_run_from_the_year_start)
{
    deadline_t *d = parse("9 tháng đầu năm");
    cr_assert_str_eq(window_text(d, 0, REPORT_CUTOFF_DAY), "15/12/2023-14/09/2024");
    deadline_destroy(&d);
    d = parse("6 tháng cuối năm");
    cr_assert_str_eq(window_text(d, 0, REPORT_CUTOFF_DAY), "15/06/2024-14/12/2024");
    deadline_destroy(&d);
}

Test(report_window, recurring_quarterly_report_covers_its_quarter)
{
    deadline_t *d = parse("Hàng quý");
    cr_assert_eq(d->ndue, 4);
    cr_assert_str_eq(window_text(d, 0, REPORT_CUTOFF_DAY), "15/12/2023-14/03/2024");
    cr_assert_str_eq(window_text(d, 3, REPORT_CUTOFF_DAY), "15/09/2024-14/12/2024");
    deadline_destroy(&d);
}

Test(report_window, due_before_the_cut_off_is_clipped)
{
    /* Seed 002 §VI: the sections report before the 5th of the quarter's
     * last month, so their data stop on the 4th (nominal 04/03). */
    deadline_t *d = parse("trước ngày 05 tháng cuối quý");
    cr_assert_str_eq(window_text(d, 0, REPORT_CUTOFF_DAY), "15/12/2023-03/03/2024!");
    cr_assert_str_eq(window_text(d, 2, REPORT_CUTOFF_DAY), "15/06/2024-03/09/2024!");
    deadline_destroy(&d);
}

Test(report_window, monthly_and_calendar_periods)
{
    deadline_t *d = parse("Tháng 6/2024");
    cr_assert_str_eq(window_text(d, 0, REPORT_CUTOFF_DAY), "15/05/2024-14/06/2024");
    /* Calendar periods: a report due on the month's last day cannot hold
     * that day's data. */
    cr_assert_str_eq(window_text(d, 0, 1), "01/06/2024-29/06/2024!");
    deadline_destroy(&d);
    d = parse("Hàng tháng");
    cr_assert_eq(d->ndue, 12);
    cr_assert_str_eq(window_text(d, 0, REPORT_CUTOFF_DAY), "15/12/2023-14/01/2024");
    cr_assert_str_eq(window_text(d, 1, 1), "01/02/2024-28/02/2024!");
    deadline_destroy(&d);
    d = parse("Mùng 5 hàng tháng");
    cr_assert_str_eq(window_text(d, 1, REPORT_CUTOFF_DAY), "15/01/2024-04/02/2024!");
    deadline_destroy(&d);
    d = parse("Quý II/2024");
    cr_assert_str_eq(window_text(d, 0, REPORT_CUTOFF_DAY), "15/03/2024-14/06/2024");
    deadline_destroy(&d);
}

Test(report_window, due_dates_naming_no_period_have_none)
{
    const char *phrases[] = {"trước ngày 01/3/2024", "ngày 10/6/2024", "Hàng tuần",
                             "Đầu quý III/2024", "Từ tháng 3 đến tháng 5/2024"};
    for (size_t i = 0; i < sizeof phrases / sizeof *phrases; i++) {
        deadline_t *d = parse(phrases[i]);
        cr_assert_gt(d->ndue, 0, "%s", phrases[i]);
        cr_assert_str_eq(window_text(d, 0, REPORT_CUTOFF_DAY), "-", "%s", phrases[i]);
        deadline_destroy(&d);
    }
}

Test(report_window, bad_arguments)
{
    deadline_t *d = parse("Quý I/2024");
    report_window_t w;
    cr_assert_not(report_window(d, &d->due[0], 0, &w));
    cr_assert_not(report_window(d, &d->due[0], 29, &w));
    cr_assert_not(report_window(NULL, &d->due[0], 15, &w));
    deadline_destroy(&d);
}

Test(report_window, report_titles)
{
    cr_assert(report_title("Báo cáo CCHC quý I"));
    cr_assert(report_title("BÁO CÁO kết quả SIPAS"));
    cr_assert(report_title("Tự kiểm tra và bao cao công tác Kiểm soát TTHC"));
    cr_assert_not(report_title("Tổ chức đối thoại với cá nhân, tổ chức về TTHC"));
    cr_assert_not(report_title(NULL));
}
