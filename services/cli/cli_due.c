/* cli_due.c - `partrack due`, `status`, `clock`: the deadline service's commands
 *
 * The deadline service keeps each task's due occurrences and moves them through
 * the levels of DESIGN.md "Task status" (Dài hạn, Sắp đến hạn, Đến hạn, Quá hạn,
 * Quá hạn - đã báo cấp trên, Chờ sự kiện, Không cập nhật). `due` lists open
 * occurrences and `due ack` records that an alert was seen; `status` gives the
 * Government Office's counts (done on time, done late, open within deadline,
 * open overdue, waiting) by unit and by area; `clock` reads the service's clock
 * and, when the service runs with PARTRACK_DEADLINE_CLOCK=manual, sets it.
 * Every call goes to cli->deadline. Text is for people: dates as dd/mm/yyyy,
 * columns measured in characters, not bytes, since titles, levels and headings
 * are Vietnamese; --json gives every field, with null for what is absent.
 * Changes (ack, clock set) carry an idempotency key.
 */
#include "cli_due.h"
#include "cli_due_policy.h"

#include "deadline.pb-c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TITLE_CHARS  50      /* a task title is cut to this many characters */
#define WITHIN_MAX   3660    /* --within: ten years of days */
#define LIMIT_MAX    100000u /* --limit */
#define STATUS_WIDTH 13      /* one count column of `status` */

static const char due_usage[] =
    "usage: partrack due [--unit CODE [--subtree]] [--within N|Nd] [--overdue]\n"
    "                    [--plan NUMBER] [--limit N] [--json]\n"
    "       partrack due ack OCCURRENCE_ID --level due_soon|due|overdue [--json]\n"
    "       partrack due policy --plan NUMBER [--unit CODE] [--soon-days N | --default]\n"
    "\n"
    "Lists the open due occurrences of tasks as the deadline service sees them\n"
    "now: one line per occurrence with its id, due date, level (Dài hạn,\n"
    "Sắp đến hạn, Đến hạn, Quá hạn, Quá hạn – đã báo cấp trên, Chờ sự kiện, Không\n"
    "cập nhật), plan, task number, title and lead units.\n"
    "\n"
    "  --unit CODE      occurrences of tasks this unit leads or cooperates on\n"
    "  --subtree        with --unit: also of every unit under it (a ward and its\n"
    "                   sections)\n"
    "  --within N|Nd    due on or before today + N days (0 to 3660; 0 is today)\n"
    "  --overdue        only those past their due date\n"
    "  --plan NUMBER    tasks of plans with this number (\"104/KH-UBND\")\n"
    "  --limit N        at most N lines (the total is still counted)\n"
    "  --json           every field, for scripts\n"
    "\n"
    "`due ack` records that the alert at a level was seen: no escalation past that\n"
    "level follows for the occurrence. `partrack due ack --help` tells more.\n"
    "`due policy` shows or sets how many days before its due date a plan's\n"
    "occurrences are due soon (`partrack due policy --help`).\n";

/* Characters (not bytes) in a UTF-8 string. */
static int utf8_chars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Bytes taken by the first `chars` characters of s (all of s if shorter). */
static size_t utf8_prefix(const char *s, int chars)
{
    size_t i = 0;
    int n = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (n == chars)
                break;
            n++;
        }
    }
    return i;
}

/* Prints s right-aligned in `width` characters. */
static void print_right(const char *s, int width)
{
    for (int n = utf8_chars(s); n < width; n++)
        putchar(' ');
    fputs(s, stdout);
}

/* "2024-06-30" -> "30/06/2024"; anything else as it is, NULL as "—". */
static void format_date(const char *iso, char *buf, size_t len)
{
    static const char shape[] = "dddd-dd-dd";
    bool ok = iso != NULL && strlen(iso) >= 10;
    for (int i = 0; ok && i < 10; i++)
        ok = shape[i] == 'd' ? iso[i] >= '0' && iso[i] <= '9' : iso[i] == shape[i];
    if (ok)
        snprintf(buf, len, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
    else
        snprintf(buf, len, "%s", iso ? iso : "—");
}

/* A title cut to TITLE_CHARS characters, with "…" when cut. */
static void format_title(const char *title, char *buf, size_t len)
{
    if (utf8_chars(title) <= TITLE_CHARS) {
        snprintf(buf, len, "%s", title);
        return;
    }
    size_t n = utf8_prefix(title, TITLE_CHARS - 1);
    while (n > 0 && title[n - 1] == ' ')
        n--;
    snprintf(buf, len, "%.*s…", (int)n, title);
}

static json_t *due_item_json(const Partrack__DueItem *d)
{
    json_t *lead = json_array();
    for (size_t i = 0; i < d->n_lead; i++)
        json_array_append_new(lead, json_string(d->lead[i]));
    json_t *o = json_object();
    json_object_set_new(o, "occurrence_id", json_integer(d->occurrence_id));
    json_object_set_new(o, "task_id", json_integer(d->task_id));
    json_object_set_new(o, "plan_number", json_string(d->plan_number));
    json_object_set_new(o, "plan_unit", json_string(d->plan_unit));
    json_object_set_new(o, "ordinal", cli_json_string(d->ordinal));
    json_object_set_new(o, "title", json_string(d->title));
    json_object_set_new(o, "lead", lead);
    json_object_set_new(o, "due_date", cli_json_string(d->due_date));
    json_object_set_new(o, "nominal_date", cli_json_string(d->nominal_date));
    json_object_set_new(o, "label", cli_json_string(d->label));
    json_object_set_new(o, "level", json_string(d->level));
    json_object_set_new(o, "level_vn", json_string(d->level_vn));
    json_object_set_new(o, "days_left",
                        d->has_days_left ? json_integer(d->days_left) : json_null());
    json_object_set_new(o, "workdays_overdue",
                        d->has_workdays_overdue ? json_integer(d->workdays_overdue) : json_null());
    json_object_set_new(o, "data_window",
                        d->data_from && d->data_to
                            ? json_pack("{s:s, s:s, s:b}", "from", d->data_from, "to", d->data_to,
                                        "clipped", d->has_data_clipped && d->data_clipped)
                            : json_null());
    const Partrack__Threatened *t = d->threatens;
    json_object_set_new(o, "threatens",
                        t ? json_pack("{s:I, s:I, s:s, s:o, s:s, s:s}", "occurrence_id",
                                      (json_int_t)t->occurrence_id, "task_id",
                                      (json_int_t)t->task_id, "plan_number", t->plan_number,
                                      "ordinal", cli_json_string(t->ordinal), "title", t->title,
                                      "due_date", t->due_date)
                          : json_null());
    return o;
}

static json_t *due_reply_json(const Partrack__DueListReply *r)
{
    json_t *items = json_array();
    for (size_t i = 0; i < r->n_items; i++)
        json_array_append_new(items, due_item_json(r->items[i]));
    return json_pack("{s:s, s:I, s:o}", "now", r->now, "total", (json_int_t)r->total, "items",
                     items);
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

/* The header with the service's clock, a line per item, then "N of TOTAL"
 * when `count`. Columns are as wide as their widest cell. */
static void due_reply_print(const Partrack__DueListReply *r, bool count)
{
    printf("now: %s\n", r->now);
    int level_w = 5, plan_w = 4, ordinal_w = 2; /* "level", "plan", "no" */
    for (size_t i = 0; i < r->n_items; i++) {
        const Partrack__DueItem *d = r->items[i];
        level_w = max_int(level_w, utf8_chars(d->level_vn));
        plan_w = max_int(plan_w, utf8_chars(d->plan_number));
        ordinal_w = max_int(ordinal_w, d->ordinal ? utf8_chars(d->ordinal) : 0);
    }
    if (r->n_items > 0) {
        printf("%8s  %-10s  ", "id", "due");
        cli_print_padded("level", level_w);
        fputs("  ", stdout);
        cli_print_padded("plan", plan_w);
        fputs("  ", stdout);
        cli_print_padded("no", ordinal_w);
        fputs("  ", stdout);
        cli_print_padded("task", TITLE_CHARS);
        fputs("  lead\n", stdout);
    }
    for (size_t i = 0; i < r->n_items; i++) {
        const Partrack__DueItem *d = r->items[i];
        char date[32], title[TITLE_CHARS * 4 + 8];
        format_date(d->due_date, date, sizeof date);
        format_title(d->title, title, sizeof title);
        printf("%8lld  ", (long long)d->occurrence_id);
        cli_print_padded(date, 10);
        fputs("  ", stdout);
        cli_print_padded(d->level_vn, level_w);
        fputs("  ", stdout);
        cli_print_padded(d->plan_number, plan_w);
        fputs("  ", stdout);
        cli_print_padded(d->ordinal ? d->ordinal : "", ordinal_w);
        fputs("  ", stdout);
        if (d->n_lead > 0)
            cli_print_padded(title, TITLE_CHARS);
        else
            fputs(title, stdout); /* no trailing blanks */
        for (size_t k = 0; k < d->n_lead; k++)
            printf("%s%s", k ? "," : "  ", d->lead[k]);
        putchar('\n');
        if (d->data_from && d->data_to) {
            char from[32], to[32];
            format_date(d->data_from, from, sizeof from);
            format_date(d->data_to, to, sizeof to);
            printf("          ↳ số liệu / data: %s - %s%s\n", from, to,
                   d->has_data_clipped && d->data_clipped
                       ? " (chốt trước hạn nộp / cut off before the deadline)"
                       : "");
        }
        if (d->threatens) {
            const Partrack__Threatened *t = d->threatens;
            char due[32];
            format_date(t->due_date, due, sizeof due);
            printf("          ↳ threatens / ảnh hưởng: %s %s (hạn %s) %s\n", t->plan_number,
                   t->ordinal ? t->ordinal : "", due, t->title);
        }
    }
    if (count)
        printf("%zu of %u occurrence%s\n", r->n_items, r->total, r->total == 1 ? "" : "s");
}

/* "7" or "7d", 0..WITHIN_MAX days. */
static int parse_within(const char *text, int32_t *days)
{
    const char *p = text;
    long v = 0;
    while (*p >= '0' && *p <= '9' && v <= WITHIN_MAX)
        v = v * 10 + (*p++ - '0');
    if (p == text || (*p == 'd' && p[1] != '\0') || (*p != 'd' && *p != '\0') || v > WITHIN_MAX) {
        fprintf(stderr,
                "partrack: --within takes days from 0 to %d, as \"7\" or \"7d\", not \"%s\"\n",
                WITHIN_MAX, text);
        return CLI_USAGE;
    }
    *days = (int32_t)v;
    return CLI_OK;
}

/* A whole number from 1 to max, digits only. */
static bool parse_count(const char *text, unsigned long max, unsigned long *value)
{
    if (*text < '0' || *text > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (*end || errno || v < 1 || v > max)
        return false;
    *value = v;
    return true;
}

/* Refuses an option given as "--unit=" (empty). */
static int check_not_empty(const char *value, const char *name)
{
    if (value && !*value) {
        fprintf(stderr, "partrack: --%s needs a value\n", name);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int verb_due_list(cli_t *cli, int argc, char **argv)
{
    const char *unit = NULL, *within = NULL, *plan = NULL, *limit = NULL;
    bool overdue = false, subtree = false, json = false, help;
    const cli_option_t options[] = {
        {"unit", &unit, NULL, NULL, NULL},     {"subtree", NULL, &subtree, NULL, NULL},
        {"within", &within, NULL, NULL, NULL}, {"overdue", NULL, &overdue, NULL, NULL},
        {"plan", &plan, NULL, NULL, NULL},     {"limit", &limit, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},     {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, due_usage, &pos, &npos, &help);
    if (rc == CLI_OK && !help && npos > 0) {
        fprintf(stderr, "partrack: due takes options only (or the verb ack), not \"%s\"\n\n%s",
                pos[0], due_usage);
        rc = CLI_USAGE;
    }
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    Partrack__DueListRequest req = PARTRACK__DUE_LIST_REQUEST__INIT;
    if ((rc = check_not_empty(unit, "unit")) != CLI_OK ||
        (rc = check_not_empty(plan, "plan")) != CLI_OK)
        return rc;
    if (within) {
        if ((rc = parse_within(within, &req.within_days)) != CLI_OK)
            return rc;
        req.has_within_days = 1;
    }
    if (limit) {
        unsigned long n;
        if (!parse_count(limit, LIMIT_MAX, &n)) {
            fprintf(stderr, "partrack: --limit takes a number from 1 to %u\n", LIMIT_MAX);
            return CLI_USAGE;
        }
        req.has_limit = 1;
        req.limit = (uint32_t)n;
    }
    if (overdue) {
        req.has_overdue = 1;
        req.overdue = 1;
    }
    if (subtree && !unit) {
        fprintf(stderr, "partrack: --subtree goes with --unit CODE\n");
        return CLI_USAGE;
    }
    req.has_subtree = subtree;
    req.subtree = subtree;
    req.unit = (char *)unit;
    req.plan = (char *)plan;
    Partrack__DueListReply *r = NULL;
    rc = cli_call(cli, cli->deadline, PARTRACK__MESSAGE_TYPE__MSG_DUE_LIST, &req.base, false,
                  PARTRACK__MESSAGE_TYPE__MSG_DUE_LIST_REPLY, &partrack__due_list_reply__descriptor,
                  (ProtobufCMessage **)&r);
    if (rc != CLI_OK)
        return rc;
    if (json)
        cli_print_json(due_reply_json(r));
    else
        due_reply_print(r, true);
    partrack__due_list_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

static int verb_due_ack(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack due ack OCCURRENCE_ID --level due_soon|due|overdue [--json]\n"
        "\n"
        "Records that the alert for an occurrence (the id `partrack due` prints first)\n"
        "was seen at a level: due_soon (Sắp đến hạn, the lead unit was reminded), due\n"
        "(Đến hạn, its head was told) or overdue (Quá hạn). No escalation past that\n"
        "level follows for this occurrence: an overdue one acknowledged at `overdue`\n"
        "is not escalated to the parent unit's head. Its level still moves with time\n"
        "(`due` and `status` still show it overdue). Prints the occurrence.\n";
    const char *level = NULL;
    bool json = false, help;
    const cli_option_t options[] = {
        {"level", &level, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    Partrack__DueAckRequest req = PARTRACK__DUE_ACK_REQUEST__INIT;
    if (rc == CLI_OK && !help && npos != 1) {
        fprintf(stderr, "partrack: name one occurrence id\n\n%s", usage);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && !help) {
        char *end;
        errno = 0;
        long long id = strtoll(pos[0], &end, 10);
        if (pos[0][0] < '0' || pos[0][0] > '9' || *end || errno || id <= 0) {
            fprintf(stderr, "partrack: \"%s\" is not an occurrence id\n\n%s", pos[0], usage);
            rc = CLI_USAGE;
        }
        req.occurrence_id = id;
    }
    free(pos);
    if (rc == CLI_OK && !help &&
        (!level || (strcmp(level, "due_soon") != 0 && strcmp(level, "due") != 0 &&
                    strcmp(level, "overdue") != 0))) {
        fprintf(stderr, "partrack: --level takes due_soon, due or overdue%s%s%s\n\n%s",
                level ? ", not \"" : "", level ? level : "", level ? "\"" : "", usage);
        rc = CLI_USAGE;
    }
    if (rc != CLI_OK || help)
        return rc;
    req.level = (char *)level;
    Partrack__DueListReply *r = NULL;
    rc = cli_call(cli, cli->deadline, PARTRACK__MESSAGE_TYPE__MSG_DUE_ACK, &req.base, true,
                  PARTRACK__MESSAGE_TYPE__MSG_DUE_LIST_REPLY, &partrack__due_list_reply__descriptor,
                  (ProtobufCMessage **)&r);
    if (rc != CLI_OK)
        return rc;
    if (json) {
        cli_print_json(due_reply_json(r));
    } else {
        due_reply_print(r, false);
        printf("acknowledged at level %s: no escalation past it follows\n", level);
    }
    partrack__due_list_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

int cli_due(cli_t *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "ack") == 0)
        return verb_due_ack(cli, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "policy") == 0)
        return cli_due_policy(cli, argc - 1, argv + 1);
    return verb_due_list(cli, argc, argv);
}

static json_t *status_row_json(const Partrack__StatusRow *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "key", json_string(s->key));
    json_object_set_new(o, "name", cli_json_string(s->name));
    json_object_set_new(o, "done_on_time", json_integer(s->done_on_time));
    json_object_set_new(o, "done_late", json_integer(s->done_late));
    json_object_set_new(o, "open_within", json_integer(s->open_within));
    json_object_set_new(o, "open_overdue", json_integer(s->open_overdue));
    json_object_set_new(o, "waiting", json_integer(s->waiting));
    json_object_set_new(o, "on_time_rate",
                        s->on_time_rate < 0 ? json_null() : json_real(s->on_time_rate));
    return o;
}

static json_t *status_rows_json(Partrack__StatusRow **rows, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, status_row_json(rows[i]));
    return a;
}

/* The first cell of a row: the unit code, or the area with its plan. */
static void status_key(const Partrack__StatusRow *s, char *buf, size_t len)
{
    if (s->name && *s->name)
        snprintf(buf, len, "%s (%s)", s->key, s->name);
    else
        snprintf(buf, len, "%s", s->key);
}

static void status_row_print(const char *key, const Partrack__StatusRow *s, int key_w)
{
    char rate[32];
    if (s->on_time_rate < 0)
        snprintf(rate, sizeof rate, "—");
    else
        snprintf(rate, sizeof rate, "%.1f%%", s->on_time_rate);
    cli_print_padded(key, key_w);
    printf("%*u%*u%*u%*u%*u", STATUS_WIDTH, s->done_on_time, STATUS_WIDTH, s->done_late,
           STATUS_WIDTH, s->open_within, STATUS_WIDTH, s->open_overdue, STATUS_WIDTH, s->waiting);
    print_right(rate, STATUS_WIDTH + 3);
    putchar('\n');
}

/* One section: its title, two heading lines (Vietnamese, English), its rows
 * and the total row. */
static void status_section_print(const char *title, const char *key_vn, const char *key_en,
                                 Partrack__StatusRow **rows, size_t n,
                                 const Partrack__StatusRow *total)
{
    static const char *const vn[] = {"Đúng hạn", "Trễ hạn",     "Trong hạn",
                                     "Quá hạn",  "Chờ sự kiện", "Tỷ lệ đúng hạn"};
    static const char *const en[] = {"done on time", "done late", "open within",
                                     "open overdue", "waiting",   "on-time rate"};
    char key[256];
    int key_w =
        max_int(utf8_chars(key_vn), max_int(utf8_chars(key_en), utf8_chars("Tổng / total")));
    for (size_t i = 0; i < n; i++) {
        status_key(rows[i], key, sizeof key);
        key_w = max_int(key_w, utf8_chars(key));
    }
    printf("\n%s\n", title);
    cli_print_padded(key_vn, key_w);
    for (int c = 0; c < 6; c++)
        print_right(vn[c], STATUS_WIDTH + 3 * (c == 5));
    putchar('\n');
    cli_print_padded(key_en, key_w);
    for (int c = 0; c < 6; c++)
        print_right(en[c], STATUS_WIDTH + 3 * (c == 5));
    putchar('\n');
    if (n == 0)
        printf("(none)\n");
    for (size_t i = 0; i < n; i++) {
        status_key(rows[i], key, sizeof key);
        status_row_print(key, rows[i], key_w);
    }
    status_row_print("Tổng / total", total, key_w);
}

int cli_status(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack status [--unit CODE] [--plan NUMBER] [--json]\n"
        "\n"
        "How tasks stand against their deadlines, as the Government Office counts\n"
        "them, by lead unit and by area of the plan (lĩnh vực), then in total:\n"
        "  Đúng hạn / done on time      completed by the due date\n"
        "  Trễ hạn / done late          completed after it\n"
        "  Trong hạn / open within      not done, not yet past due\n"
        "  Quá hạn / open overdue       not done and past due\n"
        "  Chờ sự kiện / waiting        waiting for the event they follow\n"
        "  Tỷ lệ đúng hạn / on-time rate  done on time / (done + open overdue);\n"
        "                               \"—\" (null in --json) when nothing is due yet\n"
        "\n"
        "  --unit CODE      only tasks this unit leads\n"
        "  --plan NUMBER    only tasks of plans with this number\n"
        "  --json           every field, for scripts\n";
    const char *unit = NULL, *plan = NULL;
    bool json = false, help;
    const cli_option_t options[] = {
        {"unit", &unit, NULL, NULL, NULL},
        {"plan", &plan, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    if (rc == CLI_OK && !help && npos > 0) {
        fprintf(stderr, "partrack: status takes options only, not \"%s\"\n\n%s", pos[0], usage);
        rc = CLI_USAGE;
    }
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    if ((rc = check_not_empty(unit, "unit")) != CLI_OK ||
        (rc = check_not_empty(plan, "plan")) != CLI_OK)
        return rc;
    Partrack__StatusRequest req = PARTRACK__STATUS_REQUEST__INIT;
    req.unit = (char *)unit;
    req.plan = (char *)plan;
    Partrack__StatusReply *r = NULL;
    rc = cli_call(cli, cli->deadline, PARTRACK__MESSAGE_TYPE__MSG_STATUS, &req.base, false,
                  PARTRACK__MESSAGE_TYPE__MSG_STATUS_REPLY, &partrack__status_reply__descriptor,
                  (ProtobufCMessage **)&r);
    if (rc != CLI_OK)
        return rc;
    if (json) {
        cli_print_json(json_pack(
            "{s:s, s:o, s:o, s:o}", "now", r->now, "units", status_rows_json(r->units, r->n_units),
            "areas", status_rows_json(r->areas, r->n_areas), "total", status_row_json(r->total)));
    } else {
        printf("now: %s\n", r->now);
        status_section_print("By unit (theo đơn vị chủ trì)", "Đơn vị", "unit", r->units,
                             r->n_units, r->total);
        status_section_print("By area (theo lĩnh vực)", "Lĩnh vực", "area", r->areas, r->n_areas,
                             r->total);
    }
    partrack__status_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

static const char clock_usage[] =
    "usage: partrack clock [show] [--json]\n"
    "       partrack clock set WHEN [--json]\n"
    "\n"
    "Shows the deadline service's clock: the time it measures due dates against,\n"
    "and whether it is the real clock or a manual one.\n"
    "\n"
    "`clock set` moves a manual clock to WHEN (RFC 3339, YYYY-MM-DD or\n"
    "YYYY-MM-DDTHH:MM, Asia/Ho_Chi_Minh when no offset is given) and runs the sweep\n"
    "at once: every occurrence that reaches a new level by then emits its\n"
    "transition, and the count is printed. The manual clock exists only when the\n"
    "deadline service runs with PARTRACK_DEADLINE_CLOCK=manual, for tests and\n"
    "drills; a service on the real clock refuses `clock set` (exit status 1).\n";

/* WHEN must at least start with a date, YYYY-MM-DD; the service checks the rest. */
static bool when_looks_right(const char *when)
{
    static const char shape[] = "dddd-dd-dd";
    if (strlen(when) < 10)
        return false;
    for (int i = 0; i < 10; i++)
        if (shape[i] == 'd' ? when[i] < '0' || when[i] > '9' : when[i] != shape[i])
            return false;
    return true;
}

int cli_clock(cli_t *cli, int argc, char **argv)
{
    bool json = false, help;
    const cli_option_t options[] = {
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, clock_usage, &pos, &npos, &help);
    Partrack__ClockRequest req = PARTRACK__CLOCK_REQUEST__INIT;
    if (rc == CLI_OK && !help) {
        if (npos == 0 || (npos == 1 && strcmp(pos[0], "show") == 0)) {
            /* read only */
        } else if (strcmp(pos[0], "set") == 0 && npos == 2) {
            req.set = pos[1];
            if (!when_looks_right(req.set)) {
                fprintf(stderr,
                        "partrack: clock set takes a time as YYYY-MM-DD, YYYY-MM-DDTHH:MM or RFC "
                        "3339, not \"%s\"\n",
                        req.set);
                rc = CLI_USAGE;
            }
        } else if (strcmp(pos[0], "set") == 0) {
            fprintf(stderr, "partrack: clock set takes one time, WHEN\n\n%s", clock_usage);
            rc = CLI_USAGE;
        } else {
            fprintf(stderr, "partrack: unknown verb clock %s\n\n%s", pos[0], clock_usage);
            rc = CLI_USAGE;
        }
    }
    if (rc != CLI_OK || help) {
        free(pos);
        return rc;
    }
    Partrack__ClockReply *r = NULL;
    rc = cli_call(cli, cli->deadline, PARTRACK__MESSAGE_TYPE__MSG_CLOCK, &req.base, req.set != NULL,
                  PARTRACK__MESSAGE_TYPE__MSG_CLOCK_REPLY, &partrack__clock_reply__descriptor,
                  (ProtobufCMessage **)&r);
    bool set = req.set != NULL;
    free(pos); /* req.set pointed into argv, not into pos */
    if (rc != CLI_OK)
        return rc;
    if (json) {
        cli_print_json(json_pack("{s:s, s:b, s:I}", "now", r->now, "manual", (int)r->manual,
                                 "transitions", (json_int_t)r->transitions));
    } else {
        printf("now: %s (%s clock)\n", r->now, r->manual ? "manual" : "real");
        if (set)
            printf("%u transition%s emitted\n", r->transitions, r->transitions == 1 ? "" : "s");
    }
    partrack__clock_reply__free_unpacked(r, NULL);
    return CLI_OK;
}
