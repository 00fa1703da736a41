/* due_levels.c - when an occurrence becomes due soon, due, overdue, escalated
 *
 * Pure arithmetic over day numbers: Vietnam keeps UTC+7 all year, so 00:00
 * local of day d is d * 86400 - 7 * 3600 seconds since the epoch.
 */
#include "due_levels.h"

#include <stdio.h>
#include <string.h>

#define LOCAL_OFFSET (7 * 3600)

const due_policy_t DUE_POLICY_DEFAULT = {
    .due_soon_days = 7, .escalate_workdays = 3, .stale_months = 3};

int64_t due_midnight(date_t date)
{
    return (int64_t)date * 86400 - LOCAL_OFFSET;
}

date_t due_local_date(int64_t instant)
{
    int64_t local = instant + LOCAL_OFFSET;
    int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    return (date_t)day;
}

void due_level_instants(const workcal_t *cal, date_t effective, const due_policy_t *policy,
                        int64_t at[DUE_LEVELS])
{
    at[DUE_LONG_TERM] = INT64_MIN;
    at[DUE_SOON] = due_midnight(effective - policy->due_soon_days);
    at[DUE_DUE] = due_midnight(effective);
    at[DUE_OVERDUE] = due_midnight(effective + 1);
    date_t last = workcal_add_workdays(cal, effective, policy->escalate_workdays);
    at[DUE_ESCALATED] = due_midnight(last + 1);
}

due_level_t due_level_at(const int64_t at[DUE_LEVELS], int64_t now)
{
    due_level_t level = DUE_LONG_TERM;
    for (int l = DUE_SOON; l < DUE_LEVELS; l++)
        if (now >= at[l])
            level = (due_level_t)l;
    return level;
}

bool due_next(const int64_t at[DUE_LEVELS], due_level_t level, int acked_level, due_level_t *next,
              int64_t *next_at)
{
    if (level >= DUE_ESCALATED)
        return false;
    due_level_t n = (due_level_t)(level + 1);
    if (n == DUE_ESCALATED && acked_level >= DUE_DUE)
        return false;
    *next = n;
    *next_at = at[n];
    return true;
}

int due_workdays_overdue(const workcal_t *cal, date_t effective, int64_t now)
{
    /* Working days after the effective date whose end (24:00) has passed. */
    date_t today = due_local_date(now);
    int n = 0;
    for (date_t d = effective + 1; d < today && n < 100000; d++)
        n += workcal_is_workday(cal, d);
    return n;
}

date_t due_after_event(const workcal_t *cal, int period_days, bool period_workdays,
                       int period_months, date_t happened, date_t *nominal)
{
    date_t due = happened;
    if (period_months > 0) {
        int y, m, d;
        date_to_ymd(happened, &y, &m, &d);
        int months = y * 12 + (m - 1) + period_months;
        int ny = months / 12, nm = months % 12 + 1;
        int last = date_days_in_month(ny, nm);
        due = date_from_ymd(ny, nm, d <= last ? d : last);
    } else if (period_days > 0 && period_workdays) {
        due = workcal_add_workdays(cal, happened, period_days);
    } else if (period_days > 0) {
        due = happened + period_days;
    }
    *nominal = due;
    return workcal_next_workday(cal, due);
}

static const char *const names[] = {"long_term", "due_soon",  "due",
                                    "overdue",   "escalated", "stale"};
static const char *const names_vn[] = {
    "Dài hạn", "Sắp đến hạn", "Đến hạn", "Quá hạn", "Quá hạn - đã báo cấp trên", "Không cập nhật"};

const char *due_level_name(due_level_t level)
{
    return level >= DUE_LONG_TERM && level <= DUE_STALE ? names[level] : "?";
}

const char *due_level_vn(due_level_t level)
{
    return level >= DUE_LONG_TERM && level <= DUE_STALE ? names_vn[level] : "?";
}

int due_level_parse(const char *name)
{
    for (int l = DUE_LONG_TERM; l <= DUE_STALE; l++)
        if (strcmp(name, names[l]) == 0)
            return l;
    return -1;
}

void due_format_instant(int64_t instant, char out[32])
{
    date_t day = due_local_date(instant);
    int64_t secs = instant + LOCAL_OFFSET - (int64_t)day * 86400;
    char date[11];
    date_format_iso(day, date);
    snprintf(out, 32,
             "%s"
             "T%02d:%02d:%02d+07:00",
             date, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* The number written by exactly n digits at s, or -1. (sscanf's %2d would
 * also take " 1", "+1" and "-1".) */
static int digits_value(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int due_parse_instant(const char *text, int64_t *out)
{
    int y = digits_value(text, 4), mo = -1, d = -1, h = 0, mi = 0, s = 0;
    if (y >= 0 && text[4] == '-')
        mo = digits_value(text + 5, 2);
    if (mo >= 0 && text[7] == '-')
        d = digits_value(text + 8, 2);
    date_t day = d >= 0 ? date_from_ymd(y, mo, d) : DATE_INVALID;
    if (day == DATE_INVALID)
        return -1;
    const char *rest = text + 10;
    int offset = LOCAL_OFFSET; /* local unless told */
    if (*rest == 'T' || *rest == ' ') {
        h = digits_value(rest + 1, 2);
        mi = h >= 0 && rest[3] == ':' ? digits_value(rest + 4, 2) : -1;
        if (mi < 0)
            return -1;
        rest += 6;
        if (*rest == ':') {
            if ((s = digits_value(rest + 1, 2)) < 0)
                return -1;
            rest += 3;
            if (*rest == '.') { /* fractions of a second are dropped */
                if (rest[1] < '0' || rest[1] > '9')
                    return -1;
                for (rest++; *rest >= '0' && *rest <= '9'; rest++)
                    ;
            }
        }
        if (*rest == 'Z') {
            offset = 0;
            rest++;
        } else if (*rest == '+' || *rest == '-') {
            int oh = digits_value(rest + 1, 2);
            int om = oh >= 0 && rest[3] == ':' ? digits_value(rest + 4, 2) : -1;
            if (om < 0 || oh > 23 || om > 59)
                return -1;
            offset = (*rest == '-' ? -1 : 1) * (oh * 3600 + om * 60);
            rest += 6;
        }
    }
    if (*rest || h > 23 || mi > 59 || s > 60)
        return -1;
    *out = (int64_t)day * 86400 + h * 3600 + mi * 60 + s - offset;
    return 0;
}
