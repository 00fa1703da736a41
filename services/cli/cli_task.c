/* cli_task.c - `partrack task ...`: tasks of plans, read and updated
 *
 * list, show and the changes (update, trigger, feed, reschedule) talk to
 * the registry. Changes carry an idempotency key, so a retried change is
 * recorded once.
 */
#include "cli_task.h"

#include "plans.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char task_usage[] =
    "usage: partrack task VERB ...\n"
    "\n"
    "  list [--unit CODE] [--plan NUMBER] [--area I] [--search TEXT] [--limit N] [--json]\n"
    "  show ID [--json]\n"
    "  update ID [--progress P] [--status open|done|cancelled] [--note TEXT]\n"
    "            [--evidence REF]... [--completed DATE] [--json]\n"
    "  trigger ID --on DATE [--json]   the event an event task waits for happened\n"
    "  feed ID --into ID [--json]      the task's result feeds another (a report chain)\n"
    "  reschedule ID --deadline TEXT [--reason TEXT] [--json]\n"
    "                                  the plan's deadline for the task changed\n"
    "\n"
    "Search is accent-insensitive: \"doi thoai\" finds \"Tổ chức đối thoại\".\n";

json_t *cli_task_brief_json(const void *brief)
{
    const Partrack__TaskBrief *b = brief;
    json_t *lead = json_array();
    for (size_t i = 0; i < b->n_lead; i++)
        json_array_append_new(lead, json_string(b->lead[i]));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(b->id));
    json_object_set_new(o, "plan", json_string(b->plan));
    json_object_set_new(o, "area", cli_json_string(b->area));
    json_object_set_new(o, "ordinal", cli_json_string(b->ordinal));
    json_object_set_new(o, "title", json_string(b->title));
    json_object_set_new(o, "lead", lead);
    json_object_set_new(o, "deadline_text", cli_json_string(b->deadline_text));
    json_object_set_new(o, "next_due", cli_json_string(b->next_due));
    json_object_set_new(o, "status", json_string(b->status));
    json_object_set_new(o, "progress", json_integer(b->progress));
    json_object_set_new(o, "assigned", json_boolean(b->assigned));
    return o;
}

void cli_task_brief_print(const void *brief)
{
    const Partrack__TaskBrief *b = brief;
    char title[64];
    /* Cut long titles at a character boundary. */
    size_t n = strlen(b->title);
    if (n > 60) {
        n = 57;
        while (n > 0 && ((unsigned char)b->title[n] & 0xC0) == 0x80)
            n--;
        snprintf(title, sizeof title, "%.*s...", (int)n, b->title);
    } else {
        snprintf(title, sizeof title, "%s", b->title);
    }
    printf("%6lld  %-6s ", (long long)b->id, b->ordinal ? b->ordinal : "");
    cli_print_padded(title, 60);
    printf(" %-10s %3d%% %s", b->next_due ? b->next_due : "-", b->progress, b->status);
    for (size_t i = 0; i < b->n_lead; i++)
        printf("%s%s", i ? "," : "  ", b->lead[i]);
    if (!b->assigned)
        printf("  (unassigned)");
    putchar('\n');
}

static int verb_list(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack task list [--unit CODE] [--plan NUMBER] [--area I] [--search TEXT]\n"
        "                          [--limit N] [--json]\n\n"
        "Lists tasks of current plans: of a unit (lead or cooperating), of a plan, of an\n"
        "area, or whose title holds the words searched (accents and case ignored).\n";
    const char *unit = NULL, *plan = NULL, *area = NULL, *search = NULL, *limit = NULL;
    bool json = false, help;
    const cli_option_t options[] = {
        {"unit", &unit, NULL, NULL, NULL},   {"plan", &plan, NULL, NULL, NULL},
        {"area", &area, NULL, NULL, NULL},   {"search", &search, NULL, NULL, NULL},
        {"limit", &limit, NULL, NULL, NULL}, {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    if (npos > 0) {
        fprintf(stderr, "partrack: task list takes options only\n\n%s", usage);
        return CLI_USAGE;
    }
    Partrack__TaskListRequest req = PARTRACK__TASK_LIST_REQUEST__INIT;
    req.unit = (char *)unit;
    req.plan = (char *)plan;
    req.area = (char *)area;
    req.search = (char *)search;
    if (limit) {
        req.has_limit = 1;
        req.limit = (uint32_t)strtoul(limit, NULL, 10);
    }
    Partrack__TaskListReply *r = NULL;
    rc = cli_call(cli, cli->registry, PARTRACK__MESSAGE_TYPE__MSG_TASK_LIST, &req.base, false,
                  PARTRACK__MESSAGE_TYPE__MSG_TASK_LIST_REPLY,
                  &partrack__task_list_reply__descriptor, (ProtobufCMessage **)&r);
    if (rc != CLI_OK)
        return rc;
    if (json) {
        json_t *tasks = json_array();
        for (size_t i = 0; i < r->n_tasks; i++)
            json_array_append_new(tasks, cli_task_brief_json(r->tasks[i]));
        cli_print_json(json_pack("{s:i, s:o}", "total", (json_int_t)r->total, "tasks", tasks));
    } else {
        for (size_t i = 0; i < r->n_tasks; i++)
            cli_task_brief_print(r->tasks[i]);
        fprintf(stderr, "%zu of %u task%s\n", r->n_tasks, r->total, r->total == 1 ? "" : "s");
    }
    partrack__task_list_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

static json_t *task_json(const Partrack__TaskShowReply *r)
{
    json_t *o = cli_task_brief_json(r->task);
    json_t *units = json_array(), *unresolved = json_array(), *updates = json_array();
    for (size_t i = 0; i < r->n_units; i++)
        json_array_append_new(
            units, json_pack("{s:s, s:s, s:s, s:o, s:b}", "code", r->units[i]->code, "name",
                             r->units[i]->name, "role", r->units[i]->role, "via",
                             cli_json_string(r->units[i]->via), "heads", r->units[i]->heads));
    for (size_t i = 0; i < r->n_unresolved; i++) {
        json_t *cands = json_array();
        for (size_t k = 0; k < r->unresolved[i]->n_candidates; k++)
            json_array_append_new(cands, json_string(r->unresolved[i]->candidates[k]));
        json_array_append_new(unresolved,
                              json_pack("{s:s, s:s, s:s, s:o}", "role", r->unresolved[i]->role,
                                        "text", r->unresolved[i]->text, "status",
                                        r->unresolved[i]->status, "candidates", cands));
    }
    for (size_t i = 0; i < r->n_updates; i++) {
        const Partrack__TaskUpdateEntry *e = r->updates[i];
        json_t *evidence = json_array();
        for (size_t k = 0; k < e->n_evidence; k++)
            json_array_append_new(evidence, json_string(e->evidence[k]));
        json_array_append_new(
            updates,
            json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "at", e->at, "actor", e->actor,
                      "progress", e->has_progress ? json_integer(e->progress) : json_null(),
                      "status", cli_json_string(e->status), "note", cli_json_string(e->note),
                      "evidence", evidence, "completed_at", cli_json_string(e->completed_at)));
    }
    json_t *schedule = r->schedule_json ? json_loads(r->schedule_json, 0, NULL) : NULL;
    json_object_set_new(o, "lead_text", cli_json_string(r->lead_text));
    json_object_set_new(o, "cooperating_text", cli_json_string(r->cooperating_text));
    json_object_set_new(o, "product", cli_json_string(r->product));
    json_object_set_new(o, "schedule", schedule ? schedule : json_null());
    json_object_set_new(o, "source", cli_json_string(r->source));
    json_object_set_new(o, "requirement", cli_json_string(r->requirement));
    json_object_set_new(o, "line", r->has_line ? json_integer(r->line) : json_null());
    json_object_set_new(o, "completed_at", cli_json_string(r->completed_at));
    json_object_set_new(o, "units", units);
    json_object_set_new(o, "unresolved", unresolved);
    json_object_set_new(o, "updates", updates);
    return o;
}

static void task_print(const Partrack__TaskShowReply *r)
{
    const Partrack__TaskBrief *b = r->task;
    printf("task %lld  %s %s (plan %s)\n", (long long)b->id, b->ordinal ? b->ordinal : "", b->title,
           b->plan);
    printf("  status:    %s, %d%%%s%s\n", b->status, b->progress,
           r->completed_at ? ", completed " : "", r->completed_at ? r->completed_at : "");
    if (r->lead_text)
        printf("  lead:      %s\n", r->lead_text);
    if (r->cooperating_text)
        printf("  with:      %s\n", r->cooperating_text);
    for (size_t i = 0; i < r->n_units; i++)
        printf("    %-11s %s  %s%s\n", r->units[i]->role, r->units[i]->code, r->units[i]->name,
               r->units[i]->heads ? " (its head)" : "");
    for (size_t i = 0; i < r->n_unresolved; i++)
        printf("    %-11s \"%s\": %s\n", r->unresolved[i]->role, r->unresolved[i]->text,
               r->unresolved[i]->status);
    if (r->product)
        printf("  product:   %s\n", r->product);
    if (b->deadline_text)
        printf("  deadline:  %s%s%s\n", b->deadline_text, b->next_due ? " -> first due " : "",
               b->next_due ? b->next_due : "");
    for (size_t i = 0; i < r->n_updates; i++) {
        const Partrack__TaskUpdateEntry *e = r->updates[i];
        printf("  update %s by %s:", e->at, e->actor);
        if (e->has_progress)
            printf(" %d%%", e->progress);
        if (e->status)
            printf(" %s", e->status);
        if (e->note)
            printf(" \"%s\"", e->note);
        for (size_t k = 0; k < e->n_evidence; k++)
            printf(" [%s]", e->evidence[k]);
        putchar('\n');
    }
}

static int task_id_arg(const char *text, int64_t *id, const char *usage)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    if (*end || v <= 0) {
        fprintf(stderr, "partrack: \"%s\" is not a task id\n\n%s", text, usage);
        return CLI_USAGE;
    }
    *id = v;
    return CLI_OK;
}

static int print_task_reply(int rc, Partrack__TaskShowReply *r, bool json)
{
    if (rc != CLI_OK)
        return rc;
    if (json)
        cli_print_json(task_json(r));
    else
        task_print(r);
    partrack__task_show_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

static int verb_show(cli_t *cli, int argc, char **argv)
{
    static const char usage[] = "usage: partrack task show ID [--json]\n\n"
                                "A task: its units, deadline, schedule and updates.\n";
    bool json = false, help;
    const cli_option_t options[] = {{"json", NULL, &json, NULL, NULL},
                                    {NULL, NULL, NULL, NULL, NULL}};
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    Partrack__TaskShowRequest req = PARTRACK__TASK_SHOW_REQUEST__INIT;
    if (rc == CLI_OK && !help && npos != 1) {
        fprintf(stderr, "partrack: name one task id\n\n%s", usage);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && !help)
        rc = task_id_arg(pos[0], &req.id, usage);
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    Partrack__TaskShowReply *r = NULL;
    rc = cli_call(cli, cli->registry, PARTRACK__MESSAGE_TYPE__MSG_TASK_SHOW, &req.base, false,
                  PARTRACK__MESSAGE_TYPE__MSG_TASK_SHOW_REPLY,
                  &partrack__task_show_reply__descriptor, (ProtobufCMessage **)&r);
    return print_task_reply(rc, r, json);
}

/* The shape of `task trigger` and `task feed`: one task id and one required
 * option (--on, --into), then a change answered with the task. Returns
 * CLI_OK with *id and *value set, or a CLI_ code (help printed: CLI_OK and
 * *help). */
static int parse_id_and(int argc, char **argv, const char *usage, const char *option, int64_t *id,
                        const char **value, bool *json, bool *help)
{
    const cli_option_t options[] = {
        {option, value, NULL, NULL, NULL},
        {"json", NULL, json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, help);
    if (rc == CLI_OK && !*help && (npos != 1 || !*value)) {
        fprintf(stderr, "partrack: name one task id and --%s\n\n%s", option, usage);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && !*help)
        rc = task_id_arg(pos[0], id, usage);
    free(pos);
    return rc;
}

static int call_change(cli_t *cli, Partrack__MessageType type, const ProtobufCMessage *req,
                       bool json)
{
    Partrack__TaskShowReply *r = NULL;
    int rc =
        cli_call(cli, cli->registry, type, req, true, PARTRACK__MESSAGE_TYPE__MSG_TASK_SHOW_REPLY,
                 &partrack__task_show_reply__descriptor, (ProtobufCMessage **)&r);
    return print_task_reply(rc, r, json);
}

static int verb_update(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack task update ID [--progress P] [--status open|done|cancelled]\n"
        "                               [--note TEXT] [--evidence REF]... [--completed DATE]\n"
        "                               [--json]\n\n"
        "Records progress on a task. --status done without --completed means done now;\n"
        "--completed takes YYYY-MM-DD or an RFC 3339 time (when the work was done).\n";
    const char *progress = NULL, *status = NULL, *note = NULL, *completed = NULL;
    const char **evidence = NULL;
    size_t nevidence = 0;
    bool json = false, help;
    const cli_option_t options[] = {
        {"progress", &progress, NULL, NULL, NULL},
        {"status", &status, NULL, NULL, NULL},
        {"note", &note, NULL, NULL, NULL},
        {"evidence", NULL, NULL, &evidence, &nevidence},
        {"completed", &completed, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    Partrack__TaskUpdateRequest req = PARTRACK__TASK_UPDATE_REQUEST__INIT;
    if (rc == CLI_OK && !help && npos != 1) {
        fprintf(stderr, "partrack: name one task id\n\n%s", usage);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && !help)
        rc = task_id_arg(pos[0], &req.id, usage);
    free(pos);
    if (rc == CLI_OK && !help && progress) {
        char *end;
        long p = strtol(progress, &end, 10);
        if (*end || p < 0 || p > 100) {
            fprintf(stderr, "partrack: --progress takes a percentage from 0 to 100\n");
            rc = CLI_USAGE;
        }
        req.has_progress = 1;
        req.progress = (int32_t)p;
    }
    if (rc != CLI_OK || help) {
        free(evidence);
        return rc;
    }
    req.status = (char *)status;
    req.note = (char *)note;
    req.evidence = (char **)evidence;
    req.n_evidence = nevidence;
    req.completed_at = (char *)completed;
    rc = call_change(cli, PARTRACK__MESSAGE_TYPE__MSG_TASK_UPDATE, &req.base, json);
    free(evidence);
    return rc;
}

static int verb_trigger(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack task trigger ID --on YYYY-MM-DD [--json]\n\n"
        "Says that the event a task waits for happened on that day (\"Sau khi Sở Nội vụ\n"
        "triển khai\", \"trong 05 ngày làm việc kể từ khi nhận được văn bản\"): the\n"
        "deadline service then counts the task's period from it and watches its due\n"
        "date like any other. Only open tasks whose deadline is an event, once.\n";
    Partrack__TaskTriggerRequest req = PARTRACK__TASK_TRIGGER_REQUEST__INIT;
    const char *on = NULL;
    bool json = false, help = false;
    int rc = parse_id_and(argc, argv, usage, "on", &req.id, &on, &json, &help);
    if (rc != CLI_OK || help)
        return rc;
    req.on_date = (char *)on;
    return call_change(cli, PARTRACK__MESSAGE_TYPE__MSG_TASK_TRIGGER, &req.base, json);
}

static int verb_feed(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack task feed ID --into ID [--json]\n\n"
        "Links a report chain: task ID's result feeds task --into (\"the sections report\n"
        "before the 5th of the quarter's last month; the ward office sums them up for\n"
        "the district before the 10th\"). When an occurrence of ID is due or late,\n"
        "`partrack due` shows the deadline of --into it threatens. A chain may not loop.\n";
    Partrack__TaskFeedRequest req = PARTRACK__TASK_FEED_REQUEST__INIT;
    const char *into = NULL;
    bool json = false, help = false;
    int rc = parse_id_and(argc, argv, usage, "into", &req.id, &into, &json, &help);
    if (rc == CLI_OK && !help)
        rc = task_id_arg(into, &req.into, usage);
    if (rc != CLI_OK || help)
        return rc;
    return call_change(cli, PARTRACK__MESSAGE_TYPE__MSG_TASK_FEED, &req.base, json);
}

static int verb_reschedule(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack task reschedule ID --deadline TEXT [--reason TEXT] [--json]\n\n"
        "Records that the plan's deadline for a task changed: extended by a later\n"
        "document, brought forward or rephrased. TEXT is read like a plan's deadline\n"
        "cell, for the plan's year (\"Quý III/2024\", \"trước ngày 30/9/2024\", \"Hàng\n"
        "tháng\"); a text that does not read as a deadline is refused with the reason.\n"
        "The deadline service then recomputes the task's due dates; an event task waits\n"
        "for its event again. --reason (\"Văn bản số 12/UBND-VP gia hạn\") goes in the\n"
        "audit. Only open tasks.\n";
    const char *deadline = NULL, *reason = NULL;
    bool json = false, help;
    const cli_option_t options[] = {
        {"deadline", &deadline, NULL, NULL, NULL},
        {"reason", &reason, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    Partrack__TaskRescheduleRequest req = PARTRACK__TASK_RESCHEDULE_REQUEST__INIT;
    if (rc == CLI_OK && !help && (npos != 1 || !deadline)) {
        fprintf(stderr, "partrack: name one task id and --deadline\n\n%s", usage);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && !help)
        rc = task_id_arg(pos[0], &req.id, usage);
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    req.deadline_text = (char *)deadline;
    req.reason = (char *)reason;
    return call_change(cli, PARTRACK__MESSAGE_TYPE__MSG_TASK_RESCHEDULE, &req.base, json);
}

int cli_task(cli_t *cli, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(cli_t *, int, char **);
    } verbs[] = {{"list", verb_list},       {"show", verb_show}, {"update", verb_update},
                 {"trigger", verb_trigger}, {"feed", verb_feed}, {"reschedule", verb_reschedule}};
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(task_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(argv[1], verbs[i].name) == 0)
            return verbs[i].run(cli, argc - 1, argv + 1);
    fprintf(stderr, "partrack: unknown verb task %s\n\n%s", argv[1], task_usage);
    return CLI_USAGE;
}
