/* monitor_policy.c - how early each plan's occurrences are due soon (see the
 * header) */
#include "monitor_policy.h"

#include "monitor_reschedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The issuing unit of plan `number`: given, or the only one that has a plan
 * (or a setting) of that number. */
static monitor_policy_result_t plan_unit_of(db_t *db, const Partrack__DuePolicyRequest *req,
                                            char *unit_buf, size_t unit_len, char *errbuf,
                                            size_t errlen)
{
    if (req->plan_unit && *req->plan_unit) {
        snprintf(unit_buf, unit_len, "%s", req->plan_unit);
        return MONITOR_POLICY_OK;
    }
    const char *p[] = {req->plan_number};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "SELECT plan_unit FROM deadline.task WHERE plan_number = $1 UNION "
                            "SELECT plan_unit FROM deadline.plan_policy WHERE plan_number = $1 "
                            "ORDER BY 1",
                            1, p, &st);
    if (!res)
        return MONITOR_POLICY_DB_FAILED;
    int n = PQntuples(res);
    monitor_policy_result_t rc = MONITOR_POLICY_OK;
    if (n == 0) {
        snprintf(errbuf, errlen,
                 "no plan numbered \"%s\" is known to the deadline service; give the issuing "
                 "unit (--unit CODE) to set it before the plan is imported",
                 req->plan_number);
        rc = MONITOR_POLICY_NOT_FOUND;
    } else if (n > 1) {
        int w = snprintf(errbuf, errlen,
                         "several units have a plan numbered \"%s\":", req->plan_number);
        for (int r = 0; r < n && w > 0 && (size_t)w < errlen; r++)
            w += snprintf(errbuf + w, errlen - (size_t)w, "%s %s", r ? "," : "",
                          PQgetvalue(res, r, 0));
        if (w > 0 && (size_t)w < errlen)
            snprintf(errbuf + w, errlen - (size_t)w, "; give one with --unit CODE");
        rc = MONITOR_POLICY_AMBIGUOUS;
    } else {
        snprintf(unit_buf, unit_len, "%s", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return rc;
}

/* Stores the setting (NULL: removes it) and copies it onto the plan's
 * tasks. */
static int store(db_t *db, const char *unit, const char *number, const char *days)
{
    const char *p[] = {unit, number, days};
    db_status_t st;
    PGresult *res =
        days ? db_exec(db,
                       "INSERT INTO deadline.plan_policy (plan_unit, plan_number, due_soon_days) "
                       "VALUES ($1, $2, $3::int) ON CONFLICT (plan_unit, plan_number) DO UPDATE "
                       "SET due_soon_days = EXCLUDED.due_soon_days, updated_at = now()",
                       3, p, &st)
             : db_exec(db,
                       "DELETE FROM deadline.plan_policy WHERE plan_unit = $1 AND plan_number = "
                       "$2",
                       2, p, &st);
    if (!res)
        return -1;
    PQclear(res);
    res = db_exec(db,
                  "UPDATE deadline.task SET due_soon_days = $3::int WHERE plan_unit = $1 AND "
                  "plan_number = $2",
                  3, p, &st);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

/* The next step of each open due occurrence of the plan, by the policy
 * now in force; returns how many moved, or -1. */
static long move_next_steps(db_t *db, const workcal_t *cal, const due_policy_t *policy,
                            const char *unit, const char *number)
{
    const char *p[] = {unit, number};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "SELECT o.id, o.effective - DATE '1970-01-01', o.level, o.acked_level, "
                            "coalesce(o.next_level, -1), coalesce(floor(extract(epoch FROM "
                            "o.next_at))::bigint, 0) FROM deadline.occurrence o JOIN "
                            "deadline.task t ON t.task_id = o.task_id WHERE t.plan_unit = $1 AND "
                            "t.plan_number = $2 AND o.kind = 'due' AND o.state = 'open' ORDER BY "
                            "o.id FOR UPDATE OF o",
                            2, p, &st);
    if (!res)
        return -1;
    int n = PQntuples(res);
    db_column_t cols[3] = {0};
    char(*text)[3][24] = calloc((size_t)n + 1, sizeof *text);
    long moved = -1, count = 0;
    if (!text)
        goto done;
    for (int r = 0; r < n; r++) {
        int64_t at[DUE_LEVELS], next_at = 0;
        due_level_instants(cal, (date_t)atol(PQgetvalue(res, r, 1)), policy, at);
        due_level_t next = DUE_LONG_TERM;
        bool more = due_next(at, (due_level_t)atoi(PQgetvalue(res, r, 2)),
                             atoi(PQgetvalue(res, r, 3)), &next, &next_at);
        int old_next = atoi(PQgetvalue(res, r, 4));
        int64_t old_at = strtoll(PQgetvalue(res, r, 5), NULL, 10);
        if (more ? (old_next == (int)next && old_at == next_at) : old_next < 0)
            continue;
        snprintf(text[count][0], 24, "%s", PQgetvalue(res, r, 0));
        snprintf(text[count][1], 24, "%d", (int)next);
        snprintf(text[count][2], 24, "%lld", (long long)next_at);
        const char *vals[3] = {text[count][0], more ? text[count][1] : NULL,
                               more ? text[count][2] : NULL};
        for (int c = 0; c < 3; c++)
            if (db_column_push(&cols[c], vals[c]) < 0)
                goto done;
        count++;
    }
    if (count > 0) {
        PGresult *up = db_exec_columns(db,
                                       "UPDATE deadline.occurrence o SET next_level = u.nl, "
                                       "next_at = to_timestamp(u.na) FROM unnest($1::bigint[], "
                                       "$2::smallint[], $3::bigint[]) AS u(id, nl, na) WHERE "
                                       "o.id = u.id",
                                       cols, 3, &st);
        if (!up)
            goto done;
        PQclear(up);
    }
    moved = count;
done:
    free(text);
    db_columns_free(cols, 3);
    PQclear(res);
    return moved;
}

/* The days in force for the plan into the reply. */
static int read_setting(db_t *db, const char *unit, const char *number, const due_policy_t *base,
                        Partrack__DuePolicyReply *reply)
{
    const char *p[] = {unit, number};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "SELECT due_soon_days FROM deadline.plan_policy WHERE plan_unit = $1 "
                            "AND plan_number = $2",
                            2, p, &st);
    if (!res)
        return -1;
    reply->plan_default = PQntuples(res) == 0;
    reply->soon_days =
        reply->plan_default ? base->due_soon_days : (int32_t)atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

monitor_policy_result_t monitor_policy_request(db_t *db, const workcal_t *cal,
                                               const due_policy_t *base,
                                               const Partrack__DuePolicyRequest *req,
                                               Partrack__DuePolicyReply *reply, char *unit_buf,
                                               size_t unit_len, char *errbuf, size_t errlen)
{
    bool reset = req->has_reset && req->reset;
    if (req->has_soon_days && reset) {
        snprintf(errbuf, errlen, "give soon days or reset, not both");
        return MONITOR_POLICY_INVALID;
    }
    if (req->has_soon_days && (req->soon_days < 0 || req->soon_days > MONITOR_SOON_DAYS_MAX)) {
        snprintf(errbuf, errlen, "soon days must be between 0 and %d, not %d",
                 MONITOR_SOON_DAYS_MAX, req->soon_days);
        return MONITOR_POLICY_INVALID;
    }
    if (!*req->plan_number) {
        snprintf(errbuf, errlen, "name the plan by its number");
        return MONITOR_POLICY_INVALID;
    }
    monitor_policy_result_t rc = plan_unit_of(db, req, unit_buf, unit_len, errbuf, errlen);
    if (rc != MONITOR_POLICY_OK)
        return rc;
    reply->plan_number = req->plan_number;
    reply->plan_unit = unit_buf;
    if (req->has_soon_days || reset) {
        char days[16];
        snprintf(days, sizeof days, "%d", req->soon_days);
        due_policy_t policy = monitor_policy_for(base, req->has_soon_days ? req->soon_days : -1);
        long moved;
        if (db_begin(db) != DB_OK ||
            store(db, unit_buf, req->plan_number, req->has_soon_days ? days : NULL) < 0 ||
            (moved = move_next_steps(db, cal, &policy, unit_buf, req->plan_number)) < 0) {
            db_rollback(db);
            return MONITOR_POLICY_DB_FAILED;
        }
        if (db_commit(db) != DB_OK)
            return MONITOR_POLICY_DB_FAILED;
        reply->recomputed = (uint32_t)moved;
    }
    return read_setting(db, unit_buf, req->plan_number, base, reply) < 0 ? MONITOR_POLICY_DB_FAILED
                                                                         : MONITOR_POLICY_OK;
}
