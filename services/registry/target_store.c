/* target_store.c - plans' targets in PostgreSQL (schema registry)
 *
 * Every write is one statement (upsert_target): it reads the old row, inserts
 * or updates the target unless the existing one's origin is protected or
 * nothing differs, and writes the audit row, all in one snapshot; it returns
 * what it did and the row as it now is, from which the TargetSet event is
 * built. An import protects nothing (the plan's own targets win); a cascade
 * protects the lower plan's own targets, and its earlier overrides unless a
 * new override is given. Target files are small, so one statement per target
 * costs little; a cascade over a city (1,000 plans x 10 targets) is 10,000
 * prepared executions in one transaction.
 */
#include "target_store.h"

#include "events.h"
#include "events.pb-c.h"
#include "plan_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns of the final row upsert_target returns, after the action. */
#define TARGET_ROW                                                                                 \
    "r.id, r.code, r.area, r.indicator, r.comparator, r.value, r.value_high, "                     \
    "r.measure, r.scope, r.sentence, r.origin, r.copied_from, r.line"

static const char upsert_sql[] =
    "WITH old AS (SELECT t.* FROM registry.target t WHERE plan_id = $2::bigint AND code = $3), "
    "up AS (INSERT INTO registry.target (top_code, plan_id, code, area, indicator, comparator, "
    "value, value_high, measure, scope, sentence, line, origin, copied_from) VALUES ($1, "
    "$2::bigint, $3, $4, $5, $6, $7::float8, $8::float8, $9, $10, $11, $12::int, $13, "
    "$14::bigint) ON CONFLICT (plan_id, code) DO UPDATE SET area = EXCLUDED.area, indicator = "
    "EXCLUDED.indicator, comparator = EXCLUDED.comparator, value = EXCLUDED.value, value_high = "
    "EXCLUDED.value_high, measure = EXCLUDED.measure, scope = EXCLUDED.scope, sentence = "
    "EXCLUDED.sentence, line = EXCLUDED.line, origin = EXCLUDED.origin, copied_from = "
    "EXCLUDED.copied_from, set_at = now() WHERE NOT (registry.target.origin = ANY($16::text[])) "
    "AND (registry.target.area, registry.target.indicator, registry.target.comparator, "
    "registry.target.value, registry.target.value_high, registry.target.measure, "
    "registry.target.scope, registry.target.sentence, registry.target.origin, "
    "registry.target.copied_from) IS DISTINCT FROM (EXCLUDED.area, EXCLUDED.indicator, "
    "EXCLUDED.comparator, EXCLUDED.value, EXCLUDED.value_high, EXCLUDED.measure, "
    "EXCLUDED.scope, EXCLUDED.sentence, EXCLUDED.origin, EXCLUDED.copied_from) RETURNING *), "
    "audited AS (INSERT INTO registry.audit (actor, entity, entity_id, action, before, after) "
    "SELECT $15, 'target', up.id::text, CASE WHEN EXISTS (SELECT 1 FROM old) THEN 'changed' "
    "ELSE 'created' END, (SELECT to_jsonb(o) - 'set_at' FROM old o), to_jsonb(up) - 'set_at' "
    "FROM up) "
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM up) THEN CASE WHEN EXISTS (SELECT 1 FROM old) THEN "
    "'changed' ELSE 'created' END WHEN (SELECT origin FROM old) = ANY($16::text[]) THEN 'kept' "
    "ELSE 'unchanged' END, " TARGET_ROW " FROM (SELECT * FROM up UNION ALL SELECT * FROM old "
    "WHERE NOT EXISTS (SELECT 1 FROM up)) r";

/* One target to write, with the origin rules for an existing one. */
typedef struct {
    const char *code, *area, *indicator, *comparator, *measure, *scope, *sentence;
    double value, value_high;
    unsigned line;
    const char *origin;      /* own, copied, overridden */
    int64_t copied_from;     /* 0: none */
    const char *protect;     /* origins left alone: "{}", "{own}", "{own,overridden}" */
    const char *copied_plan; /* for the reply: the plan and unit copied from */
    const char *copied_unit;
} target_write_t;

static void target_free(Partrack__Target *t)
{
    if (!t)
        return;
    free(t->plan);
    free(t->unit);
    free(t->code);
    free(t->area);
    free(t->indicator);
    free(t->comparator);
    free(t->measure);
    free(t->scope);
    free(t->sentence);
    free(t->origin);
    free(t->copied_from_plan);
    free(t->copied_from_unit);
    free(t);
}

/* A Target from a row whose columns start at `col` (TARGET_ROW order). */
static Partrack__Target *target_from_row(PGresult *res, int row, int col, const target_plan_t *plan)
{
    Partrack__Target *t = malloc(sizeof *t);
    if (!t)
        return NULL;
    partrack__target__init(t);
    const char *v;
#define CELL(k) (PQgetisnull(res, row, col + (k)) ? NULL : PQgetvalue(res, row, col + (k)))
#define TEXT(k) PQgetvalue(res, row, col + (k)) /* NOT NULL columns */
    t->id = strtoll(TEXT(0), NULL, 10);
    t->plan = strdup(plan->number);
    t->unit = strdup(plan->unit);
    t->code = strdup(TEXT(1));
    t->area = (v = CELL(2)) ? strdup(v) : NULL;
    t->indicator = strdup(TEXT(3));
    t->comparator = strdup(TEXT(4));
    t->value = strtod(TEXT(5), NULL);
    t->value_high = strtod(TEXT(6), NULL);
    t->measure = (v = CELL(7)) ? strdup(v) : NULL;
    t->scope = (v = CELL(8)) ? strdup(v) : NULL;
    t->sentence = (v = CELL(9)) ? strdup(v) : NULL;
    t->origin = strdup(TEXT(10));
    if ((v = CELL(12))) {
        t->has_line = 1;
        t->line = (uint32_t)strtoul(v, NULL, 10);
    }
#undef CELL
#undef TEXT
    if (!t->plan || !t->unit || !t->code || !t->indicator || !t->comparator || !t->origin) {
        target_free(t);
        return NULL;
    }
    return t;
}

static int target_set_event(db_t *db, const target_plan_t *plan, const Partrack__Target *t,
                            int64_t copied_from, int64_t *last_event)
{
    Partrack__TargetSet ev = PARTRACK__TARGET_SET__INIT;
    ev.target_id = t->id;
    ev.plan_id = plan->id;
    ev.plan_number = (char *)plan->number;
    ev.unit = (char *)plan->unit;
    ev.year = plan->year;
    ev.code = t->code;
    ev.indicator = t->indicator;
    ev.comparator = t->comparator;
    ev.value = t->value;
    ev.value_high = t->value_high;
    ev.measure = t->measure;
    ev.area = t->area;
    ev.origin = t->origin;
    ev.has_copied_from = copied_from != 0;
    ev.copied_from = copied_from;
    size_t len = partrack__target_set__get_packed_size(&ev);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -1;
    partrack__target_set__pack(&ev, buf);
    int rc = events_append(db, "registry", "TargetSet", plan->unit, buf, len, last_event);
    free(buf);
    return rc;
}

/* Appends a change to a growing list. */
static int push_change(Partrack__TargetChange ***list, size_t *n, Partrack__Target *t,
                       const char *action, const char *why)
{
    Partrack__TargetChange **grown = realloc(*list, (*n + 1) * sizeof *grown);
    Partrack__TargetChange *c = malloc(sizeof *c);
    if (grown)
        *list = grown;
    if (!grown || !c) {
        free(c);
        target_free(t);
        return -1;
    }
    partrack__target_change__init(c);
    c->target = t;
    c->action = strdup(action);
    c->why = why ? strdup(why) : NULL;
    (*list)[(*n)++] = c;
    return 0;
}

/* Writes one target of plan; records the change. 0, or -1 (database
 * failure or out of memory). */
static int upsert_target(db_t *db, const target_plan_t *plan, const target_write_t *w,
                         const char *actor, Partrack__TargetChange ***changes, size_t *nchanges,
                         int64_t *last_event)
{
    char plan_id[32], value[40], value_high[40], line[16], copied[32];
    snprintf(plan_id, sizeof plan_id, "%lld", (long long)plan->id);
    snprintf(value, sizeof value, "%.15g", w->value);
    snprintf(value_high, sizeof value_high, "%.15g", w->value_high);
    snprintf(line, sizeof line, "%u", w->line);
    snprintf(copied, sizeof copied, "%lld", (long long)w->copied_from);
    const char *params[] = {plan->top,    plan_id,
                            w->code,      w->area,
                            w->indicator, w->comparator,
                            value,        value_high,
                            w->measure,   w->scope,
                            w->sentence,  w->line ? line : NULL,
                            w->origin,    w->copied_from ? copied : NULL,
                            actor,        w->protect};
    db_status_t st;
    PGresult *res = db_exec(db, upsert_sql, 16, params, &st);
    if (!res)
        return -1;
    const char *action = PQgetvalue(res, 0, 0);
    Partrack__Target *t = target_from_row(res, 0, 1, plan);
    int64_t copied_from = PQgetisnull(res, 0, 12) ? 0 : strtoll(PQgetvalue(res, 0, 12), NULL, 10);
    int rc = -1;
    if (t) {
        if (copied_from && w->copied_from == copied_from) {
            t->copied_from_plan = w->copied_plan ? strdup(w->copied_plan) : NULL;
            t->copied_from_unit = w->copied_unit ? strdup(w->copied_unit) : NULL;
        }
        bool wrote = strcmp(action, "created") == 0 || strcmp(action, "changed") == 0;
        const char *why = NULL;
        if (strcmp(action, "kept") == 0)
            why = strcmp(t->origin, "own") == 0 ? "the plan's own target"
                                                : "an override given earlier";
        rc = 0;
        if (wrote && target_set_event(db, plan, t, copied_from, last_event) < 0)
            rc = -1;
        if (push_change(changes, nchanges, t, action, why) < 0)
            rc = -1;
    }
    PQclear(res);
    return rc;
}

static long top_of(const directory_t *dir, long u)
{
    while (u >= 0 && directory_unit(dir, u)->parent >= 0)
        u = directory_unit(dir, u)->parent;
    return u;
}

/* Fills plan's unit-derived fields from its unit code. */
static void plan_fill_top(target_plan_t *plan, const directory_t *dir)
{
    long u = directory_find(dir, plan->unit);
    long top = top_of(dir, u);
    snprintf(plan->top, sizeof plan->top, "%s",
             top >= 0 ? directory_unit(dir, top)->code : plan->unit);
}

int target_store_find_plan(db_t *db, const directory_t *dir, const Partrack__PlanShowRequest *ref,
                           target_plan_t *plan, bool *ambiguous)
{
    char year[16];
    snprintf(year, sizeof year, "%d", ref->year);
    const char *params[] = {ref->number, ref->unit, ref->has_year ? year : NULL};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "SELECT id, unit_code, year, number FROM registry.plan WHERE number = "
                            "$1 AND replaced_at IS NULL AND ($2::text IS NULL OR unit_code = $2) "
                            "AND ($3::int IS NULL OR year = $3::int) LIMIT 2",
                            3, params, &st);
    if (!res)
        return -1;
    *ambiguous = PQntuples(res) > 1;
    int found = PQntuples(res) == 1;
    if (found) {
        memset(plan, 0, sizeof *plan);
        plan->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        snprintf(plan->unit, sizeof plan->unit, "%s", PQgetvalue(res, 0, 1));
        plan->year = atoi(PQgetvalue(res, 0, 2));
        snprintf(plan->number, sizeof plan->number, "%s", PQgetvalue(res, 0, 3));
        plan_fill_top(plan, dir);
    }
    PQclear(res);
    return found;
}

/* A file row as a write with the given origin rules. */
static target_write_t write_from_row(const target_row_t *r, const char *origin, int64_t copied_from,
                                     const char *protect)
{
    return (target_write_t){.code = r->code,
                            .area = r->area,
                            .indicator = r->indicator,
                            .comparator = target_row_comparator(r),
                            .measure = r->unit,
                            .scope = r->scope,
                            .sentence = r->sentence,
                            .value = r->value,
                            .value_high = r->value_high,
                            .line = r->line,
                            .origin = origin,
                            .copied_from = copied_from,
                            .protect = protect};
}

int target_store_import(db_t *db, const target_plan_t *plan, const target_file_t *file,
                        const char *file_name, const char *actor,
                        Partrack__TargetImportReply *reply, problems_t *problems,
                        int64_t *last_event)
{
    for (size_t i = 0; i < file->nrows; i++)
        if (file->rows[i].for_unit)
            problems_add(problems, file_name, file->rows[i].line, "for",
                         "a unit's override belongs in `target cascade --overrides`; `target "
                         "import` sets the plan's own targets");
    if (file->nrows == 0)
        problems_add(problems, file_name, 0, NULL, "no target in the file");
    if (problems->n > 0)
        return 1;
    for (size_t i = 0; i < file->nrows; i++) {
        target_write_t w = write_from_row(&file->rows[i], "own", 0, "{}");
        if (upsert_target(db, plan, &w, actor, &reply->changes, &reply->n_changes, last_event) < 0)
            return -1;
    }
    return 0;
}

static void changes_free(Partrack__TargetChange **changes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        target_free(changes[i]->target);
        free(changes[i]->action);
        free(changes[i]->why);
        free(changes[i]);
    }
    free(changes);
}

void target_store_free_import(Partrack__TargetImportReply *reply)
{
    changes_free(reply->changes, reply->n_changes);
    reply->changes = NULL;
    reply->n_changes = 0;
}

#define TARGET_SELECT                                                                              \
    "SELECT r.id, r.code, r.area, r.indicator, r.comparator, r.value, r.value_high, r.measure, "   \
    "r.scope, r.sentence, r.origin, r.copied_from, r.line, p.number, p.unit_code FROM "            \
    "registry.target r LEFT JOIN registry.target s ON s.id = r.copied_from LEFT JOIN "             \
    "registry.plan p ON p.id = s.plan_id WHERE r.plan_id = $1::bigint ORDER BY r.code"

int target_store_list(db_t *db, const target_plan_t *plan, Partrack__TargetListReply *reply)
{
    char plan_id[32];
    snprintf(plan_id, sizeof plan_id, "%lld", (long long)plan->id);
    const char *params[] = {plan_id};
    db_status_t st;
    PGresult *res = db_exec(db, TARGET_SELECT, 1, params, &st);
    if (!res)
        return -1;
    int n = PQntuples(res);
    reply->targets = calloc((size_t)n + 1, sizeof *reply->targets);
    int rc = reply->targets ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++) {
        Partrack__Target *t = target_from_row(res, i, 0, plan);
        if (!t) {
            rc = -1;
            break;
        }
        if (!PQgetisnull(res, i, 13)) {
            t->copied_from_plan = strdup(PQgetvalue(res, i, 13));
            t->copied_from_unit = strdup(PQgetvalue(res, i, 14));
        }
        reply->targets[reply->n_targets++] = t;
    }
    PQclear(res);
    return rc;
}

void target_store_free_list(Partrack__TargetListReply *reply)
{
    for (size_t i = 0; i < reply->n_targets; i++)
        target_free(reply->targets[i]);
    free(reply->targets);
    reply->targets = NULL;
    reply->n_targets = 0;
}

/* ---- cascade ---- */

/* The override for a unit and code, or NULL; marks it used. */
static const target_row_t *find_override(const target_file_t *overrides, bool *used,
                                         const char *unit, const char *code)
{
    for (size_t i = 0; overrides && i < overrides->nrows; i++) {
        const target_row_t *r = &overrides->rows[i];
        if (strcmp(r->for_unit, unit) == 0 && strcmp(r->code, code) == 0) {
            used[i] = true;
            return r;
        }
    }
    return NULL;
}

/* Copies the targets of `from` (already final) into plan `to`. */
static int cascade_one(db_t *db, const target_plan_t *from, const target_plan_t *to,
                       const target_file_t *overrides, bool *used, const char *actor,
                       Partrack__TargetCascadeReply *reply, int64_t *last_event)
{
    Partrack__TargetListReply source = PARTRACK__TARGET_LIST_REPLY__INIT;
    if (target_store_list(db, from, &source) < 0) {
        target_store_free_list(&source);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < source.n_targets; i++) {
        const Partrack__Target *s = source.targets[i];
        const target_row_t *o = find_override(overrides, used, to->unit, s->code);
        target_write_t w;
        if (o) {
            w = write_from_row(o, "overridden", s->id, "{own}");
        } else {
            w = (target_write_t){.code = s->code,
                                 .area = s->area,
                                 .indicator = s->indicator,
                                 .comparator = s->comparator,
                                 .measure = s->measure,
                                 .scope = s->scope,
                                 .sentence = s->sentence,
                                 .value = s->value,
                                 .value_high = s->value_high,
                                 .origin = "copied",
                                 .copied_from = s->id,
                                 .protect = "{own,overridden}"};
        }
        w.copied_plan = from->number;
        w.copied_unit = from->unit;
        rc = upsert_target(db, to, &w, actor, &reply->changes, &reply->n_changes, last_event);
    }
    target_store_free_list(&source);
    return rc;
}

/* The subtree of the cascade below plan id `root`: indexes into nodes. */
static size_t subtree(const Partrack__PlanTreeReply *tree, int64_t root, size_t *first)
{
    for (size_t i = 0; i < tree->n_nodes; i++) {
        if (tree->nodes[i]->id != root)
            continue;
        size_t end = i + 1;
        while (end < tree->n_nodes && tree->nodes[end]->depth > tree->nodes[i]->depth)
            end++;
        *first = i;
        return end - i;
    }
    return 0;
}

static target_plan_t plan_of_node(const Partrack__PlanNode *n, const directory_t *dir)
{
    target_plan_t p;
    memset(&p, 0, sizeof p);
    p.id = n->id;
    snprintf(p.unit, sizeof p.unit, "%s", n->unit);
    snprintf(p.number, sizeof p.number, "%s", n->number);
    p.year = n->year;
    plan_fill_top(&p, dir);
    return p;
}

int target_store_cascade(db_t *db, const directory_t *dir, const target_plan_t *plan,
                         const target_file_t *overrides, const char *overrides_name,
                         const char *actor, Partrack__TargetCascadeReply *reply,
                         problems_t *problems, int64_t *last_event)
{
    Partrack__PlanTreeRequest treq = PARTRACK__PLAN_TREE_REQUEST__INIT;
    treq.number = (char *)plan->number;
    treq.unit = (char *)plan->unit;
    treq.has_year = 1;
    treq.year = plan->year;
    Partrack__PlanTreeReply tree = PARTRACK__PLAN_TREE_REPLY__INIT;
    bool ambiguous;
    bool *used = calloc(overrides ? overrides->nrows + 1 : 1, sizeof *used);
    int rc = -1;
    if (!used || plan_tree_build(db, dir, &treq, &tree, &ambiguous) < 0)
        goto done;
    for (size_t i = 0; overrides && i < overrides->nrows; i++)
        if (!overrides->rows[i].for_unit)
            problems_add(problems, overrides_name, overrides->rows[i].line, "for",
                         "an override names the unit it applies to (column `for`)");
    size_t first = 0, n = subtree(&tree, plan->id, &first);
    if (n <= 1)
        problems_add(problems, NULL, 0, "plan",
                     "no plan implements %s of %s yet (see `partrack plan coverage`)", plan->number,
                     plan->unit);
    if (problems->n > 0) {
        rc = 1;
        goto done;
    }
    /* Depth first: a plan's targets are final before its children copy them. */
    for (size_t i = first + 1; i < first + n; i++) {
        const Partrack__PlanNode *node = tree.nodes[i];
        const Partrack__PlanNode *parent = NULL;
        for (size_t k = first; k < i && !parent; k++)
            if (tree.nodes[k]->id == node->parent)
                parent = tree.nodes[k];
        if (!parent)
            continue;
        target_plan_t from = plan_of_node(parent, dir), to = plan_of_node(node, dir);
        if (cascade_one(db, &from, &to, overrides, used, actor, reply, last_event) < 0)
            goto done;
        reply->plans++;
    }
    for (size_t i = 0; overrides && i < overrides->nrows; i++) {
        if (used[i])
            continue;
        const target_row_t *r = &overrides->rows[i];
        bool has_plan = false;
        for (size_t k = first + 1; k < first + n; k++)
            has_plan |= strcmp(tree.nodes[k]->unit, r->for_unit) == 0;
        if (has_plan)
            problems_add(problems, overrides_name, r->line, "code",
                         "%s is not a target of the plan %s's plan implements", r->code,
                         r->for_unit);
        else
            problems_add(problems, overrides_name, r->line, "for",
                         "%s has no plan implementing %s (see `partrack plan tree`)", r->for_unit,
                         plan->number);
    }
    rc = problems->n > 0 ? 1 : 0;
done:
    free(used);
    plan_tree_free(&tree);
    return rc;
}

void target_store_free_cascade(Partrack__TargetCascadeReply *reply)
{
    changes_free(reply->changes, reply->n_changes);
    reply->changes = NULL;
    reply->n_changes = 0;
}
