/* test_due_levels.c - unit tests for services/deadline/due_levels.c
 *
 * Instants are checked against hand-written local times around the 2024
 * calendar's hard places (the shipped calendar data):
 * Tết, the 30/4-1/5 holiday with its working Saturday 4/5, and ordinary
 * weeks; the acknowledgement rule; the instant format and parser.
 */
#include "due_levels.h"

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

/* An instant written as local time "YYYY-MM-DDTHH:MM". */
static int64_t local(const char *text)
{
    int64_t t;
    cr_assert_eq(due_parse_instant(text, &t), 0, "%s", text);
    return t;
}

TestSuite(due_levels, .init = setup, .fini = teardown);

Test(due_levels, instants_of_an_ordinary_week)
{
    int64_t at[DUE_LEVELS];
    /* Due Wednesday 31/1/2024. */
    due_level_instants(cal, date_from_ymd(2024, 1, 31), &DUE_POLICY_DEFAULT, at);
    cr_assert_eq(at[DUE_SOON], local("2024-01-24T00:00"));
    cr_assert_eq(at[DUE_DUE], local("2024-01-31T00:00"));
    cr_assert_eq(at[DUE_OVERDUE], local("2024-02-01T00:00"), "24:00 of the due date");
    cr_assert_eq(at[DUE_ESCALATED], local("2024-02-06T00:00"), "1/2, 2/2, 5/2 are the three");
    cr_assert_eq(due_level_at(at, local("2024-01-23T23:59")), DUE_LONG_TERM);
    cr_assert_eq(due_level_at(at, local("2024-01-24T00:00")), DUE_SOON);
    cr_assert_eq(due_level_at(at, local("2024-01-31T23:59")), DUE_DUE);
    cr_assert_eq(due_level_at(at, local("2024-02-05T12:00")), DUE_OVERDUE);
    cr_assert_eq(due_level_at(at, local("2024-02-06T00:00")), DUE_ESCALATED);
    cr_assert_eq(due_workdays_overdue(cal, date_from_ymd(2024, 1, 31), local("2024-02-05T12:00")),
                 2);
}

Test(due_levels, the_working_saturday_counts_and_tet_does_not)
{
    int64_t at[DUE_LEVELS];
    /* Due Thursday 2/5/2024: 3/5 Fri, 4/5 Sat (a working day), 6/5 Mon. */
    due_level_instants(cal, date_from_ymd(2024, 5, 2), &DUE_POLICY_DEFAULT, at);
    cr_assert_eq(at[DUE_ESCALATED], local("2024-05-07T00:00"));
    /* Due Wednesday 7/2/2024: 8/2-14/2 is Tết; 15/2, 16/2, 19/2. */
    due_level_instants(cal, date_from_ymd(2024, 2, 7), &DUE_POLICY_DEFAULT, at);
    cr_assert_eq(at[DUE_ESCALATED], local("2024-02-20T00:00"));
    cr_assert_eq(due_workdays_overdue(cal, date_from_ymd(2024, 2, 7), local("2024-02-16T08:00")),
                 1);
}

Test(due_levels, the_policy_is_followed)
{
    due_policy_t p = {.due_soon_days = 3, .escalate_workdays = 1, .stale_months = 3};
    int64_t at[DUE_LEVELS];
    due_level_instants(cal, date_from_ymd(2024, 1, 31), &p, at);
    cr_assert_eq(at[DUE_SOON], local("2024-01-28T00:00"));
    cr_assert_eq(at[DUE_ESCALATED], local("2024-02-02T00:00"));
}

Test(due_levels, an_acknowledgement_stops_only_the_escalation)
{
    int64_t at[DUE_LEVELS] = {0, 10, 20, 30, 40};
    due_level_t next;
    int64_t when;
    cr_assert(due_next(at, DUE_SOON, DUE_SOON, &next, &when));
    cr_assert_eq(next, DUE_DUE);
    cr_assert(due_next(at, DUE_DUE, DUE_DUE, &next, &when), "overdue is a fact, not an alert");
    cr_assert_eq(next, DUE_OVERDUE);
    cr_assert_not(due_next(at, DUE_OVERDUE, DUE_DUE, &next, &when));
    cr_assert(due_next(at, DUE_OVERDUE, DUE_SOON, &next, &when));
    cr_assert_eq(next, DUE_ESCALATED);
    cr_assert_eq(when, 40);
    cr_assert_not(due_next(at, DUE_ESCALATED, 0, &next, &when));
}

Test(due_levels, instants_are_written_and_read_in_vietnam_time)
{
    char out[32];
    due_format_instant(local("2024-07-01T00:00"), out);
    cr_assert_str_eq(out, "2024-07-01T00:00:00+07:00");
    cr_assert_eq(local("2024-07-01"), local("2024-07-01T00:00"));
    int64_t z, plus;
    cr_assert_eq(due_parse_instant("2024-06-30T17:00:00Z", &z), 0);
    cr_assert_eq(z, local("2024-07-01T00:00"));
    cr_assert_eq(due_parse_instant("2024-07-01T00:00:00.250+07:00", &plus), 0);
    cr_assert_eq(plus, z);
    int64_t bad;
    cr_assert_eq(due_parse_instant("2024-02-30", &bad), -1);
    cr_assert_eq(due_parse_instant("2024-07-01T25:00", &bad), -1);
    cr_assert_eq(due_parse_instant("tomorrow", &bad), -1);
    /* found by fuzzing: sscanf's %2d took a sign or a space for a digit */
    static const char *const loose[] = {
        "2024-06-28T-6:00:00+07:00",
        "2024-06-28T 6:00",
        "2024- 6-28",
        "2024-06-+8",
        "2024-06-28T06:-1",
        "2024-06-28T06:00+99:00",
        "2024-06-28T06:00+07:-5",
        "2024-06-28T06:00:00.Z",
        "+024-06-28",
        "2024-06-28T06:00:+1",
    };
    for (size_t i = 0; i < sizeof loose / sizeof loose[0]; i++)
        cr_expect_eq(due_parse_instant(loose[i], &bad), -1, "%s", loose[i]);
    cr_assert_eq(due_parse_instant("2024-06-28 16:00:05.250Z", &bad), 0);
    cr_assert_eq(due_local_date(local("2024-07-01T23:59")), date_from_ymd(2024, 7, 1));
    cr_assert_eq(due_level_parse("overdue"), DUE_OVERDUE);
    cr_assert_eq(due_level_parse("late"), -1);
    cr_assert_str_eq(due_level_vn(DUE_SOON), "Sắp đến hạn");
}

Test(due_levels, an_event_starts_the_clock)
{
    date_t nominal;
    /* "trong 05 ngày làm việc kể từ khi nhận được", received Wednesday
     * 7/2/2024: Tết follows, so 15, 16, 19, 20, 21/2. */
    date_t due = due_after_event(cal, 5, true, 0, date_from_ymd(2024, 2, 7), &nominal);
    cr_assert_eq(due, date_from_ymd(2024, 2, 21));
    /* "trong 05 ngày": 12/2, in Tết, moves to 15/2. */
    due = due_after_event(cal, 5, false, 0, date_from_ymd(2024, 2, 7), &nominal);
    cr_assert_eq(nominal, date_from_ymd(2024, 2, 12));
    cr_assert_eq(due, date_from_ymd(2024, 2, 15));
    /* One month from 31/1: the month's last day, 29/2/2024. */
    due = due_after_event(cal, 0, false, 1, date_from_ymd(2024, 1, 31), &nominal);
    cr_assert_eq(due, date_from_ymd(2024, 2, 29));
    /* No period: the day itself, or the next working day. */
    due = due_after_event(cal, 0, false, 0, date_from_ymd(2024, 4, 27), &nominal);
    cr_assert_eq(due, date_from_ymd(2024, 5, 2));
}
