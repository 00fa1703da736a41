/* scoring_bind.c - `partrack score bind`: scheme keys bound to real tasks and
 * plans (see the header)
 */
#include "scoring_bind.h"

#include "log.h"
#include "scoring.pb-c.h"
#include "scoring_outcomes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGresult *run(db_t *db, const char *sql, int n, const char *const *params)
{
    db_status_t st;
    return db_exec(db, sql, n, params, &st);
}

static void reply_failure(db_t *db, rpc_server_t *rpc, rpc_request_t *req)
{
    log_warn("request failed", "reason=\"%s\"", db_error(db));
    rpc_server_reply_error(rpc, req,
                           db_failure_retryable(db) ? PARTRACK__ERROR_CODE__ERR_UNAVAILABLE
                                                    : PARTRACK__ERROR_CODE__ERR_FAILED,
                           "database unavailable, try again", NULL, 0);
}

int scoring_bind_is_bound(scoring_engine_t *engine, const char *unit, int year, const char *kind,
                          const char *key)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {unit, y, kind, key};
    PGresult *res = run(scoring_engine_db(engine),
                        "SELECT 1 FROM scoring.binding WHERE unit_code = $1 AND year = $2::int "
                        "AND kind = $3 AND key = $4",
                        4, p);
    if (!res)
        return -1;
    int bound = PQntuples(res) > 0;
    PQclear(res);
    return bound;
}

/* Whether a scheme of the year for the level has a leaf that names the key:
 * a deliverable's task key (kind "task") or a plan_completion's plan key.
 * 1 yes, 0 no, -1 failure (err). */
static int key_in_schemes(scoring_engine_t *e, const char *level, int year, const char *kind,
                          const char *key, char *err, size_t errlen)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {y, level};
    PGresult *res = run(scoring_engine_db(e),
                        "SELECT id, version, text FROM scoring.scheme WHERE year = $1::int AND "
                        "level = $2 ORDER BY code",
                        2, p);
    if (!res) {
        snprintf(err, errlen, "%s", db_error(scoring_engine_db(e)));
        return -1;
    }
    score_rule_kind_t want = strcmp(kind, "task") == 0 ? SCORE_RULE_DELIVERABLE : SCORE_RULE_PLAN;
    int found = 0;
    for (int i = 0; found == 0 && i < PQntuples(res); i++) {
        const score_scheme_t *s =
            scoring_engine_scheme(e, strtoll(PQgetvalue(res, i, 0), NULL, 10),
                                  atoi(PQgetvalue(res, i, 1)), PQgetvalue(res, i, 2), err, errlen);
        if (!s) {
            found = -1;
            break;
        }
        for (size_t k = 0; k < s->nnodes && !found; k++)
            found = s->nodes[k].rule.kind == want && s->nodes[k].rule.key &&
                    strcmp(s->nodes[k].rule.key, key) == 0;
    }
    PQclear(res);
    return found;
}

/* What a binding points at, for the audit: "task 12", "plan 104/KH-UBND of
 * HN.HADONG.PHULAM". */
static void target_text(const char *task_id, const char *number, const char *plan_unit, char *out,
                        size_t len)
{
    if (task_id && *task_id)
        snprintf(out, len, "task %s", task_id);
    else
        snprintf(out, len, "plan %s of %s", number, plan_unit);
}

/* Stores the binding. *changed: made or moved. 0 or -1. */
static int store(scoring_engine_t *e, const scoring_unit_t *u, const Partrack__ScoreBindRequest *r,
                 const char *kind, const char *actor, bool *changed)
{
    db_t *db = scoring_engine_db(e);
    char y[16], id[24] = "", top[128];
    snprintf(y, sizeof y, "%d", r->year);
    snprintf(top, sizeof top, "%.*s", (int)strcspn(u->code, "."), u->code);
    if (r->has_task_id)
        snprintf(id, sizeof id, "%lld", (long long)r->task_id);
    const char *plan_unit = r->plan_number ? (r->plan_unit ? r->plan_unit : u->code) : NULL;
    const char *p[] = {u->code,        y,        top, kind, r->key, r->has_task_id ? id : NULL,
                       r->plan_number, plan_unit};
    /* The unit-year is known from now on, as with any fact. */
    PGresult *res = run(db,
                        "INSERT INTO scoring.facts (unit_code, year, top_code) VALUES ($1, "
                        "$2::int, $3) ON CONFLICT DO NOTHING",
                        3, p);
    if (!res)
        return -1;
    PQclear(res);
    res = run(db,
              "SELECT task_id, plan_number, plan_unit FROM scoring.binding WHERE unit_code = $1 "
              "AND year = $2::int AND kind = $3 AND key = $4 FOR UPDATE",
              4, (const char *const[]){u->code, y, kind, r->key});
    if (!res)
        return -1;
    char from[256] = "", to[256];
    if (PQntuples(res) == 1)
        target_text(PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), from,
                    sizeof from);
    PQclear(res);
    target_text(r->has_task_id ? id : NULL, r->plan_number, plan_unit, to, sizeof to);
    if (strcmp(from, to) == 0)
        return 0;
    res = run(db,
              "INSERT INTO scoring.binding (unit_code, year, top_code, kind, key, task_id, "
              "plan_number, plan_unit) VALUES ($1, $2::int, $3, $4, $5, $6::bigint, $7, $8) "
              "ON CONFLICT (unit_code, year, kind, key) DO UPDATE SET task_id = "
              "EXCLUDED.task_id, plan_number = EXCLUDED.plan_number, plan_unit = "
              "EXCLUDED.plan_unit, outcome = NULL, plan_tasks = NULL, plan_on_time = NULL, "
              "bound_at = now(), outcome_at = NULL",
              8, p);
    if (!res)
        return -1;
    PQclear(res);
    *changed = true;
    return scoring_engine_audit(e, u->code, r->year, actor, "binding", r->key, *from ? from : NULL,
                                to, kind);
}

/* The reply: every binding of the unit-year. 0 or -1. */
static int reply_list(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req, const char *unit,
                      int year, bool changed)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {unit, y};
    PGresult *res = run(scoring_engine_db(e),
                        "SELECT kind, key, task_id, plan_number, plan_unit, outcome, plan_tasks, "
                        "plan_on_time, to_char(bound_at AT TIME ZONE 'Asia/Ho_Chi_Minh', "
                        "'YYYY-MM-DD\"T\"HH24:MI:SS\"+07:00\"') FROM scoring.binding WHERE "
                        "unit_code = $1 AND year = $2::int ORDER BY kind, key",
                        2, p);
    if (!res)
        return -1;
    int n = PQntuples(res);
    Partrack__ScoreBinding *items = calloc((size_t)n + 1, sizeof *items);
    Partrack__ScoreBinding **ptrs = calloc((size_t)n + 1, sizeof *ptrs);
    if (!items || !ptrs) {
        free(items);
        free(ptrs);
        PQclear(res);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        Partrack__ScoreBinding *b = &items[i];
        partrack__score_binding__init(b);
        b->kind = PQgetvalue(res, i, 0);
        b->key = PQgetvalue(res, i, 1);
        b->has_task_id = !PQgetisnull(res, i, 2);
        b->task_id = b->has_task_id ? strtoll(PQgetvalue(res, i, 2), NULL, 10) : 0;
        b->plan_number = PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3);
        b->plan_unit = PQgetisnull(res, i, 4) ? NULL : PQgetvalue(res, i, 4);
        b->outcome = PQgetisnull(res, i, 5) ? NULL : PQgetvalue(res, i, 5);
        b->has_plan_tasks = b->has_plan_on_time = !PQgetisnull(res, i, 6);
        b->plan_tasks = b->has_plan_tasks ? atoi(PQgetvalue(res, i, 6)) : 0;
        b->plan_on_time = b->has_plan_on_time ? atoi(PQgetvalue(res, i, 7)) : 0;
        b->bound_at = PQgetvalue(res, i, 8);
        ptrs[i] = b;
    }
    Partrack__ScoreBindReply reply = PARTRACK__SCORE_BIND_REPLY__INIT;
    reply.unit = (char *)unit;
    reply.year = year;
    reply.n_bindings = (size_t)n;
    reply.bindings = ptrs;
    reply.changed = changed;
    rpc_server_reply(rpc, req, PARTRACK__MESSAGE_TYPE__MSG_SCORE_BIND_REPLY, &reply.base);
    free(items);
    free(ptrs);
    PQclear(res);
    return 0;
}

/* Checks the request's shape; replies ERR_INVALID itself (false). */
static bool well_formed(rpc_server_t *rpc, rpc_request_t *req, const Partrack__ScoreBindRequest *r)
{
    const char *problem = NULL;
    if (r->has_task_id && r->plan_number)
        problem = "bind a key to a task or to a plan, not both";
    else if ((r->has_task_id || r->plan_number) && (!r->key || !*r->key))
        problem = "a binding needs the scheme's key (--key)";
    else if (r->has_task_id && r->task_id <= 0)
        problem = "a task id is a positive number";
    else if (r->plan_number && !*r->plan_number)
        problem = "a plan number is not empty";
    else if (r->plan_unit && !r->plan_number)
        problem = "--plan-unit goes with --plan";
    if (problem)
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID, problem, NULL, 0);
    return problem == NULL;
}

void scoring_bind_handle(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req)
{
    db_t *db = scoring_engine_db(e);
    char reason[512];
    Partrack__ScoreBindRequest *r = (Partrack__ScoreBindRequest *)msg_decode(
        req->env, &partrack__score_bind_request__descriptor, reason, sizeof reason);
    if (!r) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason, NULL, 0);
        return;
    }
    bool open = false, changed = false;
    scoring_unit_t u;
    if (!well_formed(rpc, req, r))
        goto done;
    int found = scoring_engine_unit(e, r->unit, &u);
    if (found <= 0) {
        if (found < 0) {
            reply_failure(db, rpc, req);
        } else {
            snprintf(reason, sizeof reason, "no unit %s in the registry", r->unit);
            rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, reason, NULL, 0);
        }
        goto done;
    }
    if (r->has_task_id || r->plan_number) {
        const char *kind = r->has_task_id ? "task" : "plan";
        char actor[160];
        snprintf(actor, sizeof actor, r->actor && *r->actor ? "cli:%s" : "cli",
                 r->actor ? r->actor : "");
        if (db_begin(db) != DB_OK) {
            reply_failure(db, rpc, req);
            goto done;
        }
        open = true;
        int locked = scoring_engine_locked(e, u.code, r->year);
        int known = locked == 0
                        ? key_in_schemes(e, u.kind, r->year, kind, r->key, reason, sizeof reason)
                        : 0;
        if (locked < 0 || known < 0) {
            reply_failure(db, rpc, req);
            goto done;
        }
        if (locked) {
            snprintf(reason, sizeof reason,
                     "the %d score of %s is locked: it cannot change any more", r->year, u.code);
            rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_CONFLICT, reason, NULL, 0);
            goto done;
        }
        if (!known) {
            snprintf(reason, sizeof reason,
                     "no %d scheme for %s units has a %s leaf with %s key %s", r->year, u.kind,
                     r->has_task_id ? "deliverable" : "plan_completion", kind, r->key);
            rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID, reason, NULL, 0);
            goto done;
        }
        char evidence[160];
        snprintf(evidence, sizeof evidence, "binding of %s", r->key);
        if (store(e, &u, r, kind, actor, &changed) < 0 ||
            (changed && scoring_outcomes_refresh(e, u.code, r->year, true, evidence, NULL, reason,
                                                 sizeof reason) < 0)) {
            reply_failure(db, rpc, req);
            goto done;
        }
        open = false;
        if (db_commit(db) != DB_OK) {
            reply_failure(db, rpc, req);
            goto done;
        }
        if (changed)
            log_info("key bound", "unit=%s year=%d %s=%s", u.code, r->year, kind, r->key);
    }
    if (reply_list(e, rpc, req, u.code, r->year, changed) < 0)
        reply_failure(db, rpc, req);
done:
    if (open)
        db_rollback(db);
    partrack__score_bind_request__free_unpacked(r, NULL);
}
