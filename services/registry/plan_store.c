/* plan_store.c - plans and tasks in PostgreSQL (schema registry)
 *
 * The import is batched like the unit import: task ids are taken from the
 * sequence up front, so tasks, their units and their unresolved names go in
 * one statement each with their rows as arrays. Names are resolved with
 * resolve_text on an in-memory directory, in the context of the issuing unit.
 */
#include "plan_store.h"

#include "deadline_json.h"
#include "events.h"
#include "events.pb-c.h"
#include "resolve.h"
#include "text.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Strings made during an import that the batch columns borrow. */
typedef struct {
    char **items;
    size_t n, cap;
} owned_t;

static const char *own(owned_t *o, char *s)
{
    if (!s)
        return NULL;
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 256;
        char **grown = realloc(o->items, cap * sizeof *grown);
        if (!grown) {
            free(s);
            return NULL;
        }
        o->items = grown;
        o->cap = cap;
    }
    o->items[o->n++] = s;
    return s;
}

static const char *ownf(owned_t *o, const char *fmt, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, fmt, v);
    return own(o, strdup(buf));
}

static void owned_free(owned_t *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->items[i]);
    free(o->items);
}

static PGresult *query(db_t *db, const char *sql, int n, const char *const *params)
{
    db_status_t st;
    return db_exec(db, sql, n, params, &st);
}

static int exec_ok(db_t *db, const char *sql, int n, const char *const *params)
{
    PGresult *res = query(db, sql, n, params);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

static int columns_ok(db_t *db, const char *sql, const db_column_t *cols, int n)
{
    if (cols[0].n == 0)
        return 0;
    db_status_t st;
    PGresult *res = db_exec_columns(db, sql, cols, n, &st);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

static char *extra_json(const plan_task_t *t)
{
    json_t *o = json_object();
    for (size_t i = 0; i < t->nextra; i++)
        json_object_set_new(o, t->extra[i].name,
                            json_string(t->extra[i].value ? t->extra[i].value : ""));
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

char *plan_store_schedule_json(const deadline_t *d)
{
    if (!d)
        return NULL;
    json_t *o = deadline_to_json(d);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return text;
}

/* ---- resolution of a task's names ---- */

typedef struct {
    db_column_t unit[6];       /* task_id, unit_code, role, via, how, heads */
    db_column_t unresolved[5]; /* task_id, role, text, status, candidates */
} assignments_t;

static int add_unresolved_reply(Partrack__PlanImportReply *reply, const plan_task_t *t,
                                const char *role, const resolve_part_t *part,
                                const directory_t *dir)
{
    Partrack__UnresolvedName *u = malloc(sizeof *u);
    Partrack__UnresolvedName **grown =
        realloc(reply->unresolved, (reply->n_unresolved + 1) * sizeof *grown);
    if (!u || !grown) {
        free(u);
        if (grown)
            reply->unresolved = grown;
        return -1;
    }
    reply->unresolved = grown;
    partrack__unresolved_name__init(u);
    char where[32];
    snprintf(where, sizeof where, "line %u", t->line);
    u->task = strdup(t->ordinal ? t->ordinal : where);
    u->line = t->line;
    u->role = strdup(role);
    u->text = strdup(part->text);
    u->status = strdup(resolve_status_name(part->status));
    u->candidates = calloc(part->nunits + 1, sizeof *u->candidates);
    for (size_t k = 0; u->candidates && k < part->nunits; k++)
        u->candidates[u->n_candidates++] = strdup(directory_unit(dir, part->units[k])->code);
    reply->unresolved[reply->n_unresolved++] = u;
    return 0;
}

/* Names repeat from task to task ("Văn phòng UBND phường" leads half a
 * plan): each distinct name is resolved once per import. */
typedef struct {
    char **names;
    resolve_result_t *results;
    bool *ok;
    size_t n, cap;
} resolve_memo_t;

/* The resolution of name (cached), or NULL if it cannot be resolved at all
 * (empty, invalid) or memory ran out (*oom). */
static const resolve_result_t *memo_resolve(resolve_memo_t *m, const directory_t *dir,
                                            const char *name, const char *context, bool *oom)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->names[i], name) == 0)
            return m->ok[i] ? &m->results[i] : NULL;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 32;
        char **names = realloc(m->names, cap * sizeof *names);
        resolve_result_t *results = names ? realloc(m->results, cap * sizeof *results) : NULL;
        bool *ok = results ? realloc(m->ok, cap * sizeof *ok) : NULL;
        if (names)
            m->names = names;
        if (results)
            m->results = results;
        if (!ok) {
            *oom = true;
            return NULL;
        }
        m->ok = ok;
        m->cap = cap;
    }
    char err[256];
    size_t i = m->n;
    if (!(m->names[i] = strdup(name))) {
        *oom = true;
        return NULL;
    }
    m->ok[i] = resolve_text(dir, name, context, &m->results[i], err, sizeof err) == 0;
    m->n++;
    return m->ok[i] ? &m->results[i] : NULL;
}

static void memo_free(resolve_memo_t *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->names[i]);
        if (m->ok[i])
            resolve_result_free(&m->results[i]);
    }
    free(m->names);
    free(m->results);
    free(m->ok);
}

/* Resolves each name of one role; returns how many parts named units, or
 * -1 on failure. Sets *all_resolved false when a part did not. */
/* True if the task's rows from index `from` on already have code as lead. */
static bool is_lead(const assignments_t *a, size_t from, const char *code)
{
    for (size_t i = from; i < a->unit[1].n; i++)
        if (strcmp(a->unit[2].items[i], "lead") == 0 && strcmp(a->unit[1].items[i], code) == 0)
            return true;
    return false;
}

/* Assigns the units named for one role of a task. A unit that leads the task
 * is not also one of its cooperating units: "các bộ phận chuyên môn" as
 * cooperating, when one of those sections leads, means the others. The task's
 * rows start at index task_from of the assignments. */
static int assign_role(const directory_t *dir, long context, const plan_task_t *t,
                       const char *task_id, const char *role, char **names, size_t nnames,
                       resolve_memo_t *memo, assignments_t *a, size_t task_from,
                       owned_t *own_strings, Partrack__PlanImportReply *reply, bool *all_resolved)
{
    bool cooperating = strcmp(role, "cooperating") == 0;
    int named = 0;
    const char *context_code = directory_unit(dir, context)->code;
    for (size_t i = 0; i < nnames; i++) {
        bool oom = false;
        const resolve_result_t *r = memo_resolve(memo, dir, names[i], context_code, &oom);
        if (oom)
            return -1;
        if (!r) {
            *all_resolved = false;
            continue; /* empty or invalid: nothing to assign */
        }
        for (size_t p = 0; p < r->nparts; p++) {
            const resolve_part_t *part = &r->parts[p];
            if (part->status == RESOLVE_RESOLVED || part->status == RESOLVE_GROUP) {
                for (size_t k = 0; k < part->nunits; k++) {
                    const char *code = directory_unit(dir, part->units[k])->code;
                    if (cooperating && is_lead(a, task_from, code))
                        continue;
                    const char *vals[6] = {task_id,   code,
                                           role,      own(own_strings, strdup(part->text)),
                                           part->how, part->heads ? "true" : "false"};
                    for (int c = 0; c < 6; c++)
                        if (db_column_push(&a->unit[c], vals[c]) < 0)
                            return -1;
                }
                named += part->nunits > 0;
                continue;
            }
            *all_resolved = false;
            char cand[1024] = "{";
            for (size_t k = 0; k < part->nunits && strlen(cand) < 900; k++) {
                strcat(cand, k ? "," : "");
                strcat(cand, directory_unit(dir, part->units[k])->code);
            }
            strcat(cand, "}");
            const char *vals[5] = {task_id, role, own(own_strings, strdup(part->text)),
                                   resolve_status_name(part->status),
                                   own(own_strings, strdup(cand))};
            for (int c = 0; c < 5; c++)
                if (db_column_push(&a->unresolved[c], vals[c]) < 0)
                    return -1;
            if (add_unresolved_reply(reply, t, role, part, dir) < 0)
                return -1;
        }
    }
    return named;
}

/* ---- import ---- */

static long top_of(const directory_t *dir, long u)
{
    while (directory_unit(dir, u)->parent >= 0)
        u = directory_unit(dir, u)->parent;
    return u;
}

/* Refuses a second current plan of the same number, or marks the old one
 * replaced (its id in *replaced, else 0). Returns 0, 1 conflict (problem
 * added), -1 database failure. */
static int check_existing(db_t *db, const Partrack__PlanImportRequest *req, problems_t *problems,
                          int64_t *replaced)
{
    char year[16];
    snprintf(year, sizeof year, "%d", req->year);
    const char *params[] = {req->unit, year, req->number};
    PGresult *res =
        query(db,
              "SELECT id, to_char(imported_at, 'DD/MM/YYYY HH24:MI') FROM registry.plan "
              "WHERE unit_code = $1 AND year = $2::int AND number = $3 AND "
              "replaced_at IS NULL FOR UPDATE",
              3, params);
    if (!res)
        return -1;
    *replaced = 0;
    int rc = 0;
    if (PQntuples(res) == 1) {
        if (!(req->has_replace && req->replace)) {
            problems_add(problems, NULL, 0, "number",
                         "plan %s of %s for %d was already imported on %s; use --replace to "
                         "replace it",
                         req->number, req->unit, req->year, PQgetvalue(res, 0, 1));
            rc = 1;
        } else {
            const char *id[] = {PQgetvalue(res, 0, 0)};
            rc = exec_ok(db, "UPDATE registry.plan SET replaced_at = now() WHERE id = $1::bigint",
                         1, id);
            if (rc == 0)
                *replaced = strtoll(id[0], NULL, 10);
        }
    }
    PQclear(res);
    return rc;
}

static int write_plan(db_t *db, const Partrack__PlanImportRequest *req, const char *top,
                      char plan_id[32])
{
    char year[16];
    snprintf(year, sizeof year, "%d", req->year);
    const char *params[] = {top,        req->unit,      year,           req->number,
                            req->title, req->issued_on, req->file->name};
    PGresult *res = query(db,
                          "INSERT INTO registry.plan (top_code, unit_code, year, number, title, "
                          "issued_on, source_file) VALUES ($1, $2, $3::int, $4, $5, $6::date, $7) "
                          "RETURNING id",
                          7, params);
    if (!res)
        return -1;
    snprintf(plan_id, 32, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    for (size_t i = 0; i < req->n_implements; i++) {
        const char *link[] = {plan_id, req->implements[i]};
        if (exec_ok(db,
                    "INSERT INTO registry.plan_link (plan_id, implements, implements_id) "
                    "SELECT $1::bigint, $2, (SELECT min(id) FROM registry.plan WHERE number = $2 "
                    "AND replaced_at IS NULL HAVING count(*) = 1) ON CONFLICT DO NOTHING",
                    2, link) < 0)
            return -1;
    }
    return 0;
}

/* Appends the PlanIssued event of a plan just written. */
static int plan_issued_event(db_t *db, const Partrack__PlanImportRequest *req, const char *plan_id,
                             size_t ntasks, int64_t replaced, int64_t *last_event)
{
    Partrack__PlanIssued ev = PARTRACK__PLAN_ISSUED__INIT;
    ev.plan_id = strtoll(plan_id, NULL, 10);
    ev.unit = req->unit;
    ev.year = req->year;
    ev.number = req->number;
    ev.title = req->title;
    ev.issued_on = req->issued_on;
    ev.n_implements = req->n_implements;
    ev.implements = req->implements;
    ev.tasks = (uint32_t)ntasks;
    ev.has_replaces = replaced != 0;
    ev.replaces = replaced;
    size_t len = partrack__plan_issued__get_packed_size(&ev);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -1;
    partrack__plan_issued__pack(&ev, buf);
    int rc = events_append(db, "registry", "PlanIssued", req->unit, buf, len, last_event);
    free(buf);
    return rc;
}

/* One imported task as its TaskAssigned event tells it; codes[i] has
 * roles[i] ("lead" or "cooperating"), as the assignments batch holds them. */
typedef struct {
    int64_t task_id;
    const char *area, *ordinal, *title, *deadline_text;
    bool assigned;
    const char *const *codes, *const *roles;
    size_t ncodes;
} task_event_t;

typedef struct {
    uint8_t **payloads;
    size_t *lens;
} task_payloads_t;

/* Packs a TaskAssigned ("imported") from the plan's fields in *plan and the
 * task's; each unit once per role. NULL when out of memory. The events are
 * built from the import's own data rather than read back: reading them back
 * (task_events.h, as a merge does) costs a quarter of a large import. */
static uint8_t *pack_task_assigned(const Partrack__TaskAssigned *plan, const task_event_t *t,
                                   size_t *len)
{
    Partrack__TaskAssigned ev = *plan;
    char **codes = calloc(t->ncodes + 1, sizeof *codes);
    if (!codes)
        return NULL;
    ev.task_id = t->task_id;
    ev.area = (char *)t->area;
    ev.ordinal = (char *)t->ordinal;
    ev.title = (char *)t->title;
    ev.deadline_text = (char *)t->deadline_text;
    ev.assigned = t->assigned;
    ev.reason = "imported";
    ev.status = "open";
    ev.lead = codes;
    for (int pass = 0; pass < 2; pass++) {
        const char *role = pass == 0 ? "lead" : "cooperating";
        char **out = pass == 0 ? ev.lead : ev.lead + ev.n_lead;
        size_t n = 0;
        for (size_t i = 0; i < t->ncodes; i++) {
            bool seen = strcmp(t->roles[i], role) != 0;
            for (size_t k = 0; k < n && !seen; k++)
                seen = strcmp(out[k], t->codes[i]) == 0;
            if (!seen)
                out[n++] = (char *)t->codes[i];
        }
        if (pass == 0) {
            ev.n_lead = n;
        } else {
            ev.cooperating = out;
            ev.n_cooperating = n;
        }
    }
    *len = partrack__task_assigned__get_packed_size(&ev);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        partrack__task_assigned__pack(&ev, buf);
    free(codes);
    return buf;
}

static int append_task_events(db_t *db, const char *unit, const task_payloads_t *events, size_t n,
                              int64_t *last_event)
{
    const char **types = calloc(n, sizeof *types), **units = calloc(n, sizeof *units);
    int rc = -1;
    if (types && units) {
        for (size_t i = 0; i < n; i++) {
            types[i] = "TaskAssigned";
            units[i] = unit;
        }
        int64_t first;
        rc = events_append_batch(db, "registry", n, types, units,
                                 (const uint8_t *const *)events->payloads, events->lens, &first);
        if (rc == 0)
            *last_event = first + (int64_t)n - 1;
    }
    free(types);
    free(units);
    return rc;
}

/* Reserves n task ids from the sequence. */
static int64_t *reserve_ids(db_t *db, size_t n)
{
    char count[24];
    snprintf(count, sizeof count, "%zu", n);
    const char *params[] = {count};
    PGresult *res = query(db,
                          "SELECT nextval('registry.task_id_seq') FROM generate_series(1, "
                          "$1::int)",
                          1, params);
    if (!res)
        return NULL;
    int64_t *ids = calloc(n + 1, sizeof *ids);
    for (int i = 0; ids && i < PQntuples(res); i++)
        ids[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
    PQclear(res);
    return ids;
}

plan_store_rc_t plan_store_import(db_t *db, const directory_t *dir,
                                  const Partrack__PlanImportRequest *req, const plan_doc_t *doc,
                                  const char *actor, Partrack__PlanImportReply *reply,
                                  problems_t *problems, int64_t *last_event)
{
    plan_store_rc_t rc = PLAN_STORE_DB_FAILED;
    owned_t owned = {0};
    task_payloads_t events = {0};
    db_column_t areas[5] = {0}, tasks[19] = {0};
    assignments_t a = {0};
    resolve_memo_t memo = {0};
    int64_t *ids = NULL;
    long context = directory_find(dir, req->unit);
    if (context < 0 || directory_unit(dir, context)->valid_to) {
        problems_add(problems, NULL, 0, "unit",
                     context < 0 ? "unknown unit %s" : "%s is no longer active", req->unit);
        return PLAN_STORE_REFUSED;
    }
    size_t ntasks = 0;
    for (size_t t = 0; t < doc->ntables; t++)
        ntasks += doc->tables[t].ntasks;
    if (ntasks == 0) {
        problems_add(problems, req->file->name, 0, NULL, "no task found in the file");
        return PLAN_STORE_REFUSED;
    }
    int64_t replaced;
    int existing = check_existing(db, req, problems, &replaced);
    if (existing != 0)
        return existing < 0 ? PLAN_STORE_DB_FAILED : PLAN_STORE_CONFLICT;
    const char *top = directory_unit(dir, top_of(dir, context))->code;
    char plan_id[32];
    if (write_plan(db, req, top, plan_id) < 0)
        goto done;
    if (!(ids = reserve_ids(db, ntasks)))
        goto done;

    if (!(events.payloads = calloc(ntasks, sizeof *events.payloads)) ||
        !(events.lens = calloc(ntasks, sizeof *events.lens)))
        goto done;
    Partrack__TaskAssigned plan_ev = PARTRACK__TASK_ASSIGNED__INIT;
    plan_ev.plan_id = strtoll(plan_id, NULL, 10);
    plan_ev.plan_number = req->number;
    plan_ev.plan_unit = req->unit;
    plan_ev.year = req->year;

    reply->tables = (unsigned)doc->ntables;
    reply->has_dry_run = 1;
    reply->dry_run = req->has_dry_run && req->dry_run;
    reply->has_replaced = 1;
    reply->replaced = replaced != 0;
    reply->plan_id = strtoll(plan_id, NULL, 10);
    size_t k = 0;
    bool oom = false;
    for (size_t ti = 0; ti < doc->ntables; ti++) {
        const plan_table_t *table = &doc->tables[ti];
        const char *table_no = ownf(&owned, "%lld", (long long)ti + 1);
        for (size_t i = 0; i < table->nareas; i++) {
            const char *vals[5] = {plan_id, table_no, table->areas[i].ordinal,
                                   table->areas[i].title,
                                   ownf(&owned, "%lld", table->areas[i].line)};
            for (int c = 0; c < 5; c++)
                oom |= db_column_push(&areas[c], vals[c]) < 0;
            reply->areas++;
        }
        for (size_t i = 0; i < table->ntasks; i++, k++) {
            const plan_task_t *t = &table->tasks[i];
            const char *task_id = ownf(&owned, "%lld", (long long)ids[k]);
            size_t units_from = a.unit[1].n;
            bool all_resolved = t->nlead > 0;
            int lead = assign_role(dir, context, t, task_id, "lead", t->lead, t->nlead, &memo, &a,
                                   units_from, &owned, reply, &all_resolved);
            bool coop_ok = true;
            int coop = assign_role(dir, context, t, task_id, "cooperating", t->cooperating,
                                   t->ncooperating, &memo, &a, units_from, &owned, reply, &coop_ok);
            if (lead < 0 || coop < 0) {
                oom = true;
                break;
            }
            bool assigned = all_resolved && lead > 0;
            reply->assigned += assigned;
            bool unparsed = t->schedule && t->schedule->unparsed;
            reply->deadlines_unparsed += unparsed;
            const char *vals[19] = {
                task_id,
                top,
                plan_id,
                table_no,
                t->area,
                t->ordinal,
                t->title ? t->title : "",
                own(&owned, text_fold(t->title ? t->title : "")),
                t->lead_text,
                t->cooperating_text,
                t->product,
                t->deadline_text,
                own(&owned, plan_store_schedule_json(t->schedule)),
                unparsed ? "true" : "false",
                t->source,
                t->requirement,
                own(&owned, extra_json(t)),
                ownf(&owned, "%lld", t->line),
                assigned ? "true" : "false",
            };
            for (int c = 0; c < 19; c++)
                oom |= db_column_push(&tasks[c], vals[c]) < 0;
            const task_event_t te = {.task_id = ids[k],
                                     .area = t->area,
                                     .ordinal = t->ordinal,
                                     .title = vals[6],
                                     .deadline_text = t->deadline_text,
                                     .assigned = assigned,
                                     .codes = a.unit[1].items + units_from,
                                     .roles = a.unit[2].items + units_from,
                                     .ncodes = a.unit[1].n - units_from};
            oom |= !(events.payloads[k] = pack_task_assigned(&plan_ev, &te, &events.lens[k]));
        }
    }
    reply->tasks = (unsigned)ntasks;
    reply->warnings = calloc(doc->nwarnings + 1, sizeof *reply->warnings);
    for (size_t i = 0; reply->warnings && i < doc->nwarnings; i++) {
        Partrack__Problem *w = malloc(sizeof *w);
        if (!w)
            break;
        partrack__problem__init(w);
        w->file = strdup(req->file->name);
        w->has_line = 1;
        w->line = doc->warnings[i].line;
        w->message = strdup(doc->warnings[i].message);
        reply->warnings[reply->n_warnings++] = w;
    }
    if (oom)
        goto done;
    if (columns_ok(db,
                   "INSERT INTO registry.plan_area (plan_id, table_no, ordinal, title, line) "
                   "SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], "
                   "$5::int[]) ON CONFLICT DO NOTHING",
                   areas, 5) < 0 ||
        columns_ok(db,
                   "INSERT INTO registry.task (id, top_code, plan_id, table_no, area, ordinal, "
                   "title, title_fold, lead_text, cooperating_text, product, deadline_text, "
                   "schedule, deadline_unparsed, source, requirement, extra, line, assigned) "
                   "SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::int[], "
                   "$5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], "
                   "$11::text[], $12::text[], $13::jsonb[], $14::boolean[], $15::text[], "
                   "$16::text[], $17::jsonb[], $18::int[], $19::boolean[])",
                   tasks, 19) < 0 ||
        columns_ok(db,
                   "INSERT INTO registry.task_unit (task_id, unit_code, role, via, how, heads) "
                   "SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], "
                   "$5::text[], $6::boolean[]) ON CONFLICT DO NOTHING",
                   a.unit, 6) < 0 ||
        columns_ok(db,
                   "INSERT INTO registry.task_unresolved (task_id, role, text, status, "
                   "candidates) SELECT t, r, x, s, c::text[] FROM unnest($1::bigint[], "
                   "$2::text[], $3::text[], $4::text[], $5::text[]) AS u(t, r, x, s, c) "
                   "ON CONFLICT DO NOTHING",
                   a.unresolved, 5) < 0)
        goto done;

    /* The audit row and the events: one PlanIssued, one TaskAssigned a task. */
    char after[512];
    snprintf(after, sizeof after, "{\"tasks\": %zu, \"assigned\": %u, \"replaced\": %s}", ntasks,
             reply->assigned, replaced ? "true" : "false");
    const char *audit[] = {actor, plan_id, replaced ? "replaced" : "imported", after};
    if (exec_ok(db,
                "INSERT INTO registry.audit (actor, entity, entity_id, action, after) "
                "VALUES ($1, 'plan', $2, $3, $4::jsonb)",
                4, audit) < 0)
        goto done;
    if (plan_issued_event(db, req, plan_id, ntasks, replaced, last_event) < 0 ||
        append_task_events(db, req->unit, &events, ntasks, last_event) < 0)
        goto done;
    rc = PLAN_STORE_OK;
done:
    for (size_t i = 0; events.payloads && i < ntasks; i++)
        free(events.payloads[i]);
    free(events.payloads);
    free(events.lens);
    free(ids);
    db_columns_free(areas, 5);
    db_columns_free(tasks, 19);
    db_columns_free(a.unit, 6);
    db_columns_free(a.unresolved, 5);
    memo_free(&memo);
    owned_free(&owned);
    return rc;
}

static void unresolved_free(Partrack__UnresolvedName *u)
{
    free(u->task);
    free(u->role);
    free(u->text);
    free(u->status);
    for (size_t k = 0; k < u->n_candidates; k++)
        free(u->candidates[k]);
    free(u->candidates);
    free(u);
}

void plan_store_free_import_reply(Partrack__PlanImportReply *reply)
{
    for (size_t i = 0; i < reply->n_unresolved; i++)
        unresolved_free(reply->unresolved[i]);
    free(reply->unresolved);
    for (size_t i = 0; i < reply->n_warnings; i++) {
        free(reply->warnings[i]->file);
        free(reply->warnings[i]->message);
        free(reply->warnings[i]);
    }
    free(reply->warnings);
    reply->unresolved = NULL;
    reply->n_unresolved = 0;
    reply->warnings = NULL;
    reply->n_warnings = 0;
}

/* ---- reads ---- */

static char *dup_value(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : strdup(PQgetvalue(res, row, col));
}

/* Columns of a TaskBrief, in this order: id, plan number, area, ordinal,
 * title, lead codes (text[] as a list joined by ','), deadline text, next
 * due, status, progress, assigned. */
#define TASK_BRIEF_COLUMNS                                                                         \
    "t.id, p.number, t.area, t.ordinal, t.title, "                                                 \
    "coalesce((SELECT string_agg(tu.unit_code, ',' ORDER BY tu.unit_code) FROM "                   \
    "registry.task_unit tu WHERE tu.task_id = t.id AND tu.role = 'lead'), ''), "                   \
    "t.deadline_text, t.schedule->'due'->>0, t.status, t.progress, t.assigned "

static Partrack__TaskBrief *brief_from_row(const PGresult *res, int row)
{
    Partrack__TaskBrief *b = malloc(sizeof *b);
    if (!b)
        return NULL;
    partrack__task_brief__init(b);
    b->id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
    b->plan = dup_value(res, row, 1);
    b->area = dup_value(res, row, 2);
    b->ordinal = dup_value(res, row, 3);
    b->title = dup_value(res, row, 4);
    const char *lead = PQgetvalue(res, row, 5);
    if (*lead) {
        size_t n = 1;
        for (const char *c = lead; *c; c++)
            n += *c == ',';
        b->lead = calloc(n, sizeof *b->lead);
        char *copy = strdup(lead), *save = NULL;
        for (char *code = copy ? strtok_r(copy, ",", &save) : NULL; code && b->lead;
             code = strtok_r(NULL, ",", &save))
            b->lead[b->n_lead++] = strdup(code);
        free(copy);
    }
    b->deadline_text = dup_value(res, row, 6);
    b->next_due = dup_value(res, row, 7);
    b->status = dup_value(res, row, 8);
    b->progress = atoi(PQgetvalue(res, row, 9));
    b->assigned = PQgetvalue(res, row, 10)[0] == 't';
    return b;
}

static void brief_free(Partrack__TaskBrief *b)
{
    if (!b)
        return;
    free(b->plan);
    free(b->area);
    free(b->ordinal);
    free(b->title);
    for (size_t i = 0; i < b->n_lead; i++)
        free(b->lead[i]);
    free(b->lead);
    free(b->deadline_text);
    free(b->next_due);
    free(b->status);
    free(b);
}

static int briefs_from(const PGresult *res, Partrack__TaskBrief ***out, size_t *n)
{
    *out = calloc((size_t)PQntuples(res) + 1, sizeof **out);
    *n = 0;
    if (!*out)
        return -1;
    for (int i = 0; i < PQntuples(res); i++) {
        Partrack__TaskBrief *b = brief_from_row(res, i);
        if (!b)
            return -1;
        (*out)[(*n)++] = b;
    }
    return 0;
}

int plan_store_show(db_t *db, const Partrack__PlanShowRequest *req, Partrack__PlanShowReply *reply,
                    bool *ambiguous)
{
    char year[16] = "";
    if (req->has_year)
        snprintf(year, sizeof year, "%d", req->year);
    const char *params[] = {req->number, req->unit, req->has_year ? year : NULL};
    *ambiguous = false;
    PGresult *res = query(db,
                          "SELECT id, unit_code, year, number, title, issued_on::text FROM "
                          "registry.plan WHERE number = $1 AND replaced_at IS NULL AND "
                          "($2::text IS NULL OR unit_code = $2) AND ($3::int IS NULL OR year = "
                          "$3::int) ORDER BY year DESC LIMIT 2",
                          3, params);
    if (!res)
        return -1;
    if (PQntuples(res) != 1) {
        *ambiguous = PQntuples(res) > 1;
        PQclear(res);
        return 0;
    }
    reply->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    reply->unit = dup_value(res, 0, 1);
    reply->year = atoi(PQgetvalue(res, 0, 2));
    reply->number = dup_value(res, 0, 3);
    reply->title = dup_value(res, 0, 4);
    reply->issued_on = dup_value(res, 0, 5);
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, reply->id);
    PQclear(res);
    const char *p1[] = {id};
    res = query(db,
                "SELECT implements FROM registry.plan_link WHERE plan_id = $1::bigint "
                "ORDER BY implements",
                1, p1);
    if (!res)
        return -1;
    reply->implements = calloc((size_t)PQntuples(res) + 1, sizeof *reply->implements);
    for (int i = 0; reply->implements && i < PQntuples(res); i++)
        reply->implements[reply->n_implements++] = strdup(PQgetvalue(res, i, 0));
    PQclear(res);
    res = query(db, "SELECT count(*) FROM registry.plan_area WHERE plan_id = $1::bigint", 1, p1);
    if (!res)
        return -1;
    reply->areas = (uint32_t)atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    res = query(db,
                "SELECT " TASK_BRIEF_COLUMNS "FROM registry.task t JOIN registry.plan p ON "
                "p.id = t.plan_id WHERE t.plan_id = $1::bigint ORDER BY t.table_no, t.id",
                1, p1);
    if (!res)
        return -1;
    int rc = briefs_from(res, &reply->tasks, &reply->n_tasks);
    PQclear(res);
    return rc < 0 ? -1 : 1;
}

void plan_store_free_show(Partrack__PlanShowReply *reply)
{
    free(reply->unit);
    free(reply->number);
    free(reply->title);
    free(reply->issued_on);
    for (size_t i = 0; i < reply->n_implements; i++)
        free(reply->implements[i]);
    free(reply->implements);
    for (size_t i = 0; i < reply->n_tasks; i++)
        brief_free(reply->tasks[i]);
    free(reply->tasks);
    partrack__plan_show_reply__init(reply);
}

int plan_store_list_tasks(db_t *db, const Partrack__TaskListRequest *req,
                          Partrack__TaskListReply *reply)
{
    char *search = req->search ? text_fold(req->search) : NULL;
    char limit[16];
    snprintf(limit, sizeof limit, "%u", req->has_limit && req->limit ? req->limit : 1000);
    /* Each word of the search must appear in the accent-free title. */
    char *pattern = NULL;
    if (search) {
        pattern = malloc(2 * strlen(search) + 3);
        if (pattern) {
            char *w = pattern;
            *w++ = '%';
            for (const char *c = search; *c; c++) {
                if (*c == '%' || *c == '_' || *c == '\\')
                    *w++ = '\\';
                *w++ = *c == ' ' ? '%' : *c;
            }
            *w++ = '%';
            *w = '\0';
        }
    }
    const char *params[] = {req->unit, req->plan, req->area, pattern, limit};
    PGresult *res = query(
        db,
        "SELECT " TASK_BRIEF_COLUMNS ", count(*) OVER () FROM registry.task t JOIN registry.plan p "
        "ON p.id = t.plan_id WHERE p.replaced_at IS NULL "
        "AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM registry.task_unit tu WHERE "
        "tu.task_id = t.id AND tu.unit_code = $1)) "
        "AND ($2::text IS NULL OR p.number = $2) AND ($3::text IS NULL OR t.area = $3) "
        "AND ($4::text IS NULL OR t.title_fold LIKE $4) "
        "ORDER BY p.year DESC, p.number, t.table_no, t.id LIMIT $5::int",
        5, params);
    free(search);
    free(pattern);
    if (!res)
        return -1;
    reply->total = PQntuples(res) > 0 ? (uint32_t)atoi(PQgetvalue(res, 0, 11)) : 0;
    int rc = briefs_from(res, &reply->tasks, &reply->n_tasks);
    PQclear(res);
    return rc;
}

void plan_store_free_list(Partrack__TaskListReply *reply)
{
    for (size_t i = 0; i < reply->n_tasks; i++)
        brief_free(reply->tasks[i]);
    free(reply->tasks);
    reply->tasks = NULL;
    reply->n_tasks = 0;
}

int plan_store_show_task(db_t *db, int64_t id, Partrack__TaskShowReply *reply)
{
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%" PRId64, id);
    const char *params[] = {id_text};
    PGresult *res = query(db,
                          "SELECT " TASK_BRIEF_COLUMNS ", t.lead_text, t.cooperating_text, "
                          "t.product, t.schedule::text, t.source, t.requirement, t.line, "
                          "t.completed_at::text FROM registry.task t JOIN registry.plan p ON "
                          "p.id = t.plan_id WHERE t.id = $1::bigint",
                          1, params);
    if (!res)
        return -1;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return 0;
    }
    reply->task = brief_from_row(res, 0);
    reply->lead_text = dup_value(res, 0, 11);
    reply->cooperating_text = dup_value(res, 0, 12);
    reply->product = dup_value(res, 0, 13);
    reply->schedule_json = dup_value(res, 0, 14);
    reply->source = dup_value(res, 0, 15);
    reply->requirement = dup_value(res, 0, 16);
    reply->has_line = !PQgetisnull(res, 0, 17);
    reply->line = (uint32_t)atoi(PQgetvalue(res, 0, 17));
    reply->completed_at = dup_value(res, 0, 18);
    PQclear(res);
    res = query(db,
                "SELECT tu.unit_code, u.name, tu.role, tu.via, tu.heads FROM registry.task_unit "
                "tu JOIN registry.unit u ON u.code = tu.unit_code WHERE tu.task_id = $1::bigint "
                "ORDER BY tu.role DESC, tu.unit_code",
                1, params);
    if (!res)
        return -1;
    reply->units = calloc((size_t)PQntuples(res) + 1, sizeof *reply->units);
    for (int i = 0; reply->units && i < PQntuples(res); i++) {
        Partrack__TaskUnitRef *u = malloc(sizeof *u);
        if (!u)
            break;
        partrack__task_unit_ref__init(u);
        u->code = dup_value(res, i, 0);
        u->name = dup_value(res, i, 1);
        u->role = dup_value(res, i, 2);
        u->via = dup_value(res, i, 3);
        u->has_heads = 1;
        u->heads = PQgetvalue(res, i, 4)[0] == 't';
        reply->units[reply->n_units++] = u;
    }
    PQclear(res);
    res = query(db,
                "SELECT role, text, status, array_to_string(candidates, ',') FROM "
                "registry.task_unresolved WHERE task_id = $1::bigint ORDER BY role DESC, text",
                1, params);
    if (!res)
        return -1;
    reply->unresolved = calloc((size_t)PQntuples(res) + 1, sizeof *reply->unresolved);
    for (int i = 0; reply->unresolved && i < PQntuples(res); i++) {
        Partrack__UnresolvedName *u = malloc(sizeof *u);
        if (!u)
            break;
        partrack__unresolved_name__init(u);
        u->task = strdup(reply->task->ordinal ? reply->task->ordinal : "");
        u->line = reply->line;
        u->role = dup_value(res, i, 0);
        u->text = dup_value(res, i, 1);
        u->status = dup_value(res, i, 2);
        const char *cands = PQgetvalue(res, i, 3);
        if (*cands) {
            u->candidates = calloc(strlen(cands) / 2 + 2, sizeof *u->candidates);
            char *copy = strdup(cands), *save = NULL;
            for (char *c = copy ? strtok_r(copy, ",", &save) : NULL; c && u->candidates;
                 c = strtok_r(NULL, ",", &save))
                u->candidates[u->n_candidates++] = strdup(c);
            free(copy);
        }
        reply->unresolved[reply->n_unresolved++] = u;
    }
    PQclear(res);
    res = query(db,
                "SELECT to_char(recorded_at, 'YYYY-MM-DD\"T\"HH24:MI:SSOF'), actor, progress, "
                "status, note, array_to_json(evidence)::text, completed_at::text FROM "
                "registry.task_update WHERE task_id = $1::bigint ORDER BY id",
                1, params);
    if (!res)
        return -1;
    reply->updates = calloc((size_t)PQntuples(res) + 1, sizeof *reply->updates);
    for (int i = 0; reply->updates && i < PQntuples(res); i++) {
        Partrack__TaskUpdateEntry *e = malloc(sizeof *e);
        if (!e)
            break;
        partrack__task_update_entry__init(e);
        e->at = dup_value(res, i, 0);
        e->actor = dup_value(res, i, 1);
        e->has_progress = !PQgetisnull(res, i, 2);
        e->progress = atoi(PQgetvalue(res, i, 2));
        e->status = dup_value(res, i, 3);
        e->note = dup_value(res, i, 4);
        json_t *ev = json_loads(PQgetvalue(res, i, 5), 0, NULL);
        if (json_is_array(ev)) {
            e->evidence = calloc(json_array_size(ev) + 1, sizeof *e->evidence);
            for (size_t k = 0; e->evidence && k < json_array_size(ev); k++)
                e->evidence[e->n_evidence++] = strdup(json_string_value(json_array_get(ev, k)));
        }
        json_decref(ev);
        e->completed_at = dup_value(res, i, 6);
        reply->updates[reply->n_updates++] = e;
    }
    PQclear(res);
    return 1;
}

void plan_store_free_task(Partrack__TaskShowReply *reply)
{
    brief_free(reply->task);
    free(reply->lead_text);
    free(reply->cooperating_text);
    free(reply->product);
    free(reply->schedule_json);
    free(reply->source);
    free(reply->requirement);
    free(reply->completed_at);
    for (size_t i = 0; i < reply->n_units; i++) {
        free(reply->units[i]->code);
        free(reply->units[i]->name);
        free(reply->units[i]->role);
        free(reply->units[i]->via);
        free(reply->units[i]);
    }
    free(reply->units);
    for (size_t i = 0; i < reply->n_unresolved; i++)
        unresolved_free(reply->unresolved[i]);
    free(reply->unresolved);
    for (size_t i = 0; i < reply->n_updates; i++) {
        Partrack__TaskUpdateEntry *e = reply->updates[i];
        free(e->at);
        free(e->actor);
        free(e->status);
        free(e->note);
        for (size_t k = 0; k < e->n_evidence; k++)
            free(e->evidence[k]);
        free(e->evidence);
        free(e->completed_at);
        free(e);
    }
    free(reply->updates);
    partrack__task_show_reply__init(reply);
}

/* ---- updates ---- */

/* Timestamps in events: RFC 3339 in UTC. */
#define RFC3339_OF(column)                                                                         \
    "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* What a TaskUpdated says about the task besides the update. */
typedef struct {
    char *previous_status, *plan_unit, *plan_number, *title;
    char **leads; /* one block */
    size_t nleads;
} task_before_t;

static void task_before_free(task_before_t *t)
{
    free(t->previous_status);
    free(t->plan_unit);
    free(t->plan_number);
    free(t->title);
    free(t->leads);
}

/* Appends the TaskUpdated event of an update; row 0 of res holds the new
 * state: after (json), update id, recorded_at, status, progress, completed_at. */
static int task_updated_event(db_t *db, const Partrack__TaskUpdateRequest *req, const char *actor,
                              PGresult *res, const task_before_t *task, int64_t *last_event)
{
    Partrack__TaskUpdated ev = PARTRACK__TASK_UPDATED__INIT;
    ev.task_id = req->id;
    ev.update_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    ev.actor = (char *)actor;
    ev.recorded_at = PQgetvalue(res, 0, 2);
    ev.status = PQgetvalue(res, 0, 3);
    ev.progress = (int32_t)strtol(PQgetvalue(res, 0, 4), NULL, 10);
    ev.completed_at = PQgetisnull(res, 0, 5) ? NULL : PQgetvalue(res, 0, 5);
    ev.note = req->note;
    ev.n_evidence = req->n_evidence;
    ev.evidence = req->evidence;
    ev.previous_status = task->previous_status;
    ev.title = task->title;
    ev.plan_number = task->plan_number;
    ev.plan_unit = task->plan_unit;
    ev.n_lead = task->nleads;
    ev.lead = task->leads;
    size_t len = partrack__task_updated__get_packed_size(&ev);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -1;
    partrack__task_updated__pack(&ev, buf);
    int rc = events_append(db, "registry", "TaskUpdated", task->plan_unit, buf, len, last_event);
    free(buf);
    return rc;
}

int plan_store_update_task(db_t *db, const Partrack__TaskUpdateRequest *req, const char *actor,
                           problems_t *problems, int64_t *last_event)
{
    if (req->has_progress && (req->progress < 0 || req->progress > 100)) {
        problems_add(problems, NULL, 0, "progress", "%d is not between 0 and 100", req->progress);
        return 2;
    }
    if (req->status && strcmp(req->status, "open") != 0 && strcmp(req->status, "done") != 0 &&
        strcmp(req->status, "cancelled") != 0) {
        problems_add(problems, NULL, 0, "status", "\"%s\" is not open, done or cancelled",
                     req->status);
        return 2;
    }
    if (!req->has_progress && !req->status && !req->note && req->n_evidence == 0 &&
        !req->completed_at) {
        problems_add(problems, NULL, 0, NULL, "nothing to update");
        return 2;
    }
    char id[32], progress[16];
    snprintf(id, sizeof id, "%" PRId64, req->id);
    snprintf(progress, sizeof progress, "%d", req->progress);
    const char *p1[] = {id};
    PGresult *res = query(db,
                          "SELECT json_build_object('status', t.status, 'progress', t.progress, "
                          "'completed_at', t.completed_at)::text, t.status, p.unit_code, "
                          "p.number, t.title, coalesce((SELECT array_agg(tu.unit_code ORDER BY "
                          "tu.unit_code) FROM registry.task_unit tu WHERE tu.task_id = t.id AND "
                          "tu.role = 'lead'), '{}')::text FROM registry.task t JOIN "
                          "registry.plan p ON p.id = t.plan_id WHERE t.id = $1::bigint FOR "
                          "UPDATE OF t",
                          1, p1);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 0;
    }
    char *before = strdup(PQgetvalue(res, 0, 0));
    task_before_t task = {.previous_status = strdup(PQgetvalue(res, 0, 1)),
                          .plan_unit = strdup(PQgetvalue(res, 0, 2)),
                          .plan_number = strdup(PQgetvalue(res, 0, 3)),
                          .title = strdup(PQgetvalue(res, 0, 4))};
    task.leads = db_array_words(PQgetvalue(res, 0, 5), &task.nleads);
    PQclear(res);
    res = NULL;
    int rc = -1;
    if (!before || !task.previous_status || !task.plan_unit || !task.plan_number || !task.title ||
        !task.leads)
        goto done;
    /* Done with no time given: done now. */
    const char *completed = req->completed_at;
    char *evidence = db_array_literal((const char *const *)req->evidence, req->n_evidence);
    const char *params[] = {
        id,   req->has_progress ? progress : NULL, req->status, completed, req->note, evidence,
        actor};
    res = query(db,
                "WITH u AS (UPDATE registry.task SET progress = coalesce($2::int, "
                "CASE WHEN $3 = 'done' THEN 100 ELSE progress END), status = coalesce($3, status), "
                "completed_at = CASE WHEN $3 = 'done' THEN coalesce($4::timestamptz, "
                "completed_at, now()) WHEN $3 IS NOT NULL THEN NULL ELSE coalesce($4::timestamptz, "
                "completed_at) END, updated_at = now() WHERE id = $1::bigint RETURNING "
                "json_build_object('status', status, 'progress', progress, 'completed_at', "
                "completed_at)::text AS after, status, progress, completed_at) "
                "INSERT INTO registry.task_update (task_id, actor, progress, status, "
                "completed_at, note, evidence) SELECT $1::bigint, $7, $2::int, $3, "
                "$4::timestamptz, $5, $6::text[] FROM u RETURNING (SELECT after FROM u), id, "
                "" RFC3339_OF("recorded_at") ", (SELECT status FROM u), (SELECT progress FROM u), "
                                             "(SELECT " RFC3339_OF("completed_at") " FROM u)",
                7, params);
    free(evidence);
    if (!res) {
        if (strncmp(db_sqlstate(db), "22", 2) == 0) {
            problems_add(problems, NULL, 0, "completed_at", "\"%s\" is not a date or time",
                         completed ? completed : "");
            rc = 2;
        }
        goto done;
    }
    const char *audit[] = {actor, id, before, PQgetvalue(res, 0, 0)};
    if (exec_ok(db,
                "INSERT INTO registry.audit (actor, entity, entity_id, action, before, after) "
                "VALUES ($1, 'task', $2, 'updated', $3::jsonb, $4::jsonb)",
                4, audit) < 0 ||
        task_updated_event(db, req, actor, res, &task, last_event) < 0)
        rc = -1;
    else
        rc = 1;
done:
    PQclear(res);
    free(before);
    task_before_free(&task);
    return rc;
}
