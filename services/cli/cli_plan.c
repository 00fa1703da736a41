/* cli_plan.c - `partrack plan ...`: plans and their task tables
 *
 * One function per verb, listed in the `verbs` table with its synopsis (the
 * usage text is built from it) and whether it needs a service: adding a verb
 * is a function and a row. main.c registers `plan` as offline (no ZeroMQ
 * context), so the dispatcher makes the context itself for a verb that
 * talks to a service, and ends it after.
 *
 * `plan parse FILE --year Y` reads a plan's task table the way an import
 * would (plan_table_read over the shipped working-day calendar) and shows
 * it: for people a summary per table - each task's ordinal, shortened title,
 * lead units and deadline with its first due date - then the deadlines not
 * understood and the warnings; for scripts (--json) the object documented in
 * the README ("Plan tables"), whose schedules are those of `partrack deadline
 * explain --json`. Exit codes: 0 read (warnings allowed), 1 unusable (not
 * a table, over the limits, unreadable), 2 usage error, 3 calendar data
 * unreadable.
 */
#include "cli_plan.h"

#include "cli_plan_online.h"
#include "plan_json.h"
#include "plan_table.h"
#include "workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int verb_parse(cli_t *cli, int argc, char **argv);

static const struct {
    const char *name;
    int (*run)(cli_t *, int, char **);
    bool offline; /* needs no service */
    const char *synopsis;
} verbs[] = {
    {"parse", verb_parse, true,
     "parse FILE --year YEAR [--calendar FILE] [--json]\n"
     "        read a plan's task table (pasted text or CSV); no service needed"},
    {"import", cli_plan_import, false,
     "import FILE --unit CODE --year YEAR --number NUMBER --title TITLE\n"
     "        [--issued DATE] [--implements NUMBER]... [--replace] [--dry-run] [--json]\n"
     "        store a plan and its tasks, names resolved against the unit directory\n"
     "  import --manifest FILE [--skip-imported] [--dry-run] [--json]\n"
     "        store many plans listed in a manifest, in one transaction per 12 MiB"},
    {"show", cli_plan_show, false,
     "show NUMBER [--unit CODE] [--year YEAR] [--json]\n"
     "        a stored plan and its tasks"},
    {"tree", cli_plan_tree, false,
     "tree [NUMBER] [--unit CODE] [--year YEAR] [--json]\n"
     "        the cascade: each plan under the plan it implements"},
    {"coverage", cli_plan_coverage, false,
     "coverage NUMBER [--unit CODE] [--year YEAR] [--json]\n"
     "        which subordinate units have not issued their plan yet"},
};

static void print_usage(FILE *out)
{
    fputs("usage: partrack plan VERB ...\n\n", out);
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(out, "  %s\n", verbs[i].synopsis);
    fputs("\nRun `partrack plan VERB --help` for more.\n", out);
}

static const char parse_usage[] =
    "usage: partrack plan parse FILE --year YEAR [--calendar FILE] [--json]\n"
    "\n"
    "Reads the task table(s) of a plan as officers have them: text pasted from Word\n"
    "or PDF (tab-separated) or CSV exported by LibreOffice or Excel. Columns are found\n"
    "by their headers (STT, Nhiệm vụ, Đơn vị chủ trì, Đơn vị phối hợp, Thời gian hoàn\n"
    "thành...); continuation rows, repeated headers, group rows (I, II, \"Tiêu chí:\n"
    "...\") and HTML in cells are handled; each deadline is read for plan year YEAR.\n"
    "Nothing is stored. The format is in the README (\"Plan tables\").\n"
    "\n"
    "  --year YEAR       the plan year, 1900-2100 (required)\n"
    "  --calendar FILE   calendar data (default: the shipped calendar-vn.json or\n"
    "                    $PARTRACK_CALENDAR_FILE)\n"
    "  --json            the tables, tasks and warnings as JSON\n"
    "\n"
    "Exit status: 0 read (warnings allowed), 1 not usable, 2 usage error,\n"
    "3 calendar data unreadable.\n";

/* ---- text output ---- */

/* Writes at most `chars` characters of the first line of s, with "…" when
 * cut. */
static void print_short(const char *s, size_t chars)
{
    size_t n = 0, i = 0;
    while (s[i] && s[i] != '\n') {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (n == chars)
                break;
            n++;
        }
        i++;
    }
    fwrite(s, 1, i, stdout);
    if (s[i])
        fputs("…", stdout);
}

static void print_joined(char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? "; " : "", names[i]);
}

static void print_due(const plan_task_t *t)
{
    const deadline_t *d = t->schedule;
    if (!t->deadline_text) {
        puts("—");
        return;
    }
    print_short(t->deadline_text, 60);
    if (d->unparsed) {
        puts("  [không hiểu / not understood]");
        return;
    }
    if (d->ndue) {
        char date[11];
        date_format_vn(d->due[0].effective, date);
        printf(" → %s", date);
        if (d->ndue > 1)
            printf(" (+%zu)", d->ndue - 1);
    }
    if (d->continuous)
        fputs(d->ndue ? ", thường xuyên / continuous" : " → thường xuyên / continuous", stdout);
    if (d->event) {
        fputs(" → sự kiện / event", stdout);
        if (d->expected != DATE_INVALID) {
            char date[11];
            date_format_vn(d->expected, date);
            printf(", dự kiến / expected %s", date);
        }
    }
    if (d->adhoc)
        fputs(", đột xuất / ad hoc", stdout);
    putchar('\n');
}

static void print_task(const plan_task_t *t, const char *indent)
{
    printf("%s%-5s ", indent, t->ordinal ? t->ordinal : "-");
    print_short(t->title ? t->title : "(không có tên / no title)", 72);
    printf("  (dòng / line %u)\n", t->line);
    printf("%s      chủ trì / lead: ", indent);
    if (t->nlead)
        print_joined(t->lead, t->nlead);
    else
        fputs("—", stdout);
    putchar('\n');
    if (t->ncooperating) {
        printf("%s      phối hợp / cooperating: ", indent);
        print_joined(t->cooperating, t->ncooperating);
        putchar('\n');
    }
    printf("%s      hạn / due: ", indent);
    print_due(t);
}

static void print_doc(const plan_doc_t *doc, const char *file, int year)
{
    size_t ntasks = 0, nareas = 0, unparsed = 0;
    for (size_t i = 0; i < doc->ntables; i++) {
        ntasks += doc->tables[i].ntasks;
        nareas += doc->tables[i].nareas;
        for (size_t k = 0; k < doc->tables[i].ntasks; k++)
            unparsed +=
                doc->tables[i].tasks[k].schedule && doc->tables[i].tasks[k].schedule->unparsed;
    }
    printf("%s: %zu bảng / tables, %zu nhóm / groups, %zu nhiệm vụ / tasks, %zu cảnh báo / "
           "warnings (%s, năm kế hoạch / plan year %d)\n",
           file, doc->ntables, nareas, ntasks, doc->nwarnings,
           doc->delimiter == '\t' ? "tab-separated" : "CSV", year);
    for (size_t i = 0; i < doc->ntables; i++) {
        const plan_table_t *t = &doc->tables[i];
        printf("\nBảng / table %zu (dòng / line %u): ", i + 1, t->line);
        if (t->title) {
            for (const char *p = t->title; *p; p++)
                if (*p == '\n')
                    fputs(" · ", stdout);
                else
                    putchar(*p);
        } else {
            fputs("(không có tiêu đề / no title)", stdout);
        }
        printf("\n  %zu nhiệm vụ / tasks\n", t->ntasks);
        const char *area = NULL;
        size_t next_area = 0;
        for (size_t k = 0; k < t->ntasks; k++) {
            const plan_task_t *task = &t->tasks[k];
            while (next_area < t->nareas && t->areas[next_area].line <= task->line) {
                const plan_area_t *a = &t->areas[next_area++];
                printf("  %s ", a->ordinal);
                print_short(a->title ? a->title : "", 76);
                putchar('\n');
            }
            if (task->area != area)
                area = task->area;
            print_task(task, area ? "    " : "  ");
        }
        for (; next_area < t->nareas; next_area++)
            printf("  %s %s\n", t->areas[next_area].ordinal,
                   t->areas[next_area].title ? t->areas[next_area].title : "");
    }
    if (unparsed) {
        printf("\nHạn chưa hiểu / deadlines not understood (%zu):\n", unparsed);
        for (size_t i = 0; i < doc->ntables; i++) {
            for (size_t k = 0; k < doc->tables[i].ntasks; k++) {
                const plan_task_t *task = &doc->tables[i].tasks[k];
                if (task->schedule && task->schedule->unparsed)
                    printf("  dòng / line %u, nhiệm vụ / task %s: \"%s\"\n", task->line,
                           task->ordinal ? task->ordinal : "-", task->deadline_text);
            }
        }
    }
    if (doc->nwarnings) {
        printf("\nCảnh báo / warnings (%zu):\n", doc->nwarnings);
        for (size_t i = 0; i < doc->nwarnings; i++) {
            if (doc->warnings[i].line)
                printf("  %s:%u: %s\n", file, doc->warnings[i].line, doc->warnings[i].message);
            else
                printf("  %s: %s\n", file, doc->warnings[i].message);
        }
    }
}

/* ---- verbs ---- */

static int verb_parse(cli_t *cli, int argc, char **argv)
{
    (void)cli;
    bool json = false, options_done = false;
    int year = 0;
    const char *calendar = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
        } else if (!options_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            fputs(parse_usage, stdout);
            return CLI_OK;
        } else if (!options_done && strcmp(a, "--json") == 0) {
            json = true;
        } else if (!options_done && strncmp(a, "--year", 6) == 0 && (a[6] == '\0' || a[6] == '=')) {
            const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
            char *end;
            long y = v ? strtol(v, &end, 10) : 0;
            if (!v || !*v || *end || y < 1900 || y > 2100) {
                fprintf(stderr, "partrack: --year takes a year between 1900 and 2100\n");
                return CLI_USAGE;
            }
            year = (int)y;
        } else if (!options_done && strncmp(a, "--calendar", 10) == 0 &&
                   (a[10] == '\0' || a[10] == '=')) {
            calendar = a[10] == '=' ? a + 11 : (i + 1 < argc ? argv[++i] : NULL);
            if (!calendar || !*calendar) {
                fprintf(stderr, "partrack: --calendar needs a file name\n");
                return CLI_USAGE;
            }
        } else if (!options_done && strncmp(a, "--", 2) == 0 && a[2] != '\0') {
            fprintf(stderr, "partrack: unknown option %s\n\n%s", a, parse_usage);
            return CLI_USAGE;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "partrack: plan parse reads one file\n\n%s", parse_usage);
            return CLI_USAGE;
        }
    }
    if (!file || !year) {
        fprintf(stderr, "partrack: plan parse needs FILE and --year\n\n%s", parse_usage);
        return CLI_USAGE;
    }
    char err[512];
    workcal_t *cal =
        calendar ? workcal_load(calendar, err, sizeof err) : workcal_load_default(err, sizeof err);
    if (!cal) {
        fprintf(stderr, "partrack: cannot read the working-day calendar: %s\n", err);
        return CLI_UNAVAILABLE;
    }
    size_t len = 0;
    char *data = cli_read_file(file, PLAN_TABLE_MAX_BYTES, &len);
    if (!data) {
        workcal_destroy(&cal);
        return CLI_REFUSED;
    }
    plan_doc_t *doc = plan_table_read(file, data, len, year, cal, err, sizeof err);
    free(data);
    int rc = CLI_OK;
    if (!doc) {
        fprintf(stderr, "partrack: %s\n", err);
        rc = CLI_REFUSED;
    } else if (json) {
        json_t *o = plan_doc_to_json(doc, file, year);
        if (o) {
            cli_print_json(o);
        } else {
            fprintf(stderr, "partrack: out of memory\n");
            rc = CLI_REFUSED;
        }
    } else {
        print_doc(doc, file, year);
    }
    plan_doc_destroy(&doc);
    workcal_destroy(&cal);
    return rc;
}

int cli_plan(cli_t *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        if (strcmp(argv[1], verbs[i].name) != 0)
            continue;
        if (verbs[i].offline)
            return verbs[i].run(cli, argc - 1, argv + 1);
        return cli_run_online(cli, verbs[i].run, argc - 1, argv + 1);
    }
    fprintf(stderr, "partrack: unknown verb plan %s\n\n", argv[1]);
    print_usage(stderr);
    return CLI_USAGE;
}
