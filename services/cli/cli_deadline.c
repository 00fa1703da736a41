/* cli_deadline.c - `partrack deadline ...`: the deadline language, offline
 *
 * `deadline explain PHRASE` reads a phrase as a plan's deadline cell would
 * be read (deadline_parse over the working-day calendar) and shows the
 * schedule: for people, each due date with its weekday and, when it was
 * moved, why (the day off and the Civil Code rule); for scripts (--json) the
 * object documented in the README. The calendar is the shipped data file
 * (workcal_load_default, or --calendar FILE); no service is needed.
 * Exit codes: 0 understood, 1 not understood (unparsed), 2 usage error,
 * 3 calendar data unreadable.
 */
#include "cli_deadline.h"

#include "deadline.h"
#include "deadline_json.h"
#include "report_window.h"
#include "workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char deadline_usage[] =
    "usage: partrack deadline explain \"PHRASE\" [--year YEAR] [--calendar FILE] [--report]\n"
    "                                [--json]\n"
    "\n"
    "Reads a Vietnamese deadline phrase from a plan (\"Quý II/2024\", \"Mùng 5 hàng\n"
    "tháng\", \"trước ngày 05 tháng cuối quý\", \"Thường xuyên\"...) for plan year YEAR\n"
    "(default: this year) and shows its schedule: each due date, moved to the next\n"
    "working day when it falls on a weekend or holiday (Civil Code 2015, Điều 148).\n"
    "Several arguments are joined with spaces. The grammar is in the README.\n"
    "\n"
    "  --year YEAR       the plan year, 1900-2100\n"
    "  --calendar FILE   calendar data (default: the shipped calendar-vn.json or\n"
    "                    $PARTRACK_CALENDAR_FILE)\n"
    "  --report          the phrase is a periodic report's: show the data each due\n"
    "                    date covers (cut-off window: from the 15th of the month\n"
    "                    before the period to the 14th of its last month)\n"
    "  --json            the schedule as JSON (report windows always included)\n"
    "\n"
    "Exit status: 0 understood, 1 not understood (unparsed), 2 usage error,\n"
    "3 calendar data unreadable.\n";

static int this_year(void)
{
    time_t now = time(NULL) + 7 * 3600; /* Asia/Ho_Chi_Minh, UTC+7 */
    struct tm tm;
    if (!gmtime_r(&now, &tm))
        return 2024;
    return tm.tm_year + 1900;
}

static void print_date_line(const workcal_t *cal, const deadline_t *d, const deadline_due_t *x)
{
    char label[96], nominal[11], effective[11];
    deadline_due_label(d, x, label, sizeof label);
    date_format_vn(x->nominal, nominal);
    date_format_vn(x->effective, effective);
    printf("  %s: ", label);
    if (x->nominal == x->effective) {
        printf("%s (%s)\n", nominal, date_weekday_vn(x->nominal));
        return;
    }
    const char *why = workcal_reason(cal, x->nominal);
    const char *weekday = date_weekday_vn(x->nominal);
    if (!why || strcmp(why, weekday) == 0)
        printf("%s là %s", nominal, weekday);
    else
        printf("%s (%s) là ngày nghỉ: %s", nominal, weekday, why);
    printf(" → %s (%s)\n", effective, date_weekday_vn(x->effective));
}

/* The data a report due on x covers, under its due line. */
static void print_report_window(const deadline_t *d, const deadline_due_t *x)
{
    report_window_t w;
    if (!report_window(d, x, REPORT_CUTOFF_DAY, &w)) {
        printf("    số liệu / data: không có kỳ / names no period\n");
        return;
    }
    char a[11], b[11];
    date_format_vn(w.from, a);
    date_format_vn(w.to, b);
    printf("    số liệu / data: %s - %s%s\n", a, b,
           w.clipped ? " (chốt trước hạn nộp / cut off before the deadline)" : "");
}

static void print_explanation(const workcal_t *cal, const deadline_t *d, bool report)
{
    printf("Cụm từ / phrase: \"%s\" (năm kế hoạch / plan year %d)\n", d->text, d->plan_year);
    if (d->unparsed) {
        printf("Không hiểu / not understood: %s\n", d->reason ? d->reason : "?");
        printf("Giữ nguyên văn bản, không có hạn / kept verbatim, no due date.\n");
        return;
    }
    printf("Loại / kind: %s", deadline_kind_name(d->kind));
    if (d->nparts > 1) {
        printf(" (");
        for (size_t k = 0; k < d->nparts; k++)
            printf("%s%s", k ? " + " : "", deadline_kind_name(d->parts[k]));
        printf(")");
    }
    putchar('\n');
    for (size_t k = 0; k < d->nrecurrences; k++) {
        const deadline_recurrence_t *r = &d->recurrences[k];
        printf("Định kỳ / recurrence: %s", deadline_recurrence_name(r));
        if (r->months >= 2 || (r->months == 1 && r->month > 1))
            printf(", tháng thứ %d của kỳ / month %d of the period", r->month, r->month);
        if (r->day)
            printf(", %sngày %d / %sday %d", r->before ? "trước " : "", r->day,
                   r->before ? "before " : "", r->day);
        else if (r->months)
            printf(", ngày cuối tháng / last day of the month");
        printf(" (năm / year %d)\n", r->year);
    }
    if (d->has_window) {
        char a[11], b[11];
        date_format_vn(d->window_start, a);
        date_format_vn(d->window_end, b);
        printf("Khoảng / window: %s - %s (hạn vào ngày cuối / due at the end)\n", a, b);
    }
    if (d->ndue) {
        printf("Hạn / due (%zu):\n", d->ndue);
        for (size_t k = 0; k < d->ndue; k++) {
            print_date_line(cal, d, &d->due[k]);
            if (report)
                print_report_window(d, &d->due[k]);
        }
        printf("Ngày nghỉ → ngày làm việc tiếp theo (Bộ luật Dân sự 2015, Điều 148) / a day off "
               "moves the due date to the next working day.\n");
    }
    if (d->continuous)
        printf("Thường xuyên / continuous: không có hạn cố định / no fixed due date\n");
    if (d->adhoc)
        printf("Đột xuất / ad hoc: cũng khi có yêu cầu / also when asked\n");
    if (d->event) {
        printf("Sự kiện / event: %s\n", d->event_text ? d->event_text : "?");
        if (d->period_days || d->period_months)
            printf("  hạn / due: %d %s kể từ sự kiện / after the event\n",
                   d->period_days ? d->period_days : d->period_months,
                   d->period_months     ? "tháng / months"
                   : d->period_workdays ? "ngày làm việc / working days"
                                        : "ngày / days");
        if (d->expected != DATE_INVALID) {
            char a[11], b[11];
            date_format_vn(d->expected_nominal, a);
            date_format_vn(d->expected, b);
            if (d->expected == d->expected_nominal)
                printf("  dự kiến / expected: %s (%s)\n", a, date_weekday_vn(d->expected));
            else
                printf("  dự kiến / expected: %s → %s (%s)\n", a, b, date_weekday_vn(d->expected));
        }
    }
}

static int verb_explain(int argc, char **argv)
{
    bool json = false, report = false, options_done = false;
    int year = this_year();
    const char *calendar = NULL;
    size_t len = 0;
    char *phrase = NULL;
    int rc = CLI_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
        } else if (!options_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            fputs(deadline_usage, stdout);
            free(phrase);
            return CLI_OK;
        } else if (!options_done && strcmp(a, "--json") == 0) {
            json = true;
        } else if (!options_done && strcmp(a, "--report") == 0) {
            report = true;
        } else if (!options_done && strncmp(a, "--year", 6) == 0 && (a[6] == '\0' || a[6] == '=')) {
            const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
            char *end;
            long y = v ? strtol(v, &end, 10) : 0;
            if (!v || !*v || *end || y < 1900 || y > 2100) {
                fprintf(stderr, "partrack: --year takes a year between 1900 and 2100\n");
                goto out;
            }
            year = (int)y;
        } else if (!options_done && strncmp(a, "--calendar", 10) == 0 &&
                   (a[10] == '\0' || a[10] == '=')) {
            calendar = a[10] == '=' ? a + 11 : (i + 1 < argc ? argv[++i] : NULL);
            if (!calendar || !*calendar) {
                fprintf(stderr, "partrack: --calendar needs a file name\n");
                goto out;
            }
        } else if (!options_done && strncmp(a, "--", 2) == 0 && a[2] != '\0') {
            fprintf(stderr, "partrack: unknown option %s\n\n%s", a, deadline_usage);
            goto out;
        } else {
            /* a phrase may start with "-" (a bullet pasted from a plan) */
            size_t add = strlen(a);
            char *grown = realloc(phrase, len + add + 2);
            if (!grown) {
                fprintf(stderr, "partrack: out of memory\n");
                goto out;
            }
            phrase = grown;
            if (len)
                phrase[len++] = ' ';
            memcpy(phrase + len, a, add + 1);
            len += add;
        }
    }
    if (!phrase) {
        fprintf(stderr, "partrack: deadline explain needs a phrase\n\n%s", deadline_usage);
        goto out;
    }
    char err[512];
    workcal_t *cal =
        calendar ? workcal_load(calendar, err, sizeof err) : workcal_load_default(err, sizeof err);
    if (!cal) {
        fprintf(stderr, "partrack: cannot read the working-day calendar: %s\n", err);
        rc = CLI_UNAVAILABLE;
        goto out;
    }
    deadline_t *d = deadline_parse_bytes(phrase, len, year, cal, err, sizeof err);
    if (!d) {
        fprintf(stderr, "partrack: %s\n", err);
        workcal_destroy(&cal);
        rc = CLI_USAGE;
        goto out;
    }
    if (json)
        cli_print_json(deadline_to_json(d));
    else
        print_explanation(cal, d, report);
    rc = d->unparsed ? CLI_REFUSED : CLI_OK;
    deadline_destroy(&d);
    workcal_destroy(&cal);
out:
    free(phrase);
    return rc;
}

int cli_deadline(cli_t *cli, int argc, char **argv)
{
    (void)cli;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(deadline_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "explain") == 0)
        return verb_explain(argc - 1, argv + 1);
    fprintf(stderr, "partrack: unknown deadline verb %s\n\n%s", argv[1], deadline_usage);
    return CLI_USAGE;
}
