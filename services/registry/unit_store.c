/* unit_store.c - the unit directory in PostgreSQL (schema registry): reads
 * and reorganizations (imports are in unit_import_store.c)
 *
 * Queries are plain SQL with text parameters (prepared on first use by
 * db_exec); reorganizations touch a handful of rows, so clarity wins here. Each created,
 * updated, renamed, moved or merged unit gets a history row and an event
 * whose payload is the unit as it is after the change.
 */
#include "unit_store.h"

#include "events.h"
#include "events.pb-c.h"
#include "resolve.h"
#include "task_events.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_COLUMNS                                                                               \
    "u.code, u.name, u.kind, u.parent_code, u.valid_from::text, u.valid_to::text, "                \
    "u.successor_code, p.id, p.name, "                                                             \
    "coalesce((SELECT string_agg(a.alias, chr(31) ORDER BY a.alias) FROM registry.unit_alias "     \
    "a WHERE a.unit_code = u.code AND NOT a.former), '') "
#define UNIT_FROM                                                                                  \
    "FROM registry.unit u LEFT JOIN registry.person p ON p.unit_code = u.code AND p.is_head "

static char *dup_value(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : strdup(PQgetvalue(res, row, col));
}

static Partrack__Unit *unit_from_row(const PGresult *res, int row)
{
    Partrack__Unit *u = malloc(sizeof *u);
    if (!u)
        return NULL;
    partrack__unit__init(u);
    u->code = dup_value(res, row, 0);
    u->name = dup_value(res, row, 1);
    u->kind = dup_value(res, row, 2);
    u->parent = dup_value(res, row, 3);
    u->valid_from = dup_value(res, row, 4);
    u->valid_to = dup_value(res, row, 5);
    u->successor = dup_value(res, row, 6);
    u->head_id = dup_value(res, row, 7);
    u->head_name = dup_value(res, row, 8);
    const char *aliases = PQgetvalue(res, row, 9);
    if (*aliases) {
        size_t n = 1;
        for (const char *c = aliases; *c; c++)
            n += *c == '\x1f';
        u->aliases = calloc(n, sizeof *u->aliases);
        char *copy = strdup(aliases), *save = NULL;
        for (char *a = copy ? strtok_r(copy, "\x1f", &save) : NULL; a && u->aliases;
             a = strtok_r(NULL, "\x1f", &save))
            u->aliases[u->n_aliases++] = strdup(a);
        free(copy);
    }
    return u;
}

static void unit_free(Partrack__Unit *u)
{
    if (!u)
        return;
    free(u->code);
    free(u->name);
    free(u->kind);
    free(u->parent);
    free(u->valid_from);
    free(u->valid_to);
    free(u->successor);
    free(u->head_id);
    free(u->head_name);
    for (size_t i = 0; i < u->n_aliases; i++)
        free(u->aliases[i]);
    free(u->aliases);
    free(u);
}

void unit_store_free_units(Partrack__Unit **units, size_t nunits)
{
    for (size_t i = 0; i < nunits; i++)
        unit_free(units[i]);
    free(units);
}

/* Runs a query that returns UNIT_COLUMNS rows into a new array. */
static int fetch_units(db_t *db, const char *sql, int nparams, const char *const *params,
                       Partrack__Unit ***units, size_t *nunits)
{
    db_status_t st;
    PGresult *res = db_exec(db, sql, nparams, params, &st);
    *units = NULL;
    *nunits = 0;
    if (!res)
        return -1;
    int rows = PQntuples(res);
    *units = calloc(rows ? (size_t)rows : 1, sizeof **units);
    if (!*units) {
        PQclear(res);
        return -1;
    }
    for (int i = 0; i < rows; i++) {
        Partrack__Unit *u = unit_from_row(res, i);
        if (!u)
            break;
        (*units)[(*nunits)++] = u;
    }
    PQclear(res);
    return 0;
}

/* Appends a UnitReorganized event carrying the unit as it is now. */
static int emit_reorganized(db_t *db, const char *code, const char *on_date, const char *change,
                            const char *detail, int64_t *last)
{
    Partrack__Unit **units;
    size_t n;
    const char *params[] = {code};
    if (fetch_units(db, "SELECT " UNIT_COLUMNS UNIT_FROM "WHERE u.code = $1", 1, params, &units,
                    &n) < 0)
        return -1;
    int rc = -1;
    if (n == 1) {
        Partrack__UnitReorganized ev = PARTRACK__UNIT_REORGANIZED__INIT;
        ev.change = (char *)change;
        ev.unit = units[0];
        ev.on_date = (char *)on_date;
        ev.detail = (char *)detail;
        size_t len = partrack__unit_reorganized__get_packed_size(&ev);
        uint8_t *buf = malloc(len ? len : 1);
        if (buf) {
            partrack__unit_reorganized__pack(&ev, buf);
            rc = events_append(db, "registry", "UnitReorganized", code, buf, len, last);
            free(buf);
        }
    }
    unit_store_free_units(units, n);
    return rc;
}

static int exec_ok(db_t *db, const char *sql, int nparams, const char *const *params)
{
    db_status_t st;
    PGresult *res = db_exec(db, sql, nparams, params, &st);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

static int add_history(db_t *db, const char *code, const char *on_date, const char *change,
                       const char *detail)
{
    const char *params[] = {code, on_date, change, detail};
    return exec_ok(db,
                   "INSERT INTO registry.unit_history (unit_code, on_date, change, detail) "
                   "VALUES ($1, $2::date, $3, $4)",
                   4, params);
}

/* A reorganization step: its history row and its event. */
static int record_change(db_t *db, const char *code, const char *on_date, const char *change,
                         const char *detail, int64_t *last)
{
    if (add_history(db, code, on_date, change, detail) < 0)
        return -1;
    return emit_reorganized(db, code, on_date, change, detail, last);
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* ---- reads ---- */

int unit_store_list(db_t *db, const char *parent, const char *kind, bool include_inactive,
                    Partrack__Unit ***units, size_t *nunits)
{
    const char *params[] = {parent, kind, include_inactive ? "true" : "false"};
    return fetch_units(db,
                       "SELECT " UNIT_COLUMNS UNIT_FROM
                       "WHERE ($1::text IS NULL OR u.parent_code = $1) "
                       "AND ($2::text IS NULL OR u.kind = $2) "
                       "AND ($3::boolean OR u.valid_to IS NULL) ORDER BY u.code",
                       3, params, units, nunits);
}

int unit_store_show(db_t *db, const char *code, Partrack__UnitShowReply *reply)
{
    Partrack__Unit **found = NULL;
    size_t n = 0;
    db_status_t st;
    const char *params[] = {code};
    partrack__unit_show_reply__init(reply);
    if (fetch_units(db, "SELECT " UNIT_COLUMNS UNIT_FROM "WHERE u.code = $1", 1, params, &found,
                    &n) < 0)
        return -1;
    if (n == 0) {
        free(found);
        return 0;
    }
    reply->unit = found[0];
    free(found);
    if (fetch_units(db,
                    "SELECT " UNIT_COLUMNS UNIT_FROM
                    "WHERE u.parent_code = $1 ORDER BY u.valid_to IS NOT NULL, u.code",
                    1, params, &reply->children, &reply->n_children) < 0)
        goto fail;
    PGresult *res = db_exec(db,
                            "SELECT id, name, unit_code, role, contact, is_head "
                            "FROM registry.person WHERE unit_code = $1 ORDER BY NOT is_head, id",
                            1, params, &st);
    if (!res)
        goto fail;
    reply->people = calloc((size_t)PQntuples(res) + 1, sizeof *reply->people);
    for (int i = 0; reply->people && i < PQntuples(res); i++) {
        Partrack__Person *p = malloc(sizeof *p);
        if (!p)
            break;
        partrack__person__init(p);
        p->id = dup_value(res, i, 0);
        p->name = dup_value(res, i, 1);
        p->unit = dup_value(res, i, 2);
        p->role = dup_value(res, i, 3);
        p->contact = dup_value(res, i, 4);
        p->has_is_head = 1;
        p->is_head = PQgetvalue(res, i, 5)[0] == 't';
        reply->people[reply->n_people++] = p;
    }
    PQclear(res);
    res = db_exec(db,
                  "SELECT on_date::text, change, detail FROM registry.unit_history "
                  "WHERE unit_code = $1 ORDER BY on_date, id",
                  1, params, &st);
    if (!res)
        goto fail;
    reply->history = calloc((size_t)PQntuples(res) + 1, sizeof *reply->history);
    for (int i = 0; reply->history && i < PQntuples(res); i++) {
        Partrack__UnitHistoryEntry *h = malloc(sizeof *h);
        if (!h)
            break;
        partrack__unit_history_entry__init(h);
        h->on_date = dup_value(res, i, 0);
        h->change = dup_value(res, i, 1);
        h->detail = dup_value(res, i, 2);
        reply->history[reply->n_history++] = h;
    }
    PQclear(res);
    res = db_exec(db,
                  "WITH RECURSIVE up(code, parent, depth) AS ("
                  " SELECT code, parent_code, 0 FROM registry.unit WHERE code = $1"
                  " UNION ALL SELECT u.code, u.parent_code, up.depth + 1 FROM up"
                  " JOIN registry.unit u ON u.code = up.parent WHERE up.depth < 64)"
                  " SELECT code FROM up WHERE depth > 0 ORDER BY depth DESC",
                  1, params, &st);
    if (!res)
        goto fail;
    reply->ancestors = calloc((size_t)PQntuples(res) + 1, sizeof *reply->ancestors);
    for (int i = 0; reply->ancestors && i < PQntuples(res); i++)
        reply->ancestors[reply->n_ancestors++] = strdup(PQgetvalue(res, i, 0));
    PQclear(res);
    return 1;
fail:
    unit_store_free_show(reply);
    return -1;
}

void unit_store_free_show(Partrack__UnitShowReply *reply)
{
    unit_free(reply->unit);
    unit_store_free_units(reply->children, reply->n_children);
    for (size_t i = 0; i < reply->n_people; i++) {
        Partrack__Person *p = reply->people[i];
        free(p->id);
        free(p->name);
        free(p->unit);
        free(p->role);
        free(p->contact);
        free(p);
    }
    free(reply->people);
    for (size_t i = 0; i < reply->n_history; i++) {
        free(reply->history[i]->on_date);
        free(reply->history[i]->change);
        free(reply->history[i]->detail);
        free(reply->history[i]);
    }
    free(reply->history);
    for (size_t i = 0; i < reply->n_ancestors; i++)
        free(reply->ancestors[i]);
    free(reply->ancestors);
    partrack__unit_show_reply__init(reply);
}

/* ---- reorganization ---- */

typedef struct {
    bool exists, active;
    char *name, *parent, *valid_from;
} unit_state_t;

static int load_state(db_t *db, const char *code, unit_state_t *s)
{
    db_status_t st;
    const char *params[] = {code};
    memset(s, 0, sizeof *s);
    PGresult *res = db_exec(db,
                            "SELECT name, parent_code, valid_from::text, valid_to IS NULL "
                            "FROM registry.unit WHERE code = $1 FOR UPDATE",
                            1, params, &st);
    if (!res)
        return -1;
    if (PQntuples(res) == 1) {
        s->exists = true;
        s->name = dup_value(res, 0, 0);
        s->parent = dup_value(res, 0, 1);
        s->valid_from = dup_value(res, 0, 2);
        s->active = PQgetvalue(res, 0, 3)[0] == 't';
    }
    PQclear(res);
    return 0;
}

static void state_free(unit_state_t *s)
{
    free(s->name);
    free(s->parent);
    free(s->valid_from);
}

/* Checks that `code` exists and is active on the reorg date. Records a problem
 * otherwise. Returns 0 ok, 1 refused, -1 database failure. */
static int require_active(db_t *db, const char *code, const char *field, const char *on_date,
                          unit_state_t *s, problems_t *problems)
{
    if (load_state(db, code, s) < 0)
        return -1;
    if (!s->exists) {
        problems_add(problems, NULL, 0, field, "unknown unit %s", code);
        return 1;
    }
    if (!s->active) {
        problems_add(problems, NULL, 0, field, "%s is no longer active", code);
        return 1;
    }
    if (strcmp(on_date, s->valid_from) < 0) {
        problems_add(problems, NULL, 0, field, "%s only exists from %s", code, s->valid_from);
        return 1;
    }
    return 0;
}

/* The open tasks of a merged unit go to its successor, in the same role;
 * each keeps the name its plan used (via), gets an audit row and a
 * TaskAssigned event (reason "reassigned") with its new units. Done and
 * cancelled tasks stay with the unit that did them. */
static int move_open_tasks(db_t *db, const char *from, const char *to, int64_t *last)
{
    const char *params[] = {from, to};
    db_status_t st;
    PGresult *res = db_exec(
        db,
        "WITH moved AS (DELETE FROM registry.task_unit tu USING registry.task t "
        "WHERE t.id = tu.task_id AND t.status = 'open' AND tu.unit_code = $1 "
        "RETURNING tu.*), "
        "added AS (INSERT INTO registry.task_unit (task_id, unit_code, role, via, how, "
        "heads) SELECT task_id, $2, role, via, 'merged', heads FROM moved "
        "ON CONFLICT DO NOTHING), "
        "audited AS (INSERT INTO registry.audit (actor, entity, entity_id, action, before, after) "
        "SELECT 'reorganization', 'task', task_id::text, 'reassigned', "
        "json_build_object('unit', $1::text, 'role', role), "
        "json_build_object('unit', $2::text, 'role', role) FROM moved) "
        "SELECT coalesce(array_agg(DISTINCT task_id), '{}')::text FROM moved",
        2, params, &st);
    if (!res)
        return -1;
    int rc = 0;
    if (strcmp(PQgetvalue(res, 0, 0), "{}") != 0)
        rc = task_events_assigned_ids(db, PQgetvalue(res, 0, 0), "reassigned", last);
    PQclear(res);
    return rc;
}

static int reorg_merge(db_t *db, const Partrack__UnitReorgRequest *req, problems_t *problems,
                       int64_t *last)
{
    unit_state_t target;
    int rc = require_active(db, req->target, "into", req->on_date, &target, problems);
    state_free(&target);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < req->n_codes; i++) {
        const char *code = req->codes[i];
        if (strcmp(code, req->target) == 0) {
            problems_add(problems, NULL, 0, "codes", "%s cannot be merged into itself", code);
            return 1;
        }
        unit_state_t s;
        rc = require_active(db, code, "codes", req->on_date, &s, problems);
        state_free(&s);
        if (rc != 0)
            return rc;
        if (move_open_tasks(db, code, req->target, last) < 0)
            return -1;
        /* Children of a merged unit move to the successor. */
        const char *params[] = {code, req->target, req->on_date};
        char detail[256];
        snprintf(detail, sizeof detail, "merged into %s", req->target);
        const char *moved[] = {code, req->target};
        db_status_t st;
        PGresult *res = db_exec(db,
                                "UPDATE registry.unit SET parent_code = $2, updated_at = now() "
                                "WHERE parent_code = $1 AND valid_to IS NULL RETURNING code",
                                2, moved, &st);
        if (!res)
            return -1;
        for (int k = 0; k < PQntuples(res); k++) {
            char why[256];
            snprintf(why, sizeof why, "moved from %s to %s (merge)", code, req->target);
            if (record_change(db, PQgetvalue(res, k, 0), req->on_date, "moved", why, last) < 0) {
                PQclear(res);
                return -1;
            }
        }
        PQclear(res);
        if (exec_ok(db,
                    "UPDATE registry.unit SET valid_to = $3::date, successor_code = $2, "
                    "updated_at = now() WHERE code = $1",
                    3, params) < 0 ||
            exec_ok(db,
                    "UPDATE registry.person SET is_head = false WHERE unit_code = $1 AND is_head",
                    1, params) < 0 ||
            record_change(db, code, req->on_date, "merged", detail, last) < 0)
            return -1;
        snprintf(detail, sizeof detail, "absorbed %s", code);
        if (add_history(db, req->target, req->on_date, "absorbed", detail) < 0)
            return -1;
    }
    return 0;
}

static int reorg_rename(db_t *db, const Partrack__UnitReorgRequest *req, problems_t *problems,
                        int64_t *last)
{
    unit_state_t s;
    int rc = require_active(db, req->codes[0], "code", req->on_date, &s, problems);
    if (rc != 0) {
        state_free(&s);
        return rc;
    }
    char *name = text_clean(req->name);
    char *key = name ? text_key(name) : NULL, *fold = name ? resolve_fold(name) : NULL;
    rc = -1;
    if (!name || !key || !fold)
        goto done;
    if (!*name) {
        problems_add(problems, NULL, 0, "name", "the new name is empty");
        rc = 1;
        goto done;
    }
    if (strcmp(name, s.name) == 0) {
        problems_add(problems, NULL, 0, "name", "%s is already named \"%s\"", req->codes[0], name);
        rc = 1;
        goto done;
    }
    /* The old name stays findable as a former name. */
    char *old_key = text_key(s.name), *old_fold = resolve_fold(s.name);
    const char *alias[] = {req->codes[0], s.name, old_key, old_fold, req->on_date};
    int arc = old_key && old_fold
                  ? exec_ok(db,
                            "INSERT INTO registry.unit_alias (unit_code, alias, alias_key, "
                            "alias_fold, former, until_date) VALUES ($1, $2, $3, $4, true, "
                            "$5::date) ON CONFLICT (unit_code, alias) DO UPDATE SET former = "
                            "true, until_date = EXCLUDED.until_date",
                            5, alias)
                  : -1;
    free(old_key);
    free(old_fold);
    if (arc < 0)
        goto done;
    const char *params[] = {req->codes[0], name, key, fold};
    char detail[1024];
    snprintf(detail, sizeof detail, "\"%s\" -> \"%s\"", s.name, name);
    if (exec_ok(db,
                "UPDATE registry.unit SET name = $2, name_key = $3, name_fold = $4, "
                "updated_at = now() WHERE code = $1",
                4, params) < 0 ||
        record_change(db, req->codes[0], req->on_date, "renamed", detail, last) < 0)
        goto done;
    rc = 0;
done:
    free(name);
    free(key);
    free(fold);
    state_free(&s);
    return rc;
}

static int reorg_move(db_t *db, const Partrack__UnitReorgRequest *req, problems_t *problems,
                      int64_t *last)
{
    unit_state_t s, parent;
    int rc = require_active(db, req->codes[0], "code", req->on_date, &s, problems);
    if (rc == 0)
        rc = require_active(db, req->target, "parent", req->on_date, &parent, problems);
    else
        memset(&parent, 0, sizeof parent);
    if (rc == 0 && same(s.parent, req->target)) {
        problems_add(problems, NULL, 0, "parent", "%s is already under %s", req->codes[0],
                     req->target);
        rc = 1;
    }
    if (rc == 0) {
        /* The new parent must not be the unit or inside it. */
        db_status_t st;
        const char *params[] = {req->target, req->codes[0]};
        PGresult *res = db_exec(db,
                                "WITH RECURSIVE up(code, depth) AS (SELECT $1::text, 0 UNION ALL "
                                "SELECT u.parent_code, up.depth + 1 FROM up JOIN registry.unit u "
                                "ON u.code = up.code WHERE u.parent_code IS NOT NULL AND "
                                "up.depth < 64) SELECT 1 FROM up WHERE code = $2",
                                2, params, &st);
        if (!res) {
            rc = -1;
        } else {
            if (PQntuples(res) > 0) {
                problems_add(problems, NULL, 0, "parent",
                             "%s is inside %s: that would make a cycle", req->target,
                             req->codes[0]);
                rc = 1;
            }
            PQclear(res);
        }
    }
    if (rc == 0) {
        char detail[256];
        snprintf(detail, sizeof detail, "moved from %s to %s", s.parent ? s.parent : "(top)",
                 req->target);
        const char *params[] = {req->codes[0], req->target};
        if (exec_ok(db,
                    "UPDATE registry.unit SET parent_code = $2, updated_at = now() "
                    "WHERE code = $1",
                    2, params) < 0 ||
            record_change(db, req->codes[0], req->on_date, "moved", detail, last) < 0)
            rc = -1;
    }
    state_free(&s);
    state_free(&parent);
    return rc;
}

int unit_store_reorg(db_t *db, const Partrack__UnitReorgRequest *req, Partrack__Unit ***units,
                     size_t *nunits, problems_t *problems, bool *db_failed, int64_t *last_event)
{
    *db_failed = false;
    *units = NULL;
    *nunits = 0;
    if (!import_date_valid(req->on_date)) {
        problems_add(problems, NULL, 0, "on", "\"%s\" is not a date written YYYY-MM-DD",
                     req->on_date);
        return -1;
    }
    for (size_t i = 0; i < req->n_codes; i++) {
        if (!import_code_valid(req->codes[i])) {
            problems_add(problems, NULL, 0, "codes", "\"%s\" is not a unit code", req->codes[i]);
            return -1;
        }
    }
    if (req->target && !import_code_valid(req->target)) {
        problems_add(problems, NULL, 0, "target", "\"%s\" is not a unit code", req->target);
        return -1;
    }
    bool one = req->kind != PARTRACK__REORG_KIND__REORG_MERGE;
    if (req->n_codes == 0 || (one && req->n_codes != 1)) {
        problems_add(problems, NULL, 0, "codes",
                     one ? "name exactly one unit" : "name the units to merge");
        return -1;
    }
    if (req->kind != PARTRACK__REORG_KIND__REORG_RENAME && !req->target) {
        problems_add(problems, NULL, 0, "target", "the target unit is missing");
        return -1;
    }
    if (req->kind == PARTRACK__REORG_KIND__REORG_RENAME && !req->name) {
        problems_add(problems, NULL, 0, "name", "the new name is missing");
        return -1;
    }
    int rc;
    switch (req->kind) {
    case PARTRACK__REORG_KIND__REORG_MERGE: rc = reorg_merge(db, req, problems, last_event); break;
    case PARTRACK__REORG_KIND__REORG_RENAME:
        rc = reorg_rename(db, req, problems, last_event);
        break;
    case PARTRACK__REORG_KIND__REORG_MOVE: rc = reorg_move(db, req, problems, last_event); break;
    default: problems_add(problems, NULL, 0, "kind", "unknown reorganization"); return -1;
    }
    if (rc < 0) {
        *db_failed = true;
        return -1;
    }
    if (rc > 0)
        return -1;
    /* The units as they are now: the ones named plus the target. */
    const char *codes_sql =
        "SELECT " UNIT_COLUMNS UNIT_FROM "WHERE u.code = ANY($1::text[]) OR u.code = $2 "
        "ORDER BY u.code";
    size_t len = 3;
    for (size_t i = 0; i < req->n_codes; i++)
        len += strlen(req->codes[i]) + 3;
    char *array = malloc(len);
    if (!array) {
        *db_failed = true;
        return -1;
    }
    strcpy(array, "{");
    for (size_t i = 0; i < req->n_codes; i++) {
        if (i)
            strcat(array, ",");
        strcat(array, req->codes[i]); /* codes are [A-Z0-9_.], safe in an array literal */
    }
    strcat(array, "}");
    const char *params[] = {array, req->target};
    rc = fetch_units(db, codes_sql, 2, params, units, nunits);
    free(array);
    if (rc < 0)
        *db_failed = true;
    return rc;
}

/* ---- directory snapshot ---- */

directory_t *unit_store_load_directory(db_t *db)
{
    db_status_t st;
    directory_t *dir = directory_new();
    if (!dir)
        return NULL;
    PGresult *res = db_exec(db,
                            "SELECT code, name, kind, parent_code, valid_to::text, "
                            "successor_code, name_key, name_fold FROM registry.unit",
                            0, NULL, &st);
    if (!res)
        goto fail;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *v[8];
        for (int k = 0; k < 8; k++)
            v[k] = PQgetisnull(res, i, k) ? NULL : PQgetvalue(res, i, k);
        if (directory_add_keyed(dir, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]) < 0)
            goto fail;
    }
    PQclear(res);
    /* Link before aliases: aliases are attached by code lookup. */
    directory_link(dir);
    res = db_exec(db,
                  "SELECT unit_code, alias, former, until_date::text, alias_key, alias_fold FROM "
                  "registry.unit_alias",
                  0, NULL, &st);
    if (!res)
        goto fail;
    for (int i = 0; i < PQntuples(res); i++) {
        long u = directory_find(dir, PQgetvalue(res, i, 0));
        if (u >= 0 && directory_add_alias_keyed(
                          dir, u, PQgetvalue(res, i, 1), PQgetvalue(res, i, 2)[0] == 't',
                          PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3),
                          PQgetvalue(res, i, 4), PQgetvalue(res, i, 5)) < 0)
            goto fail;
    }
    PQclear(res);
    return dir;
fail:
    PQclear(res);
    directory_destroy(&dir);
    return NULL;
}
