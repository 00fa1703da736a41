/* monitor_sweep.c - moving occurrences to the levels they have reached
 * (see the header)
 */
#include "monitor_sweep.h"

#include "monitor_reschedule.h"
#include "monitor_transition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    C_ID,
    C_TASK,
    C_NEXT_LEVEL,
    C_NEXT_AT,
    C_EFFECTIVE,
    C_NOMINAL,
    C_LABEL,
    C_ACKED,
    C_KIND,
    C_PLAN,
    C_UNIT,
    C_TITLE,
    C_ORDINAL,
    C_LEAD,
    C_SOON_DAYS,
    C_THREAT_ID,
    C_THREAT_TASK,
    C_THREAT_PLAN,
    C_THREAT_ORDINAL,
    C_THREAT_TITLE,
    C_THREAT_DUE,
};

/* The batch is chosen and locked first, on the next_at index alone, then
 * joined with its task and chain: whatever plan PostgreSQL keeps for the
 * prepared statement, the joins only ever see the batch. */
static const char due_sql[] =
    "WITH due AS MATERIALIZED (SELECT id FROM deadline.occurrence WHERE next_at <= "
    "to_timestamp($1::bigint) ORDER BY next_at, id LIMIT $2::int FOR UPDATE SKIP LOCKED) "
    "SELECT o.id, o.task_id, o.next_level, floor(extract(epoch FROM o.next_at))::bigint, "
    "o.effective - DATE '1970-01-01', o.nominal - DATE '1970-01-01', o.label, o.acked_level, "
    "o.kind, t.plan_number, t.plan_unit, t.title, t.ordinal, t.lead::text, "
    "t.due_soon_days, " MONITOR_THREAT_COLUMNS
    "FROM due JOIN deadline.occurrence o ON o.id = due.id JOIN deadline.task t ON t.task_id = "
    "o.task_id " MONITOR_THREAT_JOIN "ORDER BY o.next_at, o.id";

static char *cell(PGresult *res, int r, int c)
{
    return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

static date_t date_cell(PGresult *res, int r, int c)
{
    return PQgetisnull(res, r, c) ? DATE_INVALID : (date_t)atol(PQgetvalue(res, r, c));
}

/* Due order: by instant, then occurrence, then level. */
static int step_cmp(const void *a, const void *b)
{
    const monitor_step_t *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    if (x->occurrence_id != y->occurrence_id)
        return x->occurrence_id < y->occurrence_id ? -1 : 1;
    return (int)x->level - (int)y->level;
}

/* One batch: 1 if it moved something, 0 if nothing was due, -1 on failure. */
static int sweep_batch(db_t *db, const workcal_t *cal, const due_policy_t *policy, int64_t now,
                       int batch, size_t *transitions, int64_t *last_event)
{
    if (db_begin(db) != DB_OK)
        return -1;
    char now_text[24], limit[16];
    snprintf(now_text, sizeof now_text, "%lld", (long long)now);
    snprintf(limit, sizeof limit, "%d", batch);
    const char *params[] = {now_text, limit};
    db_status_t st;
    PGresult *res = db_exec(db, due_sql, 2, params, &st);
    if (!res) {
        db_rollback(db);
        return -1;
    }
    int n = PQntuples(res);
    if (n == 0) {
        PQclear(res);
        db_rollback(db);
        return 0;
    }
    /* Every level an occurrence has reached by now, not only the next: an
     * occurrence the service could not watch for days catches up in one
     * batch, and the steps are recorded in the order they fell due. */
    size_t max_steps = (size_t)n * DUE_LEVELS, nsteps = 0;
    monitor_step_t *steps = calloc(max_steps, sizeof *steps);
    char(*text)[4][24] = calloc((size_t)n, sizeof *text);
    db_column_t cols[4] = {0};
    int rc = -1;
    if (!steps || !text)
        goto fail;
    for (int r = 0; r < n; r++) {
        monitor_step_t base = {0};
        base.occurrence_id = strtoll(PQgetvalue(res, r, C_ID), NULL, 10);
        base.task_id = strtoll(PQgetvalue(res, r, C_TASK), NULL, 10);
        base.effective = date_cell(res, r, C_EFFECTIVE);
        base.nominal = date_cell(res, r, C_NOMINAL);
        base.label = cell(res, r, C_LABEL);
        base.plan_number = PQgetvalue(res, r, C_PLAN);
        base.plan_unit = PQgetvalue(res, r, C_UNIT);
        base.title = PQgetvalue(res, r, C_TITLE);
        base.ordinal = cell(res, r, C_ORDINAL);
        base.lead = PQgetvalue(res, r, C_LEAD);
        if (!PQgetisnull(res, r, C_THREAT_ID)) {
            base.threat_occurrence = strtoll(PQgetvalue(res, r, C_THREAT_ID), NULL, 10);
            base.threat_task = strtoll(PQgetvalue(res, r, C_THREAT_TASK), NULL, 10);
            base.threat_plan = PQgetvalue(res, r, C_THREAT_PLAN);
            base.threat_ordinal = cell(res, r, C_THREAT_ORDINAL);
            base.threat_title = PQgetvalue(res, r, C_THREAT_TITLE);
            base.threat_due = date_cell(res, r, C_THREAT_DUE);
        }
        bool due_kind =
            strcmp(PQgetvalue(res, r, C_KIND), "due") == 0 && base.effective != DATE_INVALID;
        int acked = atoi(PQgetvalue(res, r, C_ACKED));
        int64_t at[DUE_LEVELS];
        due_policy_t plan_policy =
            monitor_policy_for(policy, monitor_soon_days_cell(cell(res, r, C_SOON_DAYS)));
        if (due_kind)
            due_level_instants(cal, base.effective, &plan_policy, at);
        due_level_t level = (due_level_t)atoi(PQgetvalue(res, r, C_NEXT_LEVEL)), next = level;
        int64_t when = strtoll(PQgetvalue(res, r, C_NEXT_AT), NULL, 10), next_at = when;
        bool more = true;
        while (more && next_at <= now && nsteps < max_steps) {
            level = next;
            when = next_at;
            monitor_step_t *s = &steps[nsteps++];
            *s = base;
            s->level = level;
            s->at = when;
            if (due_kind)
                s->workdays_overdue = due_workdays_overdue(cal, base.effective, when);
            more = due_kind && due_next(at, level, acked, &next, &next_at);
        }
        snprintf(text[r][0], 24, "%lld", (long long)base.occurrence_id);
        snprintf(text[r][1], 24, "%d", (int)level);
        snprintf(text[r][2], 24, "%d", (int)next);
        snprintf(text[r][3], 24, "%lld", (long long)next_at);
        const char *vals[4] = {text[r][0], text[r][1], more ? text[r][2] : NULL,
                               more ? text[r][3] : NULL};
        for (int c = 0; c < 4; c++)
            if (db_column_push(&cols[c], vals[c]) < 0)
                goto fail;
    }
    qsort(steps, nsteps, sizeof *steps, step_cmp);
    size_t recorded;
    if (monitor_steps_record(db, steps, nsteps, &recorded, last_event) < 0)
        goto fail;
    PGresult *up = db_exec_columns(db,
                                   "UPDATE deadline.occurrence o SET level = u.l, next_level = "
                                   "u.nl, next_at = to_timestamp(u.na) FROM unnest($1::bigint[], "
                                   "$2::smallint[], $3::smallint[], $4::bigint[]) AS u(id, l, nl, "
                                   "na) WHERE o.id = u.id",
                                   cols, 4, &st);
    if (!up)
        goto fail;
    PQclear(up);
    if (db_commit(db) != DB_OK)
        goto fail_committed;
    *transitions += recorded;
    rc = 1;
    goto done;
fail:
    db_rollback(db);
fail_committed:
    rc = -1;
done:
    PQclear(res);
    free(steps);
    free(text);
    db_columns_free(cols, 4);
    return rc;
}

int monitor_sweep(db_t *db, const workcal_t *cal, const due_policy_t *policy, int64_t now,
                  int batch, size_t *transitions, int64_t *last_event)
{
    *transitions = 0;
    int rc;
    while ((rc = sweep_batch(db, cal, policy, now, batch, transitions, last_event)) == 1)
        ;
    return rc;
}
