/* cli_plan_online.c - the `partrack plan` verbs that talk to the registry
 *
 * import sends the file as the user has it (the registry reads it with the
 * same reader `plan parse` uses) with an idempotency key; show reads a plan
 * back with its tasks.
 */
#include "cli_plan_online.h"

#include "cli_plan_manifest.h"
#include "cli_task.h"
#include "plans.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PLAN_BYTES (16u << 20)

static json_t *unresolved_json(const Partrack__UnresolvedName *u)
{
    json_t *cands = json_array();
    for (size_t k = 0; k < u->n_candidates; k++)
        json_array_append_new(cands, json_string(u->candidates[k]));
    return json_pack("{s:s, s:i, s:s, s:s, s:s, s:o}", "task", u->task, "line", (int)u->line,
                     "role", u->role, "text", u->text, "status", u->status, "candidates", cands);
}

int cli_plan_import(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack plan import FILE --unit CODE --year YEAR --number NUMBER\n"
        "                            --title TITLE [--issued DATE] [--implements NUMBER]...\n"
        "                            [--replace] [--dry-run] [--json]\n"
        "\n"
        "Imports a plan and its task table(s), all or nothing. Lead and cooperating\n"
        "names are resolved in the context of the issuing unit (--unit); groups expand\n"
        "to their members; names that do not resolve are kept, listed, and their tasks\n"
        "imported as unassigned. A plan number already imported for that unit and year\n"
        "is refused unless --replace. --dry-run shows the result and writes nothing.\n"
        "\n"
        "       partrack plan import --manifest FILE [--skip-imported] [--dry-run] [--json]\n"
        "\n"
        "Imports many plans at once: FILE is a CSV or TSV with the columns file, unit,\n"
        "year, number, title and optionally issued and implements ('|' between numbers);\n"
        "files are relative to the manifest. The manifest is checked whole first; the\n"
        "plans go in parts of up to 12 MiB, each all or nothing (one part holds a city's\n"
        "ordinary plans). --skip-imported skips plans already there instead of refusing.\n";
    const char *unit = NULL, *year = NULL, *number = NULL, *title = NULL, *issued = NULL,
               *manifest = NULL;
    const char **implements = NULL;
    size_t nimplements = 0;
    bool json = false, dry_run = false, replace = false, skip_imported = false, help;
    const cli_option_t options[] = {
        {"manifest", &manifest, NULL, NULL, NULL},
        {"skip-imported", NULL, &skip_imported, NULL, NULL},
        {"unit", &unit, NULL, NULL, NULL},
        {"year", &year, NULL, NULL, NULL},
        {"number", &number, NULL, NULL, NULL},
        {"title", &title, NULL, NULL, NULL},
        {"issued", &issued, NULL, NULL, NULL},
        {"implements", NULL, NULL, &implements, &nimplements},
        {"replace", NULL, &replace, NULL, NULL},
        {"dry-run", NULL, &dry_run, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    if (rc == CLI_OK && !help && manifest) {
        bool alone = npos == 0 && !unit && !year && !number && !title && !issued &&
                     nimplements == 0 && !replace;
        free(pos);
        free(implements);
        if (!alone) {
            fprintf(stderr, "partrack: --manifest takes the plans from the manifest: give no "
                            "FILE, --unit, --year, --number, --title, --issued, --implements "
                            "or --replace with it\n");
            return CLI_USAGE;
        }
        return cli_plan_import_manifest(cli, manifest, dry_run, skip_imported, json);
    }
    if (rc == CLI_OK && !help && (npos != 1 || !unit || !year || !number || !title)) {
        fprintf(stderr, "partrack: give FILE, --unit, --year, --number and --title\n\n%s", usage);
        rc = CLI_USAGE;
    }
    char *end = NULL;
    long y = year ? strtol(year, &end, 10) : 0;
    if (rc == CLI_OK && !help && (*end || y < 1900 || y > 2200)) {
        fprintf(stderr, "partrack: --year takes a year between 1900 and 2200\n");
        rc = CLI_USAGE;
    }
    size_t len = 0;
    char *data = NULL;
    if (rc == CLI_OK && !help && !(data = cli_read_file(pos[0], MAX_PLAN_BYTES, &len)))
        rc = CLI_REFUSED;
    if (rc != CLI_OK || help) {
        free(pos);
        free(implements);
        return rc;
    }
    Partrack__ImportFile file = PARTRACK__IMPORT_FILE__INIT;
    file.name = pos[0];
    file.content.data = (uint8_t *)data;
    file.content.len = len;
    Partrack__PlanImportRequest req = PARTRACK__PLAN_IMPORT_REQUEST__INIT;
    req.file = &file;
    req.unit = (char *)unit;
    req.year = (int32_t)y;
    req.number = (char *)number;
    req.title = (char *)title;
    req.issued_on = (char *)issued;
    req.implements = (char **)implements;
    req.n_implements = nimplements;
    req.has_dry_run = 1;
    req.dry_run = dry_run;
    req.has_replace = 1;
    req.replace = replace;
    Partrack__PlanImportReply *r = NULL;
    rc = cli_call(cli, cli->registry, PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT, &req.base, true,
                  PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT_REPLY,
                  &partrack__plan_import_reply__descriptor, (ProtobufCMessage **)&r);
    free(data);
    free(pos);
    free(implements);
    if (rc != CLI_OK)
        return rc;
    if (json) {
        json_t *unresolved = json_array(), *warnings = json_array();
        for (size_t i = 0; i < r->n_unresolved; i++)
            json_array_append_new(unresolved, unresolved_json(r->unresolved[i]));
        for (size_t i = 0; i < r->n_warnings; i++)
            json_array_append_new(warnings,
                                  json_pack("{s:i, s:s}", "line", (int)r->warnings[i]->line,
                                            "message", r->warnings[i]->message));
        cli_print_json(json_pack("{s:I, s:b, s:b, s:i, s:i, s:i, s:i, s:i, s:o, s:o}", "plan_id",
                                 (json_int_t)r->plan_id, "dry_run", r->dry_run, "replaced",
                                 r->replaced, "tables", (int)r->tables, "areas", (int)r->areas,
                                 "tasks", (int)r->tasks, "assigned", (int)r->assigned,
                                 "deadlines_unparsed", (int)r->deadlines_unparsed, "unresolved",
                                 unresolved, "warnings", warnings));
    } else {
        printf("%splan %s: %u table%s, %u areas, %u tasks (%u assigned), %u deadlines not "
               "understood\n",
               r->dry_run ? "dry run, nothing changed: " : (r->replaced ? "replaced " : ""), number,
               r->tables, r->tables == 1 ? "" : "s", r->areas, r->tasks, r->assigned,
               r->deadlines_unparsed);
        if (r->n_unresolved)
            printf("names that did not resolve (the tasks keep the text):\n");
        for (size_t i = 0; i < r->n_unresolved; i++) {
            const Partrack__UnresolvedName *u = r->unresolved[i];
            printf("  line %u, task %s, %s \"%s\": %s", u->line, u->task, u->role, u->text,
                   u->status);
            for (size_t k = 0; k < u->n_candidates; k++)
                printf("%s%s", k ? ", " : " (", u->candidates[k]);
            printf("%s\n", u->n_candidates ? ")" : "");
        }
        for (size_t i = 0; i < r->n_warnings; i++)
            printf("  warning: line %u: %s\n", r->warnings[i]->line, r->warnings[i]->message);
    }
    partrack__plan_import_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

/* How show, tree and coverage name a plan: NUMBER [--unit CODE] [--year YEAR]
 * [--json]. */
typedef struct {
    const char *number, *unit;
    bool has_year, json, help;
    int year;
} plan_ref_t;

static int parse_plan_ref(int argc, char **argv, const char *usage, bool number_required,
                          plan_ref_t *ref)
{
    const char *year = NULL;
    memset(ref, 0, sizeof *ref);
    const cli_option_t options[] = {
        {"unit", &ref->unit, NULL, NULL, NULL},
        {"year", &year, NULL, NULL, NULL},
        {"json", NULL, &ref->json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &ref->help);
    if (rc == CLI_OK && !ref->help && (npos > 1 || (number_required && npos != 1))) {
        fprintf(stderr, "partrack: name %s plan number\n\n%s",
                number_required ? "one" : "at most one", usage);
        rc = CLI_USAGE;
    }
    char *end = NULL;
    if (rc == CLI_OK && year) {
        ref->year = (int)strtol(year, &end, 10);
        ref->has_year = true;
        if (*end || ref->year < 1900 || ref->year > 2200) {
            fprintf(stderr, "partrack: --year takes a year between 1900 and 2200\n");
            rc = CLI_USAGE;
        }
    }
    ref->number = rc == CLI_OK && npos ? pos[0] : NULL;
    free(pos); /* the strings are argv's */
    return rc;
}

int cli_plan_show(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack plan show NUMBER [--unit CODE] [--year YEAR] [--json]\n\n"
        "A plan and its tasks. Name the unit (and year) when several units have a plan\n"
        "with that number.\n";
    plan_ref_t ref;
    int rc = parse_plan_ref(argc, argv, usage, true, &ref);
    if (rc != CLI_OK || ref.help)
        return rc;
    Partrack__PlanShowRequest req = PARTRACK__PLAN_SHOW_REQUEST__INIT;
    req.number = (char *)ref.number;
    req.unit = (char *)ref.unit;
    req.has_year = ref.has_year;
    req.year = ref.year;
    Partrack__PlanShowReply *r = NULL;
    rc = cli_call(cli, cli->registry, PARTRACK__MESSAGE_TYPE__MSG_PLAN_SHOW, &req.base, false,
                  PARTRACK__MESSAGE_TYPE__MSG_PLAN_SHOW_REPLY,
                  &partrack__plan_show_reply__descriptor, (ProtobufCMessage **)&r);
    if (rc != CLI_OK)
        return rc;
    if (ref.json) {
        json_t *tasks = json_array(), *implements = json_array();
        for (size_t i = 0; i < r->n_tasks; i++)
            json_array_append_new(tasks, cli_task_brief_json(r->tasks[i]));
        for (size_t i = 0; i < r->n_implements; i++)
            json_array_append_new(implements, json_string(r->implements[i]));
        cli_print_json(json_pack("{s:I, s:s, s:i, s:s, s:s, s:o, s:o, s:i, s:o}", "id",
                                 (json_int_t)r->id, "unit", r->unit, "year", r->year, "number",
                                 r->number, "title", r->title, "issued_on",
                                 cli_json_string(r->issued_on), "implements", implements, "areas",
                                 (int)r->areas, "tasks", tasks));
    } else {
        printf("plan %s (%s, %d): %s\n", r->number, r->unit, r->year, r->title);
        if (r->issued_on)
            printf("  issued %s\n", r->issued_on);
        for (size_t i = 0; i < r->n_implements; i++)
            printf("  implements %s\n", r->implements[i]);
        printf("  %zu tasks in %u areas\n", r->n_tasks, r->areas);
        for (size_t i = 0; i < r->n_tasks; i++)
            cli_task_brief_print(r->tasks[i]);
    }
    partrack__plan_show_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

static json_t *node_json(const Partrack__PlanNode *n)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:I, s:i, s:i}", "id", (json_int_t)n->id,
                     "number", n->number, "unit", n->unit, "unit_name", n->unit_name, "year",
                     n->year, "title", n->title, "implements", (json_int_t)n->parent, "depth",
                     (int)n->depth, "tasks", (int)n->tasks);
}

int cli_plan_tree(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack plan tree [NUMBER] [--unit CODE] [--year YEAR] [--json]\n\n"
        "The cascade of plans: each plan under the plan it implements (as its text\n"
        "cites it: \"Thực hiện Kế hoạch số ...\"). With NUMBER, the cascade that plan\n"
        "belongs to; without, every current plan.\n";
    plan_ref_t ref;
    int rc = parse_plan_ref(argc, argv, usage, false, &ref);
    if (rc != CLI_OK || ref.help)
        return rc;
    Partrack__PlanTreeRequest req = PARTRACK__PLAN_TREE_REQUEST__INIT;
    req.number = (char *)ref.number;
    req.unit = (char *)ref.unit;
    req.has_year = ref.has_year;
    req.year = ref.year;
    Partrack__PlanTreeReply *r = NULL;
    rc = cli_call(cli, cli->registry, PARTRACK__MESSAGE_TYPE__MSG_PLAN_TREE, &req.base, false,
                  PARTRACK__MESSAGE_TYPE__MSG_PLAN_TREE_REPLY,
                  &partrack__plan_tree_reply__descriptor, (ProtobufCMessage **)&r);
    if (rc != CLI_OK)
        return rc;
    if (ref.json) {
        json_t *nodes = json_array();
        for (size_t i = 0; i < r->n_nodes; i++)
            json_array_append_new(nodes, node_json(r->nodes[i]));
        cli_print_json(nodes);
    } else {
        for (size_t i = 0; i < r->n_nodes; i++) {
            const Partrack__PlanNode *n = r->nodes[i];
            printf("%*s%s  %s (%s, %d), %u tasks\n", 2 * (int)n->depth, "", n->number, n->unit_name,
                   n->unit, n->year, n->tasks);
        }
        if (r->n_nodes == 0)
            fprintf(stderr, "no plans yet\n");
    }
    partrack__plan_tree_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

int cli_plan_coverage(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack plan coverage NUMBER [--unit CODE] [--year YEAR] [--json]\n\n"
        "Which units under the plan's issuing unit (its districts, wards, communes or\n"
        "departments) have issued a plan of the same year implementing it, and which\n"
        "have not yet. Exit status 1 while some have not.\n";
    plan_ref_t ref;
    int rc = parse_plan_ref(argc, argv, usage, true, &ref);
    if (rc != CLI_OK || ref.help)
        return rc;
    Partrack__PlanShowRequest req = PARTRACK__PLAN_SHOW_REQUEST__INIT;
    req.number = (char *)ref.number;
    req.unit = (char *)ref.unit;
    req.has_year = ref.has_year;
    req.year = ref.year;
    Partrack__PlanCoverageReply *r = NULL;
    rc = cli_call(cli, cli->registry, PARTRACK__MESSAGE_TYPE__MSG_PLAN_COVERAGE, &req.base, false,
                  PARTRACK__MESSAGE_TYPE__MSG_PLAN_COVERAGE_REPLY,
                  &partrack__plan_coverage_reply__descriptor, (ProtobufCMessage **)&r);
    if (rc != CLI_OK)
        return rc;
    if (ref.json) {
        json_t *units = json_array();
        for (size_t i = 0; i < r->n_units; i++) {
            const Partrack__UnitCoverage *c = r->units[i];
            json_t *others = json_array();
            for (size_t k = 0; k < c->n_other_plans; k++)
                json_array_append_new(others, json_string(c->other_plans[k]));
            json_array_append_new(units, json_pack("{s:s, s:s, s:s, s:o, s:o}", "code", c->code,
                                                   "name", c->name, "kind", c->kind, "plan",
                                                   cli_json_string(c->plan_number), "other_plans",
                                                   others));
        }
        cli_print_json(json_pack("{s:o, s:i, s:i, s:o}", "plan", node_json(r->plan), "covered",
                                 (int)r->covered, "units_total", (int)r->n_units, "units", units));
    } else {
        printf("plan %s (%s): %u of %zu units have issued theirs\n", r->plan->number,
               r->plan->unit_name, r->covered, r->n_units);
        for (size_t i = 0; i < r->n_units; i++) {
            const Partrack__UnitCoverage *c = r->units[i];
            printf("  %-8s %-26s %s", c->plan_number ? "issued" : "MISSING", c->code, c->name);
            if (c->plan_number)
                printf("  (%s)", c->plan_number);
            else if (c->n_other_plans)
                printf("  (has %s, which does not cite this plan)", c->other_plans[0]);
            putchar('\n');
        }
    }
    rc = r->covered == r->n_units ? CLI_OK : CLI_REFUSED;
    partrack__plan_coverage_reply__free_unpacked(r, NULL);
    return rc;
}
