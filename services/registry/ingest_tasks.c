/* ingest_tasks.c - published task updates, checked and applied (the rules
 * are in ingest_batch.h)
 *
 * The batch's tasks are locked once, in id order (so two batches never wait
 * on each other in a circle), their plans, titles and lead units taken from
 * the cache of task_facts.h; the updates are folded into them in arrival
 * order in memory, then written with one statement per table.
 */
#include "db_binarray.h"
#include "events.h"
#include "events.pb-c.h"
#include "ingest.pb-c.h"
#include "ingest_check.h"
#include "ingest_work.h"
#include "task_trigger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A locked task as the updates leave it. */
typedef struct {
    int64_t id;
    char status[16];
    int progress;
    int64_t completed_ms;     /* -1: none */
    const task_fact_t *facts; /* plan, title, leads: the cache's */
    bool waits_for_event;     /* an event task not yet triggered */
    bool changed;
} task_state_t;

typedef struct {
    task_state_t *list;
    size_t n;
} tasks_t;

static int state_cmp(const void *a, const void *b)
{
    int64_t x = ((const task_state_t *)a)->id, y = ((const task_state_t *)b)->id;
    return x < y ? -1 : x > y;
}

static task_state_t *find(tasks_t *ts, int64_t id)
{
    task_state_t key = {.id = id};
    return bsearch(&key, ts->list, ts->n, sizeof *ts->list, state_cmp);
}

static void tasks_free(tasks_t *ts)
{
    free(ts->list);
}

/* Task ids for the updates that name their task by plan, unit and ordinal
 * (into works' task_id; refused when there is none or several). */
static int resolve_references(ingest_batch_t *b, ingest_work_t **ws, size_t n)
{
    db_column_t cols[4] = {0};
    char(*idx)[24] = calloc(n + 1, sizeof *idx);
    size_t m = 0;
    int rc = -1;
    if (!idx)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const Partrack__TaskUpdate *u = (const Partrack__TaskUpdate *)ws[i]->message;
        if (u->has_task_id) {
            ws[i]->task_id = u->task_id;
            continue;
        }
        if (!u->plan_number || !u->plan_unit || !u->ordinal) {
            ingest_item_error(ws[i]->item, PARTRACK__ERROR_CODE__ERR_INVALID,
                              "name the task by task_id, or by plan_number, plan_unit and "
                              "ordinal");
            ws[i]->settled = true;
            continue;
        }
        snprintf(idx[i], sizeof idx[i], "%zu", i);
        const char *vals[4] = {idx[i], u->plan_number, u->plan_unit, u->ordinal};
        for (int c = 0; c < 4; c++)
            if (db_column_push(&cols[c], vals[c]) < 0)
                goto done;
        m++;
    }
    rc = 0;
    if (m == 0)
        goto done;
    db_status_t st;
    /* The current plan of that number; of several years', the latest. */
    PGresult *res = db_exec_columns(
        b->db,
        "SELECT x.i, t.id, p.year FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS "
        "x(i, n, u, o) JOIN registry.plan p ON p.number = x.n AND p.unit_code = x.u AND "
        "p.replaced_at IS NULL JOIN registry.task t ON t.plan_id = p.id AND t.ordinal = x.o "
        "ORDER BY x.i, p.year DESC, t.id",
        cols, 4, &st);
    if (!res) {
        rc = -1;
        goto done;
    }
    int rows = PQntuples(res);
    for (size_t i = 0; i < n; i++) {
        if (!*idx[i])
            continue;
        int first = -1, same = 0;
        for (int r = 0; r < rows; r++)
            if ((size_t)atoi(PQgetvalue(res, r, 0)) == i) {
                if (first < 0)
                    first = r;
                if (strcmp(PQgetvalue(res, r, 2), PQgetvalue(res, first, 2)) == 0)
                    same++;
            }
        const Partrack__TaskUpdate *u = (const Partrack__TaskUpdate *)ws[i]->message;
        if (first < 0 || same > 1) {
            ingest_item_error(ws[i]->item,
                              first < 0 ? PARTRACK__ERROR_CODE__ERR_NOT_FOUND
                                        : PARTRACK__ERROR_CODE__ERR_INVALID,
                              first < 0 ? "no task %s in plan %s of %s"
                                        : "several tasks %s in plan %s of %s: give task_id",
                              u->ordinal, u->plan_number, u->plan_unit);
            ws[i]->settled = true;
        } else {
            ws[i]->task_id = strtoll(PQgetvalue(res, first, 1), NULL, 10);
        }
    }
    PQclear(res);
done:
    free(idx);
    db_columns_free(cols, 4);
    return rc;
}

/* Locks the tasks the updates name, in id order, and reads their state;
 * their facts come from the cache, checked against the version read in the
 * same statement. A task without facts (no plan) is left out: not found. */
static int lock_tasks(ingest_batch_t *b, ingest_work_t **ws, size_t n, tasks_t *ts)
{
    db_binarray_t ids;
    int64_t *locked = NULL;
    int rc = -1;
    db_binarray_init(&ids, DB_OID_INT8);
    for (size_t i = 0; i < n; i++)
        if (!ws[i]->settled)
            db_binarray_int8(&ids, ws[i]->task_id);
    db_status_t st;
    /* `= ANY`: the primary key's index walks the ids in order, where a join
     * with the array read every task when the table is small. */
    PGresult *res = db_exec_binarrays(
        b->db,
        "SELECT t.id, t.status, t.progress, coalesce(floor(extract(epoch FROM t.completed_at) * "
        "1000)::bigint, -1), t.triggered_on IS NULL AND coalesce((t.schedule->>'event')::boolean, "
        "false), (SELECT version FROM registry.task_facts_version) FROM registry.task t WHERE "
        "t.id = ANY ($1::bigint[]) ORDER BY t.id FOR UPDATE",
        &ids, 1, &st);
    if (!res)
        goto done;
    size_t rows = (size_t)PQntuples(res);
    ts->list = calloc(rows + 1, sizeof *ts->list);
    locked = calloc(rows + 1, sizeof *locked);
    if (!ts->list || !locked) {
        db_fail(b->db, "ingest", "out of memory");
        PQclear(res);
        goto done;
    }
    if (rows > 0)
        task_facts_at_version(b->facts, strtoll(PQgetvalue(res, 0, 5), NULL, 10));
    for (size_t r = 0; r < rows; r++) {
        task_state_t *t = &ts->list[r];
        t->id = locked[r] = strtoll(PQgetvalue(res, (int)r, 0), NULL, 10);
        snprintf(t->status, sizeof t->status, "%s", PQgetvalue(res, (int)r, 1));
        t->progress = atoi(PQgetvalue(res, (int)r, 2));
        t->completed_ms = strtoll(PQgetvalue(res, (int)r, 3), NULL, 10);
        t->waits_for_event = PQgetvalue(res, (int)r, 4)[0] == 't';
    }
    PQclear(res);
    if (task_facts_load(b->facts, b->db, locked, rows) < 0)
        goto done;
    for (size_t r = 0; r < rows; r++)
        if ((ts->list[r].facts = task_facts_find(b->facts, ts->list[r].id)))
            ts->list[ts->n++] = ts->list[r];
    rc = 0;
done:
    free(locked);
    db_binarray_free(&ids);
    return rc;
}

static bool task_in_scope(const ingest_batch_t *b, const ingest_publisher_t *p,
                          const task_state_t *t)
{
    if (ingest_in_scope(b, p, directory_find(b->dir, t->facts->plan_unit)))
        return true;
    for (size_t i = 0; i < t->facts->nleads; i++)
        if (ingest_in_scope(b, p, directory_find(b->dir, t->facts->leads[i])))
            return true;
    return false;
}

/* One accepted update, for the writes. */
typedef struct {
    ingest_work_t *work;
    task_state_t *task;
    char previous[16], status[16];
    int progress;
    int64_t completed_ms;
} accepted_t;

/* Checks an update against its task and folds it in; false if refused. */
static bool fold(ingest_batch_t *b, ingest_work_t *w, tasks_t *ts, accepted_t *a)
{
    const Partrack__TaskUpdate *u = (const Partrack__TaskUpdate *)w->message;
    ingest_item_t *it = w->item;
    task_state_t *t = find(ts, w->task_id);
    int64_t completed = -1;
    if (!t) {
        ingest_item_error(it, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, "no task %lld",
                          (long long)w->task_id);
        return false;
    }
    if (!task_in_scope(b, w->publisher, t)) {
        ingest_item_error(it, PARTRACK__ERROR_CODE__ERR_FORBIDDEN,
                          "publisher %s may not update task %lld (plan %s of %s)",
                          w->publisher->name, (long long)t->id, t->facts->plan_number,
                          t->facts->plan_unit);
        return false;
    }
    char reason[512];
    if (ingest_check_update(u, b->now_ms, b->rules->max_skew_ms, &completed, reason,
                            sizeof reason) < 0) {
        ingest_item_error(it, PARTRACK__ERROR_CODE__ERR_INVALID, "%s", reason);
        return false;
    }
    /* As `partrack task update`, with the publisher's clock for "now". */
    snprintf(a->previous, sizeof a->previous, "%s", t->status);
    bool done = u->status && strcmp(u->status, "done") == 0;
    t->progress = u->has_progress ? u->progress : done ? 100 : t->progress;
    if (done)
        t->completed_ms = completed >= 0         ? completed
                          : t->completed_ms >= 0 ? t->completed_ms
                                                 : w->sent_at_ms;
    else if (u->status)
        t->completed_ms = -1;
    else if (completed >= 0)
        t->completed_ms = completed;
    if (u->status)
        snprintf(t->status, sizeof t->status, "%s", u->status);
    t->changed = true;
    a->work = w;
    a->task = t;
    snprintf(a->status, sizeof a->status, "%s", t->status);
    a->progress = t->progress;
    a->completed_ms = t->completed_ms;
    return true;
}

static uint8_t *event_payload(const ingest_batch_t *b, const accepted_t *a, int64_t update_id,
                              size_t *len)
{
    const Partrack__TaskUpdate *u = (const Partrack__TaskUpdate *)a->work->message;
    Partrack__TaskUpdated ev = PARTRACK__TASK_UPDATED__INIT;
    char completed[40];
    if (a->completed_ms >= 0)
        ingest_format_ms(a->completed_ms, completed);
    ev.task_id = a->task->id;
    ev.update_id = update_id;
    ev.actor = a->work->publisher->name;
    ev.recorded_at = (char *)b->now_text;
    ev.status = (char *)a->status;
    ev.progress = a->progress;
    ev.completed_at = a->completed_ms >= 0 ? completed : NULL;
    ev.note = u->note;
    ev.n_evidence = u->n_evidence;
    ev.evidence = u->evidence;
    ev.previous_status = (char *)a->previous;
    ev.title = a->task->facts->title;
    ev.plan_number = a->task->facts->plan_number;
    ev.plan_unit = a->task->facts->plan_unit;
    ev.n_lead = a->task->facts->nleads;
    ev.lead = a->task->facts->leads;
    *len = partrack__task_updated__get_packed_size(&ev);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        partrack__task_updated__pack(&ev, buf);
    return buf;
}

/* The update rows, the tasks' new state, the events. Columns go as binary
 * arrays (no text parsing on the server). */
static int write_updates(ingest_batch_t *b, accepted_t *acc, size_t m, tasks_t *ts)
{
    int64_t *ids = calloc(m, sizeof *ids);
    char **evidence = calloc(m, sizeof *evidence);
    const char **types = calloc(m, sizeof *types), **units = calloc(m, sizeof *units);
    uint8_t **payloads = calloc(m, sizeof *payloads);
    size_t *lens = calloc(m, sizeof *lens);
    int64_t *waiting_ids = calloc(ts->n + 1, sizeof *waiting_ids);
    size_t nwaiting = 0;
    db_binarray_t cols[10], tcols[4];
    static const uint32_t col_types[10] = {
        DB_OID_INT8,        DB_OID_INT8, DB_OID_TEXT, DB_OID_INT4,        DB_OID_TEXT,
        DB_OID_TIMESTAMPTZ, DB_OID_TEXT, DB_OID_TEXT, DB_OID_TIMESTAMPTZ, DB_OID_TEXT};
    static const uint32_t tcol_types[4] = {DB_OID_INT8, DB_OID_INT4, DB_OID_TEXT,
                                           DB_OID_TIMESTAMPTZ};
    for (int c = 0; c < 10; c++)
        db_binarray_init(&cols[c], col_types[c]);
    for (int c = 0; c < 4; c++)
        db_binarray_init(&tcols[c], tcol_types[c]);
    int rc = -1;
    if (!ids || !evidence || !types || !units || !payloads || !lens || !waiting_ids ||
        ingest_next_ids(b->db, "registry.task_update_id_seq", m, ids) < 0)
        goto done;
    for (size_t k = 0; k < m; k++) {
        const Partrack__TaskUpdate *u = (const Partrack__TaskUpdate *)acc[k].work->message;
        acc[k].work->stored_id = ids[k];
        /* No evidence: NULL, the column's '{}' without parsing a literal. */
        if (u->n_evidence > 0 &&
            !(evidence[k] = db_array_literal((const char *const *)u->evidence, u->n_evidence)))
            goto done;
        db_binarray_int8(&cols[0], ids[k]);
        db_binarray_int8(&cols[1], acc[k].task->id);
        db_binarray_text(&cols[2], acc[k].work->publisher->name);
        if (u->has_progress)
            db_binarray_int4(&cols[3], u->progress);
        else
            db_binarray_null(&cols[3]);
        db_binarray_text(&cols[4], u->status);
        if (u->completed_at)
            db_binarray_time_ms(&cols[5], acc[k].completed_ms);
        else
            db_binarray_null(&cols[5]);
        db_binarray_text(&cols[6], u->note);
        db_binarray_text(&cols[7], evidence[k]);
        db_binarray_time_ms(&cols[8], acc[k].work->sent_at_ms);
        db_binarray_text(&cols[9], acc[k].work->item->env->idempotency_key);
        types[k] = "TaskUpdated";
        units[k] = acc[k].task->facts->plan_unit;
        if (!(payloads[k] = event_payload(b, &acc[k], ids[k], &lens[k])))
            goto done;
    }
    for (size_t i = 0; i < ts->n; i++) {
        task_state_t *t = &ts->list[i];
        if (!t->changed)
            continue;
        db_binarray_int8(&tcols[0], t->id);
        db_binarray_int4(&tcols[1], t->progress);
        db_binarray_text(&tcols[2], t->status);
        if (t->completed_ms >= 0)
            db_binarray_time_ms(&tcols[3], t->completed_ms);
        else
            db_binarray_null(&tcols[3]);
        if (strcmp(t->status, "open") == 0 && t->waits_for_event)
            waiting_ids[nwaiting++] = t->id;
    }
    db_status_t st;
    PGresult *res = db_exec_binarrays(
        b->db,
        "INSERT INTO registry.task_update (id, task_id, actor, progress, status, completed_at, "
        "note, evidence, source_at, idempotency_key) SELECT i, t, a, p, s, c, n, "
        "coalesce(e::text[], '{}'), sa, k FROM unnest($1::bigint[], $2::bigint[], $3::text[], "
        "$4::int[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::timestamptz[], "
        "$10::text[]) AS x(i, t, a, p, s, c, n, e, sa, k) WHERE NOT EXISTS (SELECT 1 FROM "
        "registry.request_log r WHERE r.publisher = x.a AND r.idempotency_key = x.k AND "
        "r.reply_type = 82)",
        cols, 10, &st);
    /* A key stored before: task_update_key_idx refuses it (unique_violation;
     * a plain insert: a conflict is rare, ON CONFLICT would cost every
     * batch), or a measurement holds it and its row is left out. */
    if (!res) {
        b->key_taken = strcmp(db_sqlstate(b->db), "23505") == 0;
        goto done;
    }
    if (strtoull(PQcmdTuples(res), NULL, 10) != m) {
        PQclear(res);
        b->key_taken = true;
        db_fail(b->db, "ingest", "a key of the batch is a measurement's");
        goto done;
    }
    PQclear(res);
    res = db_exec_binarrays(b->db,
                            "UPDATE registry.task t SET progress = x.p, status = x.s, "
                            "completed_at = x.c, updated_at = now() FROM unnest($1::bigint[], "
                            "$2::int[], $3::text[], $4::timestamptz[]) AS x(i, p, s, c) WHERE "
                            "t.id = x.i",
                            tcols, 4, &st);
    if (!res)
        goto done;
    PQclear(res);
    int64_t first;
    if (events_append_batch(b->db, "registry", m, types, units, (const uint8_t *const *)payloads,
                            lens, &first) < 0)
        goto done;
    *b->last_event = first + (int64_t)m - 1;
    if (task_trigger_by_updates(b->db, waiting_ids, nwaiting, "ingest", b->last_event) < 0)
        goto done;
    rc = 0;
done:
    for (size_t k = 0; k < m; k++) {
        if (evidence)
            free(evidence[k]);
        if (payloads)
            free(payloads[k]);
    }
    free(ids);
    free(evidence);
    free(types);
    free(units);
    free(payloads);
    free(lens);
    free(waiting_ids);
    for (int c = 0; c < 10; c++)
        db_binarray_free(&cols[c]);
    for (int c = 0; c < 4; c++)
        db_binarray_free(&tcols[c]);
    return rc;
}

int ingest_tasks_apply(ingest_batch_t *b, ingest_work_t *works, size_t n)
{
    ingest_work_t **ws = calloc(n + 1, sizeof *ws);
    accepted_t *acc = calloc(n + 1, sizeof *acc);
    tasks_t ts = {0};
    size_t nw = 0, m = 0;
    int rc = -1;
    if (!ws || !acc)
        goto done;
    for (size_t i = 0; i < n; i++)
        if (!works[i].settled &&
            works[i].item->env->type == PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE)
            ws[nw++] = &works[i];
    rc = 0;
    if (nw == 0)
        goto done;
    if ((rc = resolve_references(b, ws, nw)) < 0 || (rc = lock_tasks(b, ws, nw, &ts)) < 0)
        goto done;
    for (size_t i = 0; i < nw; i++) {
        if (ws[i]->settled)
            continue;
        if (fold(b, ws[i], &ts, &acc[m]))
            m++;
        ws[i]->settled = true; /* refused, or accepted: written below */
    }
    if (m > 0)
        rc = write_updates(b, acc, m, &ts);
done:
    tasks_free(&ts);
    free(ws);
    free(acc);
    return rc;
}
