/* cli_target_online.c - the `partrack target` verbs that talk to the registry
 *
 * import sends a targets file (the format is in the README, "Targets file")
 * for one plan; cascade copies a plan's targets down the plans that implement
 * it, with an optional overrides file; list shows a plan's targets and where
 * each came from. Changes carry an idempotency key; --dry-run shows what
 * would change and writes nothing.
 */
#include "cli_target_online.h"

#include "targets.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TARGET_BYTES (4u << 20)

/* The options every target verb shares. */
typedef struct {
    const char *plan, *unit, *year, *overrides;
    bool json, dry_run, help;
    char **pos;
    int npos;
} target_opts_t;

static int parse_opts(int argc, char **argv, const char *usage, bool with_file, bool with_overrides,
                      bool with_dry_run, target_opts_t *o)
{
    memset(o, 0, sizeof *o);
    cli_option_t options[8] = {
        {"plan", &o->plan, NULL, NULL, NULL},
        {"unit", &o->unit, NULL, NULL, NULL},
        {"year", &o->year, NULL, NULL, NULL},
        {"json", NULL, &o->json, NULL, NULL},
    };
    int k = 4;
    if (with_overrides)
        options[k++] = (cli_option_t){"overrides", &o->overrides, NULL, NULL, NULL};
    if (with_dry_run)
        options[k++] = (cli_option_t){"dry-run", NULL, &o->dry_run, NULL, NULL};
    int rc = cli_parse(argc, argv, options, usage, &o->pos, &o->npos, &o->help);
    if (rc != CLI_OK || o->help)
        return rc;
    if (!o->plan || o->npos != (with_file ? 1 : 0)) {
        fprintf(stderr, "partrack: give %s--plan NUMBER\n\n%s", with_file ? "FILE and " : "",
                usage);
        return CLI_USAGE;
    }
    if (o->year) {
        char *end;
        long y = strtol(o->year, &end, 10);
        if (*end || y < 1900 || y > 2200) {
            fprintf(stderr, "partrack: --year takes a year between 1900 and 2200\n");
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

static void fill_ref(const target_opts_t *o, Partrack__PlanShowRequest *ref)
{
    partrack__plan_show_request__init(ref);
    ref->number = (char *)o->plan;
    ref->unit = (char *)o->unit;
    ref->has_year = o->year != NULL;
    ref->year = o->year ? (int32_t)strtol(o->year, NULL, 10) : 0;
}

/* 90, 95.5: no trailing zeros. */
static void format_number(double v, char *buf, size_t len)
{
    snprintf(buf, len, "%.6f", v);
    char *end = buf + strlen(buf);
    while (end[-1] == '0')
        *--end = '\0';
    if (end[-1] == '.')
        end[-1] = '\0';
}

/* ">= 90%", "40-50%", "rank<= 5", "<= 3 ngày". */
static void format_target(const Partrack__Target *t, char *buf, size_t len)
{
    char v[48], h[48];
    format_number(t->value, v, sizeof v);
    format_number(t->value_high, h, sizeof h);
    const char *m = t->measure ? t->measure : "";
    const char *space = t->measure && strcmp(t->measure, "%") != 0 ? " " : "";
    if (strcmp(t->comparator, "range") == 0)
        snprintf(buf, len, "%s-%s%s%s", v, h, space, m);
    else if (strcmp(t->comparator, "rank<=") == 0)
        snprintf(buf, len, "rank <= %s", v);
    else
        snprintf(buf, len, "%s %s%s%s", t->comparator, v, space, m);
}

static json_t *target_json(const Partrack__Target *t)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:f, s:f, s:o, s:o, s:o, s:s}", "id",
                          (json_int_t)t->id, "plan", t->plan, "unit", t->unit, "code", t->code,
                          "area", cli_json_string(t->area), "indicator", t->indicator, "comparator",
                          t->comparator, "value", t->value, "value_high", t->value_high, "measure",
                          cli_json_string(t->measure), "scope", cli_json_string(t->scope),
                          "sentence", cli_json_string(t->sentence), "origin", t->origin);
    json_object_set_new(o, "copied_from",
                        t->copied_from_plan
                            ? json_pack("{s:s, s:s}", "plan", t->copied_from_plan, "unit",
                                        t->copied_from_unit ? t->copied_from_unit : "")
                            : json_null());
    json_object_set_new(o, "line", t->has_line ? json_integer(t->line) : json_null());
    return o;
}

static json_t *changes_json(Partrack__TargetChange **changes, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = target_json(changes[i]->target);
        json_object_set_new(o, "action", json_string(changes[i]->action));
        json_object_set_new(o, "why", cli_json_string(changes[i]->why));
        json_array_append_new(a, o);
    }
    return a;
}

/* One line per change that did something or was kept, then the counts. */
static void print_changes(Partrack__TargetChange **changes, size_t n, bool dry_run, bool all)
{
    size_t created = 0, changed = 0, unchanged = 0, kept = 0;
    for (size_t i = 0; i < n; i++) {
        const Partrack__TargetChange *c = changes[i];
        const char *a = c->action;
        created += strcmp(a, "created") == 0;
        changed += strcmp(a, "changed") == 0;
        unchanged += strcmp(a, "unchanged") == 0;
        kept += strcmp(a, "kept") == 0;
        if (!all && strcmp(a, "unchanged") == 0)
            continue;
        char what[128];
        format_target(c->target, what, sizeof what);
        printf("  %-9s %s  %-22s %-14s %s%s%s%s\n", a, c->target->unit, c->target->code, what,
               c->target->indicator, c->why ? " (" : "", c->why ? c->why : "", c->why ? ")" : "");
    }
    printf("%s%zu created, %zu changed, %zu unchanged, %zu kept\n",
           dry_run ? "dry run, nothing changed: " : "", created, changed, unchanged, kept);
}

static Partrack__ImportFile *read_import_file(const char *path, Partrack__ImportFile *file)
{
    size_t len = 0;
    char *data = cli_read_file(path, MAX_TARGET_BYTES, &len);
    if (!data)
        return NULL;
    partrack__import_file__init(file);
    file->name = (char *)path;
    file->content.data = (uint8_t *)data;
    file->content.len = len;
    return file;
}

int cli_target_import(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack target import FILE --plan NUMBER [--unit CODE] [--year YEAR]\n"
        "                              [--dry-run] [--json]\n"
        "\n"
        "Sets a plan's own targets (chỉ tiêu) from a CSV or TSV file, all or nothing:\n"
        "one row per indicator code, with comparator and value, or just the plan's\n"
        "sentence (\"Phấn đấu 100% hồ sơ ... đúng hạn\") to be read as `target parse`\n"
        "reads it. The columns are in the README (\"Targets file\"). A code the plan\n"
        "already has is changed; targets not in the file stay. Name the unit (and year)\n"
        "when several units have a plan with that number.\n";
    target_opts_t o;
    int rc = parse_opts(argc, argv, usage, true, false, true, &o);
    Partrack__ImportFile file;
    if (rc == CLI_OK && !o.help && !read_import_file(o.pos[0], &file))
        rc = CLI_REFUSED;
    if (rc != CLI_OK || o.help) {
        free(o.pos);
        return rc;
    }
    Partrack__PlanShowRequest ref;
    fill_ref(&o, &ref);
    Partrack__TargetImportRequest req = PARTRACK__TARGET_IMPORT_REQUEST__INIT;
    req.file = &file;
    req.plan = &ref;
    req.has_dry_run = 1;
    req.dry_run = o.dry_run;
    Partrack__TargetImportReply *r = NULL;
    rc = cli_call(cli, cli->registry, PARTRACK__MESSAGE_TYPE__MSG_TARGET_IMPORT, &req.base, true,
                  PARTRACK__MESSAGE_TYPE__MSG_TARGET_IMPORT_REPLY,
                  &partrack__target_import_reply__descriptor, (ProtobufCMessage **)&r);
    free(file.content.data);
    free(o.pos);
    if (rc != CLI_OK)
        return rc;
    if (o.json)
        cli_print_json(json_pack("{s:b, s:o}", "dry_run", r->dry_run, "targets",
                                 changes_json(r->changes, r->n_changes)));
    else
        print_changes(r->changes, r->n_changes, r->dry_run, true);
    partrack__target_import_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

int cli_target_list(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack target list --plan NUMBER [--unit CODE] [--year YEAR] [--json]\n"
        "\n"
        "A plan's targets, each with where it came from: the plan's own, copied from\n"
        "the plan it implements, or overridden for this unit.\n";
    target_opts_t o;
    int rc = parse_opts(argc, argv, usage, false, false, false, &o);
    free(o.pos);
    if (rc != CLI_OK || o.help)
        return rc;
    Partrack__PlanShowRequest ref;
    fill_ref(&o, &ref);
    Partrack__TargetListReply *r = NULL;
    rc = cli_call(cli, cli->registry, PARTRACK__MESSAGE_TYPE__MSG_TARGET_LIST, &ref.base, false,
                  PARTRACK__MESSAGE_TYPE__MSG_TARGET_LIST_REPLY,
                  &partrack__target_list_reply__descriptor, (ProtobufCMessage **)&r);
    if (rc != CLI_OK)
        return rc;
    if (o.json) {
        json_t *a = json_array();
        for (size_t i = 0; i < r->n_targets; i++)
            json_array_append_new(a, target_json(r->targets[i]));
        cli_print_json(json_pack("{s:o}", "targets", a));
    } else {
        if (r->n_targets == 0)
            printf("plan %s has no targets (partrack target import FILE --plan %s)\n", o.plan,
                   o.plan);
        for (size_t i = 0; i < r->n_targets; i++) {
            const Partrack__Target *t = r->targets[i];
            char what[128];
            format_target(t, what, sizeof what);
            printf("%-22s %-14s %s", t->code, what, t->indicator);
            if (t->copied_from_plan)
                printf("  [%s from %s of %s]", t->origin, t->copied_from_plan, t->copied_from_unit);
            printf("\n");
        }
    }
    partrack__target_list_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

int cli_target_cascade(cli_t *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: partrack target cascade --plan NUMBER [--unit CODE] [--year YEAR]\n"
        "                               [--overrides FILE] [--dry-run] [--json]\n"
        "\n"
        "Copies a plan's targets down to every plan that implements it (see `plan\n"
        "tree`), level by level: a ward's plan gets its district's targets, which may\n"
        "be the city's. A lower plan's own target of the same code is kept, and so is\n"
        "an override given earlier. --overrides is a targets file whose rows name the\n"
        "unit they apply to (column `for`): that unit's plan gets that value instead.\n"
        "All or nothing; run it again after targets or plans change.\n";
    target_opts_t o;
    int rc = parse_opts(argc, argv, usage, false, true, true, &o);
    free(o.pos);
    Partrack__ImportFile file;
    bool have_file = false;
    if (rc == CLI_OK && !o.help && o.overrides) {
        if (!read_import_file(o.overrides, &file))
            rc = CLI_REFUSED;
        have_file = rc == CLI_OK;
    }
    if (rc != CLI_OK || o.help)
        return rc;
    Partrack__PlanShowRequest ref;
    fill_ref(&o, &ref);
    Partrack__TargetCascadeRequest req = PARTRACK__TARGET_CASCADE_REQUEST__INIT;
    req.plan = &ref;
    req.overrides = have_file ? &file : NULL;
    req.has_dry_run = 1;
    req.dry_run = o.dry_run;
    Partrack__TargetCascadeReply *r = NULL;
    rc = cli_call(cli, cli->registry, PARTRACK__MESSAGE_TYPE__MSG_TARGET_CASCADE, &req.base, true,
                  PARTRACK__MESSAGE_TYPE__MSG_TARGET_CASCADE_REPLY,
                  &partrack__target_cascade_reply__descriptor, (ProtobufCMessage **)&r);
    if (have_file)
        free(file.content.data);
    if (rc != CLI_OK)
        return rc;
    if (o.json) {
        cli_print_json(json_pack("{s:b, s:i, s:o}", "dry_run", r->dry_run, "plans", (int)r->plans,
                                 "targets", changes_json(r->changes, r->n_changes)));
    } else {
        printf("%u plan%s implementing %s:\n", r->plans, r->plans == 1 ? "" : "s", o.plan);
        print_changes(r->changes, r->n_changes, r->dry_run, false);
    }
    partrack__target_cascade_reply__free_unpacked(r, NULL);
    return CLI_OK;
}
