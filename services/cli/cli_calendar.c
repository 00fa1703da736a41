/* cli_calendar.c - `partrack calendar ...`: the working-day calendar, offline
 *
 * Every verb reads the shipped calendar data (workcal_load_default: the
 * file named by PARTRACK_CALENDAR_FILE, else share/partrack/calendar-vn.json
 * next to the binary) or the file given with --file, and needs no service.
 * One function per verb: parse the arguments, compute, print text for
 * people (dates as dd/mm/yyyy with the Vietnamese weekday) or JSON for
 * scripts (--json, dates as YYYY-MM-DD). Dates are accepted in both forms.
 * Exit codes: 0 done (is-workday: a working day), 1 refused (is-workday: not
 * a working day), 2 usage error or a bad date, 3 calendar data unreadable.
 */
#include "cli_calendar.h"

#include "deadline.pb-c.h"

#include "civil_date.h"
#include "lunar.h"
#include "workcal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAL_FIRST_YEAR 1900
#define CAL_LAST_YEAR  2100
#define MAX_ADD_DAYS   50000
#define MAX_YEAR_DAYS  400

static const char calendar_usage[] =
    "usage: partrack calendar VERB ... [--file FILE] [--json]\n"
    "\n"
    "  holidays YEAR            the year's days off and swapped working days, and their source\n"
    "  is-workday DATE          yes or no, and why (exit 0 for a working day, 1 otherwise)\n"
    "  add-workdays DATE N      the date N working days after DATE (DATE not counted)\n"
    "  lunar DATE               the lunar date (âm lịch) and the year's can-chi name\n"
    "  solar LUNAR_DATE [--leap]  the solar date of a lunar date\n"
    "  check FILE               validate a calendar data file\n"
    "  import FILE              give the deadline service this calendar (it recomputes\n"
    "                           the due dates the change moves)\n"
    "\n"
    "Dates are YYYY-MM-DD or DD/MM/YYYY, in 1900-2100. The calendar is the official\n"
    "data shipped with partrack over the statutory holidays (Labour Code 2019,\n"
    "Điều 112); --file FILE or $PARTRACK_CALENDAR_FILE use another data file.\n"
    "Run `partrack calendar VERB --help` for more.\n";

typedef struct {
    bool json, leap, help;
    const char *file;
    char **pos;
    int npos;
} cal_opts_t;

/* Positional arguments of the running verb; freed when cli_calendar returns. */
static char **verb_args;

/* Options: --json, --leap (where allowed), --file FILE, --help/-h. Anything
 * else that starts with "--" is an error; "-5" is an argument (a negative N). */
static int parse_opts(int argc, char **argv, bool allow_leap, cal_opts_t *o, const char *usage)
{
    memset(o, 0, sizeof *o);
    free(verb_args);
    verb_args = o->pos = calloc((size_t)argc + 1, sizeof *o->pos);
    if (!o->pos)
        return CLI_USAGE;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
        } else if (!options_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            o->help = true;
            fputs(usage, stdout);
            return CLI_OK;
        } else if (!options_done && strcmp(a, "--json") == 0) {
            o->json = true;
        } else if (!options_done && allow_leap && strcmp(a, "--leap") == 0) {
            o->leap = true;
        } else if (!options_done && strncmp(a, "--file", 6) == 0 && (a[6] == '\0' || a[6] == '=')) {
            o->file = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
            if (!o->file || !*o->file) {
                fprintf(stderr, "partrack: --file needs a file name\n\n%s", usage);
                return CLI_USAGE;
            }
        } else if (!options_done && strncmp(a, "--", 2) == 0) {
            fprintf(stderr, "partrack: unknown option %s\n\n%s", a, usage);
            return CLI_USAGE;
        } else {
            o->pos[o->npos++] = argv[i];
        }
    }
    return CLI_OK;
}

/* Checks the number of positional arguments. */
static int expect_args(const cal_opts_t *o, int n, const char *what, const char *usage)
{
    if (o->npos < n) {
        fprintf(stderr, "partrack: %s is missing\n\n%s", what, usage);
        return CLI_USAGE;
    }
    if (o->npos > n) {
        fprintf(stderr, "partrack: unexpected argument %s\n\n%s", o->pos[n], usage);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static workcal_t *open_calendar(const cal_opts_t *o)
{
    char err[600];
    workcal_t *cal =
        o->file ? workcal_load(o->file, err, sizeof err) : workcal_load_default(err, sizeof err);
    if (!cal)
        fprintf(stderr, "partrack: calendar data: %s\n", err);
    return cal;
}

static bool year_in_range(int y)
{
    return y >= CAL_FIRST_YEAR && y <= CAL_LAST_YEAR;
}

/* Parses a date argument, printing the reason if it is not one. */
static date_t arg_date(const char *text)
{
    date_t d = date_parse(text);
    if (d == DATE_INVALID) {
        fprintf(stderr, "partrack: %s is not a date (write YYYY-MM-DD or DD/MM/YYYY)\n", text);
        return DATE_INVALID;
    }
    int y;
    date_to_ymd(d, &y, NULL, NULL);
    if (!year_in_range(y)) {
        fprintf(stderr, "partrack: %s is outside the calendar's years %d-%d\n", text,
                CAL_FIRST_YEAR, CAL_LAST_YEAR);
        return DATE_INVALID;
    }
    return d;
}

/* Parses a whole decimal integer in [lo, hi]. */
static bool arg_int(const char *text, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static json_t *json_date(date_t d)
{
    char iso[11];
    date_format_iso(d, iso);
    return json_string(iso);
}

/* "dd/mm/yyyy (Thứ X)" into buf. */
static const char *date_label(date_t d, char *buf, size_t len)
{
    char vn[11];
    date_format_vn(d, vn);
    snprintf(buf, len, "%s (%s)", vn, date_weekday_vn(d));
    return buf;
}

/* The name of a swapped working day, or NULL if d is not one. */
static const char *working_day_name(const workcal_t *cal, date_t d)
{
    int y;
    date_to_ymd(d, &y, NULL, NULL);
    workcal_day_t days[MAX_YEAR_DAYS];
    size_t n = workcal_year(cal, y, days, MAX_YEAR_DAYS);
    for (size_t i = 0; i < n; i++)
        if (days[i].date == d && days[i].working)
            return days[i].name;
    return NULL;
}

static int verb_holidays(int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack calendar holidays YEAR [--file FILE] [--json]\n\n"
        "Lists the year's days off other than ordinary weekends (holidays, compensation\n"
        "days, the days of a break) and its weekend days that are worked, with the\n"
        "source of the year's rules: the official data file, or the statutory rules\n"
        "(Labour Code 2019, Điều 112) for years it does not cover.\n";
    cal_opts_t o;
    int rc = parse_opts(argc, argv, false, &o, usage);
    if (rc != CLI_OK || o.help)
        return rc;
    if ((rc = expect_args(&o, 1, "YEAR", usage)) != CLI_OK)
        return rc;
    long year;
    if (!arg_int(o.pos[0], CAL_FIRST_YEAR, CAL_LAST_YEAR, &year)) {
        fprintf(stderr, "partrack: %s is not a year between %d and %d\n", o.pos[0], CAL_FIRST_YEAR,
                CAL_LAST_YEAR);
        return CLI_USAGE;
    }
    workcal_t *cal = open_calendar(&o);
    if (!cal)
        return CLI_UNAVAILABLE;
    workcal_day_t days[MAX_YEAR_DAYS];
    size_t n = workcal_year(cal, (int)year, days, MAX_YEAR_DAYS);
    int weekdays_off = 0, worked = 0;
    for (size_t i = 0; i < n; i++) {
        int w = date_weekday(days[i].date);
        if (days[i].working)
            worked++;
        else if (w != 0 && w != 6)
            weekdays_off++;
    }
    const char *source = workcal_source(cal, (int)year);
    if (o.json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr,
                                  json_pack("{s:o, s:s, s:s, s:b}", "date", json_date(days[i].date),
                                            "weekday", date_weekday_vn(days[i].date), "name",
                                            days[i].name, "working", days[i].working));
        cli_print_json(json_pack("{s:i, s:s, s:o, s:i, s:i}", "year", (int)year, "source", source,
                                 "days", arr, "weekdays_off", weekdays_off, "weekend_days_worked",
                                 worked));
    } else {
        printf("%ld: %s\n", year, source);
        for (size_t i = 0; i < n; i++) {
            char vn[11];
            date_format_vn(days[i].date, vn);
            printf("  %s  ", vn);
            cli_print_padded(date_weekday_vn(days[i].date), 9);
            printf(" %s%s\n", days[i].working ? "working day: " : "", days[i].name);
        }
        printf("%d weekday%s off, %d weekend day%s worked\n", weekdays_off,
               weekdays_off == 1 ? "" : "s", worked, worked == 1 ? "" : "s");
    }
    workcal_destroy(&cal);
    return CLI_OK;
}

static int verb_is_workday(int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack calendar is-workday DATE [--file FILE] [--json]\n\n"
        "Says whether civil servants work on DATE, and why not (a holiday, a weekend).\n"
        "Exit status 0 for a working day, 1 for a day off, 2 for a bad date.\n";
    cal_opts_t o;
    int rc = parse_opts(argc, argv, false, &o, usage);
    if (rc != CLI_OK || o.help)
        return rc;
    if ((rc = expect_args(&o, 1, "DATE", usage)) != CLI_OK)
        return rc;
    date_t d = arg_date(o.pos[0]);
    if (d == DATE_INVALID)
        return CLI_USAGE;
    workcal_t *cal = open_calendar(&o);
    if (!cal)
        return CLI_UNAVAILABLE;
    bool work = workcal_is_workday(cal, d);
    const char *reason = workcal_reason(cal, d);
    const char *swapped = work ? working_day_name(cal, d) : NULL;
    date_t next = workcal_next_workday(cal, d);
    char label[64], next_label[64];
    if (o.json) {
        cli_print_json(json_pack("{s:o, s:s, s:b, s:o, s:o, s:o}", "date", json_date(d), "weekday",
                                 date_weekday_vn(d), "workday", work, "reason",
                                 cli_json_string(reason), "swapped", cli_json_string(swapped),
                                 "next_workday", json_date(next)));
    } else if (work) {
        printf("%s: yes, a working day%s%s\n", date_label(d, label, sizeof label),
               swapped ? ": " : "", swapped ? swapped : "");
    } else {
        printf("%s: no, %s; next working day %s\n", date_label(d, label, sizeof label), reason,
               date_label(next, next_label, sizeof next_label));
    }
    workcal_destroy(&cal);
    return work ? CLI_OK : CLI_REFUSED;
}

static int verb_add_workdays(int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack calendar add-workdays DATE N [--file FILE] [--json]\n\n"
        "The date N working days after DATE, DATE itself not counted (Civil Code 2015,\n"
        "Điều 147); N = 0 gives DATE or, if it is a day off, the next working day; a\n"
        "negative N counts back. Lists the days off skipped besides weekends.\n";
    cal_opts_t o;
    int rc = parse_opts(argc, argv, false, &o, usage);
    if (rc != CLI_OK || o.help)
        return rc;
    if ((rc = expect_args(&o, 2, "DATE or N", usage)) != CLI_OK)
        return rc;
    date_t d = arg_date(o.pos[0]);
    if (d == DATE_INVALID)
        return CLI_USAGE;
    long n;
    if (!arg_int(o.pos[1], -MAX_ADD_DAYS, MAX_ADD_DAYS, &n)) {
        fprintf(stderr, "partrack: N must be a whole number of days between %d and %d, not %s\n",
                -MAX_ADD_DAYS, MAX_ADD_DAYS, o.pos[1]);
        return CLI_USAGE;
    }
    workcal_t *cal = open_calendar(&o);
    if (!cal)
        return CLI_UNAVAILABLE;
    date_t r = workcal_add_workdays(cal, d, (int)n);
    int ry;
    date_to_ymd(r, &ry, NULL, NULL);
    if (!year_in_range(ry)) {
        fprintf(stderr, "partrack: the result falls outside the calendar's years %d-%d\n",
                CAL_FIRST_YEAR, CAL_LAST_YEAR);
        workcal_destroy(&cal);
        return CLI_USAGE;
    }

    /* Days off skipped on the way that are not plain weekends, as runs of
     * consecutive days with one name. */
    date_t lo = r < d ? r : d, hi = r < d ? d : r;
    json_t *skipped = json_array();
    date_t run_from = DATE_INVALID, run_to = DATE_INVALID;
    const char *run_name = NULL;
    for (date_t x = lo; x <= hi + 1; x++) {
        const char *why = x <= hi && x != d ? workcal_reason(cal, x) : NULL;
        if (why && strcmp(why, date_weekday_vn(x)) == 0)
            why = NULL; /* an ordinary weekend */
        if (run_name && (!why || strcmp(why, run_name) != 0 || x != run_to + 1)) {
            json_array_append_new(skipped, json_pack("{s:o, s:o, s:s}", "from", json_date(run_from),
                                                     "to", json_date(run_to), "name", run_name));
            run_name = NULL;
        }
        if (why && !run_name) {
            run_name = why;
            run_from = x;
        }
        if (why)
            run_to = x;
    }
    char label[64], result_label[64];
    if (o.json) {
        cli_print_json(json_pack("{s:o, s:i, s:o, s:s, s:i, s:o}", "date", json_date(d), "n",
                                 (int)n, "result", json_date(r), "weekday", date_weekday_vn(r),
                                 "calendar_days", (int)(r - d), "skipped", skipped));
    } else {
        printf("%s %c %ld working day%s = %s\n", date_label(d, label, sizeof label),
               n < 0 ? '-' : '+', n < 0 ? -n : n, (n == 1 || n == -1) ? "" : "s",
               date_label(r, result_label, sizeof result_label));
        size_t i;
        json_t *run;
        json_array_foreach(skipped, i, run)
        {
            date_t f = date_parse(json_string_value(json_object_get(run, "from")));
            date_t t = date_parse(json_string_value(json_object_get(run, "to")));
            char fv[11], tv[11];
            date_format_vn(f, fv);
            date_format_vn(t, tv);
            if (f == t)
                printf("  skipped %s: %s\n", fv, json_string_value(json_object_get(run, "name")));
            else
                printf("  skipped %s-%s: %s\n", fv, tv,
                       json_string_value(json_object_get(run, "name")));
        }
        json_decref(skipped);
    }
    workcal_destroy(&cal);
    return CLI_OK;
}

/* "10/03 năm Giáp Thìn", "01/02 nhuận năm Quý Mão". */
static const char *lunar_text(const lunar_date_t *l, char *buf, size_t len)
{
    char name[32];
    snprintf(buf, len, "%02d/%02d%s năm %s", l->day, l->month, l->leap ? " nhuận" : "",
             lunar_year_name(l->year, name, sizeof name));
    return buf;
}

static json_t *lunar_json(const lunar_date_t *l)
{
    char name[32], text[80];
    return json_pack("{s:i, s:i, s:i, s:b, s:s, s:s}", "year", l->year, "month", l->month, "day",
                     l->day, "leap", l->leap, "year_name",
                     lunar_year_name(l->year, name, sizeof name), "text",
                     lunar_text(l, text, sizeof text));
}

static int verb_lunar(int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack calendar lunar DATE [--json]\n\n"
        "The Vietnamese lunar date (âm lịch, computed at UTC+7) of a solar date, with\n"
        "the can-chi name of the lunar year, e.g. 18/04/2024 -> 10/03 năm Giáp Thìn.\n";
    cal_opts_t o;
    int rc = parse_opts(argc, argv, false, &o, usage);
    if (rc != CLI_OK || o.help)
        return rc;
    if ((rc = expect_args(&o, 1, "DATE", usage)) != CLI_OK)
        return rc;
    date_t d = arg_date(o.pos[0]);
    lunar_date_t l;
    if (d == DATE_INVALID)
        return CLI_USAGE;
    if (lunar_from_solar(d, &l) != 0) {
        fprintf(stderr, "partrack: %s is outside the lunar calendar's years %d-%d\n", o.pos[0],
                CAL_FIRST_YEAR, CAL_LAST_YEAR);
        return CLI_USAGE;
    }
    char label[64], text[80];
    if (o.json)
        cli_print_json(json_pack("{s:o, s:s, s:o}", "date", json_date(d), "weekday",
                                 date_weekday_vn(d), "lunar", lunar_json(&l)));
    else
        printf("%s: âm lịch %s\n", date_label(d, label, sizeof label),
               lunar_text(&l, text, sizeof text));
    return CLI_OK;
}

static int verb_solar(int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack calendar solar LUNAR_DATE [--leap] [--json]\n\n"
        "The solar date of a lunar date written D/M/YYYY (day, lunar month, lunar year):\n"
        "10/3/2024 -> 18/04/2024. --leap means the leap month (tháng nhuận) of that number.\n";
    cal_opts_t o;
    int rc = parse_opts(argc, argv, true, &o, usage);
    if (rc != CLI_OK || o.help)
        return rc;
    if ((rc = expect_args(&o, 1, "LUNAR_DATE", usage)) != CLI_OK)
        return rc;
    int day, month, year, len = 0;
    if (sscanf(o.pos[0], "%2d/%2d/%4d%n", &day, &month, &year, &len) != 3 ||
        o.pos[0][len] != '\0' || day < 1 || day > 30 || month < 1 || month > 12) {
        fprintf(stderr, "partrack: %s is not a lunar date (write D/M/YYYY, day 1-30, month 1-12)\n",
                o.pos[0]);
        return CLI_USAGE;
    }
    lunar_date_t l = {.year = year, .month = month, .day = day, .leap = o.leap};
    date_t d = lunar_to_solar(&l);
    if (d == DATE_INVALID) {
        char name[32];
        lunar_date_t first = l;
        first.day = 1;
        if (year < CAL_FIRST_YEAR - 1 || year > CAL_LAST_YEAR)
            fprintf(stderr, "partrack: lunar year %d is outside the calendar's years %d-%d\n", year,
                    CAL_FIRST_YEAR, CAL_LAST_YEAR);
        else if (lunar_to_solar(&first) == DATE_INVALID && o.leap)
            fprintf(stderr, "partrack: the lunar year %d (%s) has no leap month %d\n", year,
                    lunar_year_name(year, name, sizeof name), month);
        else if (lunar_to_solar(&first) == DATE_INVALID)
            fprintf(stderr, "partrack: month %d of the lunar year %d is outside %d-%d\n", month,
                    year, CAL_FIRST_YEAR, CAL_LAST_YEAR);
        else
            fprintf(stderr, "partrack: %smonth %d of the lunar year %d has 29 days\n",
                    o.leap ? "leap " : "", month, year);
        return CLI_REFUSED;
    }
    char label[64], text[80];
    if (o.json)
        cli_print_json(json_pack("{s:o, s:o, s:s}", "lunar", lunar_json(&l), "date", json_date(d),
                                 "weekday", date_weekday_vn(d)));
    else
        printf("âm lịch %s: %s\n", lunar_text(&l, text, sizeof text),
               date_label(d, label, sizeof label));
    return CLI_OK;
}

static int verb_check(int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack calendar check FILE [--json]\n\n"
        "Reads a calendar data file as partrack would and reports the first problem\n"
        "(file:line:column for JSON syntax, the key path and the value otherwise), or\n"
        "the years the file covers. The format is in README.md, section Calendar.\n";
    cal_opts_t o;
    int rc = parse_opts(argc, argv, false, &o, usage);
    if (rc != CLI_OK || o.help)
        return rc;
    if ((rc = expect_args(&o, 1, "FILE", usage)) != CLI_OK)
        return rc;
    char err[600];
    workcal_t *cal = workcal_load(o.pos[0], err, sizeof err);
    if (!cal) {
        if (o.json)
            cli_print_json(json_pack("{s:s, s:b, s:s}", "file", o.pos[0], "ok", 0, "error", err));
        else
            fprintf(stderr, "partrack: %s\n", err);
        return CLI_REFUSED;
    }
    workcal_t *statutory = workcal_new_statutory();
    json_t *years = json_array();
    for (int y = CAL_FIRST_YEAR; statutory && y <= CAL_LAST_YEAR; y++)
        if (strcmp(workcal_source(cal, y), workcal_source(statutory, y)) != 0)
            json_array_append_new(years, json_integer(y));
    if (o.json) {
        cli_print_json(json_pack("{s:s, s:b, s:o}", "file", o.pos[0], "ok", 1, "years", years));
    } else {
        printf("%s: ok; years from the file:", o.pos[0]);
        size_t i;
        json_t *y;
        json_array_foreach(years, i, y) printf(" %lld", (long long)json_integer_value(y));
        printf("%s\n", json_array_size(years) ? "; other years follow the statutory rules"
                                              : " none (statutory rules only)");
        json_decref(years);
    }
    workcal_destroy(&statutory);
    workcal_destroy(&cal);
    return CLI_OK;
}

/* `calendar import FILE`: the only verb that talks to a service. */
static int verb_import(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack calendar import FILE [--json]\n\n"
        "Gives the deadline service the official calendar in FILE (the format of\n"
        "share/partrack/calendar-vn.json: check it first with `partrack calendar check`).\n"
        "It replaces the shipped data for the service, survives restarts, and every open\n"
        "due date the change moves (a holiday added, a working Saturday announced) is\n"
        "recomputed, its level included, with a DueRecomputed event.\n";
    bool json = false, help;
    const cli_option_t options[] = {
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    if (rc == CLI_OK && !help && npos != 1) {
        fprintf(stderr, "partrack: name one calendar file\n\n%s", usage);
        rc = CLI_USAGE;
    }
    size_t len = 0;
    char *data = NULL;
    if (rc == CLI_OK && !help && !(data = cli_read_file(pos[0], 4u << 20, &len)))
        rc = CLI_REFUSED;
    if (rc != CLI_OK || help) {
        free(pos);
        return rc;
    }
    Partrack__CalendarImportRequest req = PARTRACK__CALENDAR_IMPORT_REQUEST__INIT;
    req.name = pos[0];
    req.document.data = (uint8_t *)data;
    req.document.len = len;
    Partrack__CalendarImportReply *r = NULL;
    rc = cli_call(cli, cli->deadline, PARTRACK__MESSAGE_TYPE__MSG_CALENDAR_IMPORT, &req.base, true,
                  PARTRACK__MESSAGE_TYPE__MSG_CALENDAR_IMPORT_REPLY,
                  &partrack__calendar_import_reply__descriptor, (ProtobufCMessage **)&r);
    free(data);
    free(pos);
    if (rc != CLI_OK)
        return rc;
    if (json)
        cli_print_json(json_pack("{s:i, s:i, s:i}", "years", (int)r->years, "checked",
                                 (int)r->checked, "moved", (int)r->moved));
    else
        printf("calendar imported: %u years; %u open due dates checked, %u moved\n", r->years,
               r->checked, r->moved);
    partrack__calendar_import_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

int cli_calendar(cli_t *cli, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } verbs[] = {
        {"holidays", verb_holidays},
        {"is-workday", verb_is_workday},
        {"add-workdays", verb_add_workdays},
        {"lunar", verb_lunar},
        {"solar", verb_solar},
        {"check", verb_check},
    };
    if (argc < 2) {
        fputs(calendar_usage, stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(calendar_usage, stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "import") == 0)
        return cli_run_online(cli, verb_import, argc - 1, argv + 1);
    for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++) {
        if (strcmp(argv[1], verbs[v].name) == 0) {
            int rc = verbs[v].run(argc - 1, argv + 1);
            free(verb_args);
            verb_args = NULL;
            return rc;
        }
    }
    fprintf(stderr, "partrack: unknown calendar verb %s\n\n%s", argv[1], calendar_usage);
    return CLI_USAGE;
}
