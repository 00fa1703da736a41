/* score_period.c - dates and reporting periods of a scoring year
 *
 * Day numbers use Howard Hinnant's days_from_civil / civil_from_days (the
 * same arithmetic as services/deadline/civil_date.c, which the scoring
 * library does not link: it stays free of the deadline service's code).
 */
#include "score_period.h"

#include <stdio.h>
#include <string.h>

static int days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void score_date_split(int days, int *y, int *m, int *d)
{
    int z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int dd = doy - (153 * mp + 2) / 5 + 1;
    int mm = mp + (mp < 10 ? 3 : -9);
    if (y)
        *y = yoe + era * 400 + (mm <= 2);
    if (m)
        *m = mm;
    if (d)
        *d = dd;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

bool score_date_make(int y, int m, int d, int *days)
{
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool score_date_parse(const char *s, int *days)
{
    int y, m, d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
        !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
        return false;
    return score_date_make(y, m, d, days);
}

char *score_date_format(int days, char *buf, size_t len)
{
    int y, m, d;
    score_date_split(days, &y, &m, &d);
    snprintf(buf, len, "%02d/%02d/%04d", d, m, y);
    return buf;
}

char *score_date_iso(int days, char *buf, size_t len)
{
    int y, m, d;
    score_date_split(days, &y, &m, &d);
    snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
    return buf;
}

bool score_period_parse(const char *s, score_period_t *p)
{
    int y, x;
    size_t n = strlen(s);
    if (n < 7 || s[4] != '-' || !digits(s, 4, &y) || y < 1900 || y > 2100)
        return false;
    if (n == 7 && (s[5] == 'Q' || s[5] == 'q') && digits(s + 6, 1, &x) && x >= 1 && x <= 4) {
        *p = (score_period_t){y, 4, x};
        return true;
    }
    if (n == 7 && digits(s + 5, 2, &x) && x >= 1 && x <= 12) {
        *p = (score_period_t){y, 12, x};
        return true;
    }
    return false;
}

int score_period_end(const score_period_t *p)
{
    int m = p->index * (12 / p->per_year);
    return days_from_civil(p->year, m, month_days(p->year, m));
}

char *score_period_name(int per_year, int index, char *buf, size_t len)
{
    static const char *const roman[] = {"I", "II", "III", "IV"};
    if (per_year == 4 && index >= 1 && index <= 4)
        snprintf(buf, len, "quý %s", roman[index - 1]);
    else
        snprintf(buf, len, "tháng %d", index);
    return buf;
}

const char *score_period_unit(int per_year)
{
    return per_year == 4 ? "quý" : "tháng";
}
