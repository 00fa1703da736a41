/* report_window.h - the data a periodic report covers (its cut-off window)
 *
 * A periodic report (báo cáo định kỳ) covers a period's data, cut off some
 * days before it is sent. Seed 000 §III counts the window from the 15th of
 * the month before the period to the 14th of the period's last month (the
 * government's reporting regime, Nghị định 09/2019/NĐ-CP Điều 12, has the
 * same rule):
 *   quý I      15/12 of the year before – 14/03
 *   6 tháng    15/12 of the year before – 14/06
 *   quý III    15/06 – 14/09
 *   năm        15/12 of the year before – 14/12
 *   tháng 5    15/04 – 14/05
 * The period is the one the deadline names: "Quý I/2024", "6 tháng đầu
 * năm", "9 tháng" (January to September), a recurring phrase's period
 * ("trước ngày 05 tháng cuối quý": that quarter; "Mùng 5 hàng tháng": that
 * month; "cuối quý": that quarter). A due date on a named day, early or in
 * the middle of a period ("đầu quý", "giữa năm"), a weekly one or one counted
 * from an event names no period, so has no window.
 *
 * A report due before its window would close ("trước ngày 05 tháng cuối
 * quý" against the 14th) cannot hold the data to the 14th: its data stop
 * the day before the deadline's nominal date, and `clipped` says so.
 */
#ifndef PARTRACK_REPORT_WINDOW_H
#define PARTRACK_REPORT_WINDOW_H

#include "civil_date.h"
#include "deadline.h"

#include <stdbool.h>

/* The day of the month the data of a period start (in the month before it);
 * the window ends the day before it in the period's last month. 1 means
 * calendar periods (the 1st of the first month to the last month's end). */
#define REPORT_CUTOFF_DAY 15

typedef struct {
    date_t from, to; /* inclusive */
    bool clipped;    /* `to` was moved before the deadline */
} report_window_t;

/* The window of due date `due` of schedule `dl` (one of dl->due) with data
 * starting on `cutoff_day` (1-28). Returns false when the due date names no
 * period (or the window would be empty). */
bool report_window(const deadline_t *dl, const deadline_due_t *due, int cutoff_day,
                   report_window_t *out);

/* Whether a task's title makes it a report: it speaks of "báo cáo" (any
 * case, accents, tone placement). */
bool report_title(const char *title);

#endif
