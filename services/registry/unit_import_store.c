/* unit_import_store.c - applying an import batch to the unit directory
 *
 * Batched: whatever the size of the files, an import is a fixed handful of
 * statements, each carrying all its rows as arrays (unnest): one query for
 * the units and parents that exist, then one INSERT for new units, one
 * UPDATE for changed ones, one each for their aliases, history and events,
 * one upsert for people. Everything that can be refused is checked before
 * the first write; the caller's transaction makes it all or nothing.
 *
 * Foreign keys are checked at the end of each statement, so units and their
 * parents can be inserted by the same statement in any order; a parent cycle
 * inside the batch is found in memory first, one through existing units by a
 * recursive query after the writes.
 */
#include "unit_store.h"

#include "events.h"
#include "resolve.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROW_NEW, ROW_CHANGED, ROW_SAME };

/* What the import will do with each unit row. */
typedef struct {
    int action;
    char *aliases; /* joined with \x1f, sorted, without duplicates */
    char *key, *fold;
    char detail[96];
} unit_plan_t;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The row's aliases sorted, deduplicated and joined as the database joins
 * them, so "unchanged" compares equal. */
static char *joined_aliases(const import_unit_t *u)
{
    size_t total = 1;
    for (size_t i = 0; i < u->naliases; i++)
        total += strlen(u->aliases[i]) + 1;
    char **sorted = malloc((u->naliases ? u->naliases : 1) * sizeof *sorted);
    char *out = malloc(total);
    if (!sorted || !out) {
        free(sorted);
        free(out);
        return NULL;
    }
    out[0] = '\0';
    if (u->naliases == 0) { /* memcpy and qsort want real pointers, even for 0 */
        free(sorted);
        return out;
    }
    memcpy(sorted, u->aliases, u->naliases * sizeof *sorted);
    qsort(sorted, u->naliases, sizeof *sorted, cmp_str);
    for (size_t i = 0; i < u->naliases; i++) {
        if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0)
            continue;
        if (*out)
            strcat(out, "\x1f");
        strcat(out, sorted[i]);
    }
    free(sorted);
    return out;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Index of a batch unit by code (the batch is small enough to scan, but
 * imports of whole countries are not: codes are looked up in a sorted copy). */
typedef struct {
    const char *code;
    size_t index;
} code_index_t;

static int cmp_code(const void *a, const void *b)
{
    return strcmp(((const code_index_t *)a)->code, ((const code_index_t *)b)->code);
}

static long find_code(const code_index_t *idx, size_t n, const char *code)
{
    code_index_t key = {code, 0};
    const code_index_t *hit = bsearch(&key, idx, n, sizeof *idx, cmp_code);
    return hit ? (long)hit->index : -1;
}

/* Runs a statement whose parameters are arrays; returns the result or NULL
 * (database failure). */
static PGresult *exec_arrays(db_t *db, const char *sql, int n, const char *const *params)
{
    db_status_t st;
    return db_exec(db, sql, n, params, &st);
}

/* Codes (of `wanted`) that exist in registry.unit, as a sorted index. */
static int existing_codes(db_t *db, const char *const *wanted, size_t n, char ***codes,
                          size_t *ncodes)
{
    *codes = NULL;
    *ncodes = 0;
    char *array = db_array_literal(wanted, n);
    if (!array)
        return -1;
    const char *params[] = {array};
    PGresult *res = exec_arrays(
        db, "SELECT code FROM registry.unit WHERE code = ANY($1::text[]) ORDER BY code", 1, params);
    free(array);
    if (!res)
        return -1;
    *codes = calloc((size_t)PQntuples(res) + 1, sizeof **codes);
    for (int i = 0; *codes && i < PQntuples(res); i++)
        (*codes)[(*ncodes)++] = strdup(PQgetvalue(res, i, 0));
    PQclear(res);
    return *codes ? 0 : -1;
}

static bool in_sorted(char *const *codes, size_t n, const char *code)
{
    return bsearch(&code, codes, n, sizeof *codes, cmp_str) != NULL;
}

static void free_codes(char **codes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(codes[i]);
    free(codes);
}

/* Parents that exist neither in the batch nor in the directory, and parent
 * cycles inside the batch, become problems. */
static int check_parents(db_t *db, const import_batch_t *b, const code_index_t *idx,
                         problems_t *problems)
{
    const char **wanted = calloc(b->nunits + b->npeople + 1, sizeof *wanted);
    size_t nwanted = 0;
    if (!wanted)
        return -1;
    for (size_t i = 0; i < b->nunits; i++)
        if (b->units[i].parent && find_code(idx, b->nunits, b->units[i].parent) < 0)
            wanted[nwanted++] = b->units[i].parent;
    for (size_t i = 0; i < b->npeople; i++)
        if (b->people[i].unit && find_code(idx, b->nunits, b->people[i].unit) < 0)
            wanted[nwanted++] = b->people[i].unit;
    char **known;
    size_t nknown;
    int rc = existing_codes(db, wanted, nwanted, &known, &nknown);
    free(wanted);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < b->nunits; i++) {
        const import_unit_t *u = &b->units[i];
        if (u->parent && find_code(idx, b->nunits, u->parent) < 0 &&
            !in_sorted(known, nknown, u->parent))
            problems_add(problems, u->file, u->line, "parent",
                         "unknown unit %s (not in this import, not in the directory)", u->parent);
    }
    for (size_t i = 0; i < b->npeople; i++) {
        const import_person_t *p = &b->people[i];
        if (p->unit && find_code(idx, b->nunits, p->unit) < 0 && !in_sorted(known, nknown, p->unit))
            problems_add(problems, p->file, p->line, "unit",
                         "unknown unit %s (not in this import, not in the directory)", p->unit);
    }
    free_codes(known, nknown);
    /* A walk up the parents inside the batch longer than the batch is a cycle. */
    for (size_t i = 0; i < b->nunits; i++) {
        long at = (long)i;
        size_t steps = 0;
        while (at >= 0 && steps <= b->nunits) {
            const char *parent = b->units[at].parent;
            at = parent ? find_code(idx, b->nunits, parent) : -1;
            steps++;
            if (at == (long)i)
                break;
        }
        if (at == (long)i)
            problems_add(problems, b->units[i].file, b->units[i].line, "parent",
                         "%s is part of a parent cycle", b->units[i].code);
    }
    return 0;
}

/* Compares each row with the unit as stored and decides what to do. */
static int plan_units(db_t *db, const import_batch_t *b, unit_plan_t *plans)
{
    const char **codes = calloc(b->nunits + 1, sizeof *codes);
    if (!codes)
        return -1;
    for (size_t i = 0; i < b->nunits; i++)
        codes[i] = b->units[i].code;
    char *array = db_array_literal(codes, b->nunits);
    free(codes);
    if (!array)
        return -1;
    const char *params[] = {array};
    PGresult *res = exec_arrays(
        db,
        "SELECT code, name, kind, parent_code, valid_from::text, "
        "coalesce((SELECT string_agg(alias, chr(31) ORDER BY alias) FROM registry.unit_alias a "
        "WHERE a.unit_code = u.code AND NOT a.former), '') "
        "FROM registry.unit u WHERE code = ANY($1::text[])",
        1, params);
    free(array);
    if (!res)
        return -1;
    code_index_t *stored = calloc((size_t)PQntuples(res) + 1, sizeof *stored);
    if (!stored) {
        PQclear(res);
        return -1;
    }
    for (int r = 0; r < PQntuples(res); r++)
        stored[r] = (code_index_t){PQgetvalue(res, r, 0), (size_t)r};
    qsort(stored, (size_t)PQntuples(res), sizeof *stored, cmp_code);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < b->nunits; i++) {
        const import_unit_t *u = &b->units[i];
        unit_plan_t *p = &plans[i];
        const char *valid_from = u->valid_from ? u->valid_from : "1900-01-01";
        p->aliases = joined_aliases(u);
        p->key = text_key(u->name);
        p->fold = resolve_fold(u->name);
        if (!p->aliases || !p->key || !p->fold) {
            rc = -1;
            break;
        }
        long r = find_code(stored, (size_t)PQntuples(res), u->code);
        if (r < 0) {
            p->action = ROW_NEW;
            continue;
        }
        int row = (int)r;
        const char *parent = PQgetisnull(res, row, 3) ? NULL : PQgetvalue(res, row, 3);
        bool name = same(PQgetvalue(res, row, 1), u->name),
             kind = same(PQgetvalue(res, row, 2), u->kind), par = same(parent, u->parent),
             from = same(PQgetvalue(res, row, 4), valid_from),
             aliases = same(PQgetvalue(res, row, 5), p->aliases);
        p->action = name && kind && par && from && aliases ? ROW_SAME : ROW_CHANGED;
        snprintf(p->detail, sizeof p->detail, "import:%s%s%s%s%s", name ? "" : " name",
                 kind ? "" : " kind", par ? "" : " parent", from ? "" : " valid_from",
                 aliases ? "" : " aliases");
    }
    free(stored);
    PQclear(res);
    return rc;
}

static int exec_columns_ok(db_t *db, const char *sql, const db_column_t *cols, int ncols)
{
    db_status_t st;
    PGresult *res = db_exec_columns(db, sql, cols, ncols, &st);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

/* Writes new and changed units with their aliases and history. */
static int write_units(db_t *db, const import_batch_t *b, const unit_plan_t *plans,
                       const char *on_date)
{
    size_t naliases = 0;
    for (size_t i = 0; i < b->nunits; i++)
        naliases += b->units[i].naliases;
    db_column_t u[7] = {0}, a[4] = {0}, h[4] = {0}, touched = {0}, upd[7] = {0};
    int rc = -1;
    bool oom = false;
    /* Alias keys live as long as this function. */
    char **alias_keys = calloc(2 * naliases + 1, sizeof *alias_keys);
    size_t nkeys = 0;
    if (!alias_keys)
        goto done;
    for (size_t i = 0; i < b->nunits; i++) {
        const import_unit_t *row = &b->units[i];
        const unit_plan_t *p = &plans[i];
        if (p->action == ROW_SAME)
            continue;
        db_column_t *dst = p->action == ROW_NEW ? u : upd;
        const char *values[7] = {row->code,
                                 row->name,
                                 row->kind,
                                 row->parent,
                                 row->valid_from ? row->valid_from : "1900-01-01",
                                 p->key,
                                 p->fold};
        for (int c = 0; c < 7; c++)
            oom |= db_column_push(&dst[c], values[c]) < 0;
        oom |= db_column_push(&touched, row->code) < 0;
        const char *history[4] = {row->code, p->action == ROW_NEW ? values[4] : on_date,
                                  p->action == ROW_NEW ? "created" : "updated",
                                  p->action == ROW_NEW ? NULL : p->detail};
        for (int c = 0; c < 4; c++)
            oom |= db_column_push(&h[c], history[c]) < 0;
        for (size_t k = 0; k < row->naliases; k++) {
            bool dup = false;
            for (size_t j = 0; j < k; j++)
                dup = dup || strcmp(row->aliases[j], row->aliases[k]) == 0;
            if (dup)
                continue;
            char *key = text_key(row->aliases[k]), *fold = resolve_fold(row->aliases[k]);
            alias_keys[nkeys++] = key;
            alias_keys[nkeys++] = fold;
            if (!key || !fold)
                goto done;
            const char *alias[4] = {row->code, row->aliases[k], key, fold};
            for (int c = 0; c < 4; c++)
                oom |= db_column_push(&a[c], alias[c]) < 0;
        }
    }
    if (oom)
        goto done;
    if (u[0].n > 0 &&
        exec_columns_ok(db,
                        "INSERT INTO registry.unit (code, name, kind, parent_code, valid_from, "
                        "name_key, name_fold) SELECT * FROM unnest($1::text[], $2::text[], "
                        "$3::text[], $4::text[], $5::date[], $6::text[], $7::text[])",
                        u, 7) < 0)
        goto done;
    if (upd[0].n > 0 &&
        exec_columns_ok(db,
                        "UPDATE registry.unit u SET name = v.name, kind = v.kind, parent_code = "
                        "v.parent, valid_from = v.valid_from, name_key = v.key, name_fold = "
                        "v.fold, updated_at = now() FROM unnest($1::text[], $2::text[], "
                        "$3::text[], $4::text[], $5::date[], $6::text[], $7::text[]) AS "
                        "v(code, name, kind, parent, valid_from, key, fold) WHERE u.code = v.code",
                        upd, 7) < 0)
        goto done;
    if (touched.n > 0 &&
        exec_columns_ok(db,
                        "DELETE FROM registry.unit_alias WHERE unit_code = ANY($1::text[]) AND "
                        "NOT former",
                        &touched, 1) < 0)
        goto done;
    if (a[0].n > 0 &&
        exec_columns_ok(db,
                        "INSERT INTO registry.unit_alias (unit_code, alias, alias_key, "
                        "alias_fold) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], "
                        "$4::text[]) ON CONFLICT (unit_code, alias) DO UPDATE SET former = false, "
                        "until_date = NULL, alias_key = EXCLUDED.alias_key, alias_fold = "
                        "EXCLUDED.alias_fold",
                        a, 4) < 0)
        goto done;
    if (h[0].n > 0 &&
        exec_columns_ok(db,
                        "INSERT INTO registry.unit_history (unit_code, on_date, change, detail) "
                        "SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::text[])",
                        h, 4) < 0)
        goto done;
    rc = 0;
done:
    for (size_t i = 0; alias_keys && i < nkeys; i++)
        free(alias_keys[i]);
    free(alias_keys);
    db_columns_free(u, 7);
    db_columns_free(upd, 7);
    db_columns_free(a, 4);
    db_columns_free(h, 4);
    db_columns_free(&touched, 1);
    return rc;
}

/* One event per new or changed unit, its payload the unit as written. */
static int write_events(db_t *db, const import_batch_t *b, const unit_plan_t *plans,
                        import_counts_t *counts)
{
    size_t n = 0;
    for (size_t i = 0; i < b->nunits; i++)
        n += plans[i].action != ROW_SAME;
    if (n == 0)
        return 0;
    const char **types = calloc(n, sizeof *types), **codes = calloc(n, sizeof *codes);
    uint8_t **payloads = calloc(n, sizeof *payloads);
    size_t *lens = calloc(n, sizeof *lens), k = 0;
    int rc = -1;
    if (!types || !codes || !payloads || !lens)
        goto done;
    for (size_t i = 0; i < b->nunits; i++) {
        const import_unit_t *row = &b->units[i];
        if (plans[i].action == ROW_SAME)
            continue;
        Partrack__Unit unit = PARTRACK__UNIT__INIT;
        unit.code = row->code;
        unit.name = row->name;
        unit.kind = row->kind;
        unit.parent = row->parent;
        unit.aliases = row->aliases;
        unit.n_aliases = row->naliases;
        unit.valid_from = row->valid_from ? row->valid_from : (char *)"1900-01-01";
        lens[k] = partrack__unit__get_packed_size(&unit);
        payloads[k] = malloc(lens[k] ? lens[k] : 1);
        if (!payloads[k])
            goto done;
        partrack__unit__pack(&unit, payloads[k]);
        types[k] = plans[i].action == ROW_NEW ? "UnitCreated" : "UnitUpdated";
        codes[k] = row->code;
        k++;
    }
    int64_t first;
    if (events_append_batch(db, "registry", n, types, codes, (const uint8_t *const *)payloads, lens,
                            &first) < 0)
        goto done;
    counts->last_event = first + (int64_t)n - 1;
    rc = 0;
done:
    for (size_t i = 0; payloads && i < n; i++)
        free(payloads[i]);
    free(payloads);
    free(types);
    free(codes);
    free(lens);
    return rc;
}

/* Heads first lose their place to the new ones, then people are upserted. */
static int write_people(db_t *db, const import_batch_t *b, import_counts_t *counts)
{
    if (b->npeople == 0)
        return 0;
    db_column_t p[6] = {0}, heads[2] = {0};
    int rc = -1;
    bool oom = false;
    for (size_t i = 0; i < b->npeople; i++) {
        const import_person_t *r = &b->people[i];
        const char *values[6] = {r->id,   r->name,    r->unit,
                                 r->role, r->contact, r->is_head ? "true" : "false"};
        for (int c = 0; c < 6; c++)
            oom |= db_column_push(&p[c], values[c]) < 0;
        if (r->is_head) {
            oom |= db_column_push(&heads[0], r->unit) < 0;
            oom |= db_column_push(&heads[1], r->id) < 0;
        }
    }
    if (oom)
        goto done;
    if (heads[0].n > 0 &&
        exec_columns_ok(db,
                        "UPDATE registry.person SET is_head = false, updated_at = now() WHERE "
                        "is_head AND unit_code = ANY($1::text[]) AND NOT (id = ANY($2::text[]))",
                        heads, 2) < 0)
        goto done;
    /* xmax = 0 tells an inserted row from an updated one; unchanged rows are
     * not returned at all. */
    db_status_t st;
    PGresult *res = db_exec_columns(
        db,
        "INSERT INTO registry.person (id, name, unit_code, role, contact, is_head) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
        "$6::boolean[]) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, unit_code = "
        "EXCLUDED.unit_code, role = EXCLUDED.role, contact = EXCLUDED.contact, is_head = "
        "EXCLUDED.is_head, updated_at = now() WHERE (person.name, person.unit_code, "
        "person.role, person.contact, person.is_head) IS DISTINCT FROM (EXCLUDED.name, "
        "EXCLUDED.unit_code, EXCLUDED.role, EXCLUDED.contact, EXCLUDED.is_head) "
        "RETURNING (xmax = 0)",
        p, 6, &st);
    if (!res)
        goto done;
    for (int i = 0; i < PQntuples(res); i++) {
        if (PQgetvalue(res, i, 0)[0] == 't')
            counts->people_created++;
        else
            counts->people_updated++;
    }
    counts->people_unchanged =
        (unsigned)b->npeople - counts->people_created - counts->people_updated;
    PQclear(res);
    rc = 0;
done:
    db_columns_free(p, 6);
    db_columns_free(heads, 2);
    return rc;
}

/* After the writes: no existing unit may now be its own ancestor. */
static int check_no_cycle(db_t *db, const import_batch_t *b, const code_index_t *idx,
                          problems_t *problems)
{
    db_status_t st;
    PGresult *res = db_exec(db,
                            "WITH RECURSIVE walk(code, parent, depth) AS ("
                            " SELECT code, parent_code, 1 FROM registry.unit"
                            " UNION ALL SELECT w.code, u.parent_code, w.depth + 1"
                            " FROM walk w JOIN registry.unit u ON u.code = w.parent"
                            " WHERE w.depth < 64 AND w.parent <> w.code)"
                            " SELECT code FROM walk WHERE parent = code LIMIT 1",
                            0, NULL, &st);
    if (!res)
        return -1;
    if (PQntuples(res) > 0) {
        long i = find_code(idx, b->nunits, PQgetvalue(res, 0, 0));
        problems_add(problems, i >= 0 ? b->units[i].file : b->files[0],
                     i >= 0 ? b->units[i].line : 0, "parent",
                     "%s would end up inside itself (a parent cycle)", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return 0;
}

int unit_store_import(db_t *db, const import_batch_t *batch, const char *on_date,
                      import_counts_t *counts, problems_t *problems, bool *db_failed)
{
    memset(counts, 0, sizeof *counts);
    *db_failed = false;
    int rc = -1;
    code_index_t *idx = calloc(batch->nunits + 1, sizeof *idx);
    unit_plan_t *plans = calloc(batch->nunits + 1, sizeof *plans);
    if (!idx || !plans)
        goto db_fail;
    for (size_t i = 0; i < batch->nunits; i++)
        idx[i] = (code_index_t){batch->units[i].code, i};
    qsort(idx, batch->nunits, sizeof *idx, cmp_code);

    if (check_parents(db, batch, idx, problems) < 0 || plan_units(db, batch, plans) < 0)
        goto db_fail;
    if (problems->n > 0)
        goto done;
    for (size_t i = 0; i < batch->nunits; i++) {
        if (plans[i].action == ROW_NEW)
            counts->units_created++;
        else if (plans[i].action == ROW_CHANGED)
            counts->units_updated++;
        else
            counts->units_unchanged++;
    }
    if (write_units(db, batch, plans, on_date) < 0 ||
        (counts->units_created + counts->units_updated > 0 &&
         check_no_cycle(db, batch, idx, problems) < 0))
        goto db_fail;
    if (problems->n > 0)
        goto done;
    if (write_events(db, batch, plans, counts) < 0 || write_people(db, batch, counts) < 0)
        goto db_fail;
    rc = 0;
    goto done;
db_fail:
    *db_failed = true;
done:
    for (size_t i = 0; plans && i < batch->nunits; i++) {
        free(plans[i].aliases);
        free(plans[i].key);
        free(plans[i].fold);
    }
    free(plans);
    free(idx);
    return rc;
}
