/* cli_score_bind.c - `partrack score bind`: a scheme's key bound to a real task or plan
 *
 *   score bind CODE --year Y --key KEY --task TASK_ID
 *   score bind CODE --year Y --key KEY --plan NUMBER [--plan-unit CODE]
 *   score bind CODE --year Y                      the unit-year's bindings
 * A deliverable's task key is bound to a task of the registry, a
 * plan_completion's plan key to a plan by its number and issuing unit (the
 * unit itself by default); the scoring service then takes their outcomes
 * from the deadline service. Prints the unit-year's bindings with their
 * outcomes; --json gives them for scripts.
 */
#include "cli_score_bind.h"

#include "scoring.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: partrack score bind CODE --year Y [--key KEY (--task TASK_ID | --plan NUMBER\n"
    "                          [--plan-unit CODE])] [--by NAME] [--json]\n"
    "\n"
    "Binds a scheme's deliverable task key to a task, or its plan_completion plan key\n"
    "to a plan (number and issuing unit, by default the unit itself), for the unit and\n"
    "year: their outcomes then come from the deadline service and win over facts set by\n"
    "hand. Without --key, lists the unit-year's bindings.\n";

static const char *outcome_vn(const char *o)
{
    return !o                          ? "chưa có kết quả (none yet)"
           : strcmp(o, "on_time") == 0 ? "đúng hạn (on time)"
           : strcmp(o, "late") == 0    ? "trễ hạn (late)"
           : strcmp(o, "missing") == 0 ? "không thực hiện (missing)"
                                       : o;
}

static json_t *binding_json(const Partrack__ScoreBinding *b)
{
    return json_pack(
        "{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "key", b->key, "kind", b->kind, "task_id",
        b->has_task_id ? json_integer(b->task_id) : json_null(), "plan_number",
        cli_json_string(b->plan_number), "plan_unit", cli_json_string(b->plan_unit), "outcome",
        cli_json_string(b->outcome), "plan_tasks",
        b->has_plan_tasks ? json_integer(b->plan_tasks) : json_null(), "plan_on_time",
        b->has_plan_on_time ? json_integer(b->plan_on_time) : json_null(), "bound_at", b->bound_at);
}

static void print(const Partrack__ScoreBindReply *r, bool json)
{
    if (json) {
        json_t *a = json_array();
        for (size_t i = 0; i < r->n_bindings; i++)
            json_array_append_new(a, binding_json(r->bindings[i]));
        cli_print_json(json_pack("{s:s, s:i, s:b, s:o}", "unit", r->unit, "year", r->year,
                                 "changed", r->changed, "bindings", a));
        return;
    }
    printf("%s, %d: %zu liên kết (bindings)\n", r->unit, r->year, r->n_bindings);
    for (size_t i = 0; i < r->n_bindings; i++) {
        const Partrack__ScoreBinding *b = r->bindings[i];
        if (b->has_task_id)
            printf("  %s → nhiệm vụ (task) %lld: %s\n", b->key, (long long)b->task_id,
                   outcome_vn(b->outcome));
        else if (b->has_plan_tasks)
            printf("  %s → kế hoạch (plan) %s của %s: %d/%d nhiệm vụ đúng hạn\n", b->key,
                   b->plan_number, b->plan_unit, b->plan_on_time, b->plan_tasks);
        else
            printf("  %s → kế hoạch (plan) %s của %s: %s\n", b->key, b->plan_number, b->plan_unit,
                   outcome_vn(NULL));
    }
}

int cli_score_bind(cli_t *cli, int argc, char **argv)
{
    const char *year = NULL, *key = NULL, *task = NULL, *plan = NULL, *plan_unit = NULL, *by = NULL;
    bool json = false, help = false;
    cli_option_t options[] = {
        {"year", &year, NULL, NULL, NULL},           {"key", &key, NULL, NULL, NULL},
        {"task", &task, NULL, NULL, NULL},           {"plan", &plan, NULL, NULL, NULL},
        {"plan-unit", &plan_unit, NULL, NULL, NULL}, {"by", &by, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},           {NULL, NULL, NULL, NULL, NULL}};
    char **pos = NULL;
    int npos = 0;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    if (rc != CLI_OK || help) {
        free(pos);
        return rc;
    }
    Partrack__ScoreBindRequest req = PARTRACK__SCORE_BIND_REQUEST__INIT;
    char *end = NULL;
    long y = year ? strtol(year, &end, 10) : 0;
    long long id = task ? strtoll(task, &end, 10) : 0;
    const char *problem = npos != 1                       ? "score bind takes one unit code"
                          : !year || y < 1990 || y > 2100 ? "--year takes a year (1990-2100)"
                          : task && plan                  ? "--task or --plan, not both"
                          : (task || plan) && !key        ? "--task and --plan need --key"
                          : key && !task && !plan         ? "--key needs --task or --plan"
                          : plan_unit && !plan            ? "--plan-unit goes with --plan"
                          : task && (*end || id <= 0)     ? "--task takes a task id"
                                                          : NULL;
    if (problem) {
        fprintf(stderr, "partrack: %s\n\n%s", problem, usage);
        free(pos);
        return CLI_USAGE;
    }
    req.unit = pos[0];
    req.year = (int)y;
    req.key = (char *)key;
    req.has_task_id = task != NULL;
    req.task_id = id;
    req.plan_number = (char *)plan;
    req.plan_unit = (char *)plan_unit;
    const char *a = by ? by : getenv("PARTRACK_ACTOR");
    if (!a || !*a)
        a = getenv("USER");
    req.actor = (char *)(a && *a ? a : NULL);
    ProtobufCMessage *reply = NULL;
    rc = cli_call(cli, cli->scoring, PARTRACK__MESSAGE_TYPE__MSG_SCORE_BIND, &req.base,
                  task || plan, PARTRACK__MESSAGE_TYPE__MSG_SCORE_BIND_REPLY,
                  &partrack__score_bind_reply__descriptor, &reply);
    if (rc == CLI_OK)
        print((Partrack__ScoreBindReply *)reply, json);
    if (reply)
        protobuf_c_message_free_unpacked(reply, NULL);
    free(pos);
    return rc;
}
