/* due_levels.h - when an occurrence becomes due soon, due, overdue, escalated
 *
 * DESIGN.md "Task status" and "Escalation", as instants. An occurrence is due
 * at the end (24:00, UTC+7) of its effective date. It is
 *   due_soon   from 00:00 of (effective - due_soon_days) (calendar days),
 *   due        from 00:00 of the effective date (its last working day: an
 *              effective date is always a working day),
 *   overdue    from 24:00 of the effective date (the due instant),
 *   escalated  from 24:00 of the escalate_workdays-th working day after the
 *              effective date ("quá hạn 3 ngày làm việc").
 * A continuous task goes `stale` stale_months months after its last update.
 * Instants are seconds since the epoch (UTC). Nothing here reads a clock.
 */
#ifndef PARTRACK_DUE_LEVELS_H
#define PARTRACK_DUE_LEVELS_H

#include "civil_date.h"
#include "workcal.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    DUE_LONG_TERM = 0, /* Dài hạn */
    DUE_SOON = 1,      /* Sắp đến hạn */
    DUE_DUE = 2,       /* Đến hạn */
    DUE_OVERDUE = 3,   /* Quá hạn */
    DUE_ESCALATED = 4, /* Quá hạn, đã báo cấp trên */
    DUE_STALE = 5,     /* a continuous task without an update for too long */
} due_level_t;

#define DUE_LEVELS 5 /* long_term .. escalated */

typedef struct {
    int due_soon_days;     /* default 7 */
    int escalate_workdays; /* default 3 */
    int stale_months;      /* default 3 */
} due_policy_t;

extern const due_policy_t DUE_POLICY_DEFAULT;

/* The due instant, 24:00 (UTC+7) of a date column or expression, as SQL
 * text for a query: "... WHERE now() >= " DUE_INSTANT_SQL("o.effective"). */
#define DUE_INSTANT_SQL(col) "(((" col " + 1)::timestamp - interval '7 hours') AT TIME ZONE 'UTC')"

/* 00:00 (UTC+7) of a date, as seconds since the epoch. */
int64_t due_midnight(date_t date);

/* The instant each level starts for an occurrence whose effective due date
 * is `effective`: at[DUE_SOON] .. at[DUE_ESCALATED]; at[DUE_LONG_TERM] is
 * INT64_MIN. */
void due_level_instants(const workcal_t *cal, date_t effective, const due_policy_t *policy,
                        int64_t at[DUE_LEVELS]);

/* The level at instant now (never DUE_STALE). */
due_level_t due_level_at(const int64_t at[DUE_LEVELS], int64_t now);

/* After an occurrence reached `level`, the next level to watch and when it
 * starts. An acknowledged alert at `due` or `overdue` (acked_level) stops
 * the escalation to the parent unit's head; the status levels go on.
 * Returns false when there is nothing further to watch. */
bool due_next(const int64_t at[DUE_LEVELS], due_level_t level, int acked_level, due_level_t *next,
              int64_t *next_at);

/* Working days the occurrence is past due at `now` (0 if not overdue): the
 * working days after the effective date that have ended by now. */
int due_workdays_overdue(const workcal_t *cal, date_t effective, int64_t now);

/* The due date of an event task once its event happened on `happened`:
 * the period the phrase gives counted from the day after the event (Điều
 * 147: "trong 05 ngày làm việc kể từ khi nhận được" is 5 working days,
 * "trong 05 ngày" 5 days, N months the same day N months on, or the month's
 * last day), or the event's day itself when no period is given ("Ngay sau
 * khi ..."). *nominal gets that date; the return value is the effective date
 * (the next working day when it is a day off). */
date_t due_after_event(const workcal_t *cal, int period_days, bool period_workdays,
                       int period_months, date_t happened, date_t *nominal);

/* "long_term", "due_soon", "due", "overdue", "escalated", "stale". */
const char *due_level_name(due_level_t level);
/* "Dài hạn", "Sắp đến hạn", "Đến hạn", "Quá hạn", "Quá hạn - đã báo cấp trên", "Không cập nhật". */
const char *due_level_vn(due_level_t level);
/* The level a name gives, or -1. */
int due_level_parse(const char *name);

/* The date of an instant in UTC+7. */
date_t due_local_date(int64_t instant);

/* Writes an instant as RFC 3339 in UTC+7 ("2024-07-01T00:00:00+07:00"). */
void due_format_instant(int64_t instant, char out[32]);

/* Reads "2024-07-01T08:30:00+07:00", "...Z", "2024-07-01T08:30" (UTC+7) or
 * "2024-07-01" (00:00 UTC+7); a space may stand for the T, and seconds may
 * have a fraction (dropped). Every field is its exact number of digits, no
 * sign or space. Returns 0, or -1 if it is none of those. */
int due_parse_instant(const char *text, int64_t *out);

#endif
