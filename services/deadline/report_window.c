/* report_window.c - the data a periodic report covers (see the header) */
#include "report_window.h"

#include "text.h"

#include <stdlib.h>
#include <string.h>

/* The first month (1-12, of *year) and the number of months of the period
 * a due date names; false if it names none. */
static bool named_period(const deadline_t *dl, const deadline_due_t *due, int *year, int *month,
                         int *months)
{
    int y, m, d;
    switch (due->what) {
    case DEADLINE_FOR_RECURRING: {
        if (due->recurrence < 0 || (size_t)due->recurrence >= dl->nrecurrences)
            return false;
        const deadline_recurrence_t *r = &dl->recurrences[due->recurrence];
        if (r->months <= 0)
            return false; /* weekly */
        *year = r->year;
        *month = 1 + due->period * r->months;
        *months = r->months;
        return *month >= 1 && *month <= 12;
    }
    case DEADLINE_FOR_MONTH:
    case DEADLINE_FOR_QUARTER:
    case DEADLINE_FOR_YEAR:
        if (due->part == 1 || due->part == 2)
            return false; /* đầu/giữa: not the period's report */
        date_to_ymd(due->from, &y, &m, &d);
        *year = y;
        *month = m;
        *months = due->what == DEADLINE_FOR_MONTH ? 1 : due->what == DEADLINE_FOR_QUARTER ? 3 : 12;
        return true;
    case DEADLINE_FOR_HALF:
        if (due->period < 1 || due->period > 12)
            return false;
        date_to_ymd(due->from, &y, &m, &d);
        *year = y;
        *months = due->period;
        *month = due->part == 3 ? 13 - due->period : 1;
        return true;
    default: return false;
    }
}

bool report_window(const deadline_t *dl, const deadline_due_t *due, int cutoff_day,
                   report_window_t *out)
{
    int year, month, months;
    if (!dl || !due || !out || cutoff_day < 1 || cutoff_day > 28 ||
        !named_period(dl, due, &year, &month, &months))
        return false;
    int last = month + months - 1; /* may pass December: counted on */
    int end_year = year + (last - 1) / 12, end_month = (last - 1) % 12 + 1;
    if (cutoff_day == 1) {
        out->from = date_from_ymd(year, month, 1);
        out->to = date_month_end(end_year, end_month);
    } else {
        int before_year = month == 1 ? year - 1 : year, before_month = month == 1 ? 12 : month - 1;
        out->from = date_from_ymd(before_year, before_month, cutoff_day);
        out->to = date_from_ymd(end_year, end_month, cutoff_day - 1);
    }
    out->clipped = false;
    if (due->nominal != DATE_INVALID && due->nominal <= out->to) {
        out->to = due->nominal - 1;
        out->clipped = true;
    }
    return out->from != DATE_INVALID && out->to != DATE_INVALID && out->from <= out->to;
}

bool report_title(const char *title)
{
    if (!title)
        return false;
    char *folded = text_fold(title);
    bool yes = folded && strstr(folded, "bao cao") != NULL;
    free(folded);
    return yes;
}
