/* scoring_outcomes.c - deliverable and plan-completion facts from the deadline
 * service (see the header)
 */
#include "scoring_outcomes.h"

#include "deadline.pb-c.h"
#include "log.h"
#include "scoring_ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGresult *run(db_t *db, const char *sql, int n, const char *const *params)
{
    db_status_t st;
    return db_exec(db, sql, n, params, &st);
}

/* The end of a due date or of a year, as an instant (UTC+7). */
#define END_OF(date) "((" date ") + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'"

/* A task's outcome in the year: "on_time", "late", "missing", or "" for
 * none (out, at least 8 bytes). 0 or -1. */
static int task_outcome(db_t *db, const char *task_id, const char *year, char *out)
{
    const char *p[] = {task_id, year};
    PGresult *res =
        run(db,
            "WITH o AS (SELECT state, outcome, as_of, " END_OF(
                "due_date") " AS due_end FROM deadline.outcomes WHERE task_id = $1::bigint AND "
                            "extract(year FROM coalesce(nominal_date, due_date)) = $2::int) "
                            "SELECT count(*), count(*) FILTER (WHERE state = 'cancelled' OR "
                            "(state = 'open' AND as_of >= greatest(due_end, " END_OF(
                                "make_date($2::int, 12, 31)") "))), count(*) FILTER (WHERE "
                                                              "state = 'done' AND outcome = "
                                                              "'late'), count(*) FILTER (WHERE "
                                                              "state = 'open' AND as_of >= "
                                                              "due_end), count(*) FILTER (WHERE "
                                                              "state = 'done' AND outcome = "
                                                              "'on_time') FROM o",
            2, p);
    if (!res)
        return -1;
    long due = atol(PQgetvalue(res, 0, 0)), missing = atol(PQgetvalue(res, 0, 1)),
         late = atol(PQgetvalue(res, 0, 2)), overdue = atol(PQgetvalue(res, 0, 3)),
         on_time = atol(PQgetvalue(res, 0, 4));
    PQclear(res);
    const char *o = due == 0      ? ""
                    : missing > 0 ? "missing"
                    : late > 0    ? "late"
                    : overdue > 0 ? ""
                    : on_time > 0 ? "on_time"
                                  : "";
    snprintf(out, 8, "%s", o);
    return 0;
}

/* A plan's tasks due in the year and how many were all done on time; *tasks
 * is 0 when none is due. 0 or -1. */
static int plan_outcome(db_t *db, const char *number, const char *plan_unit, const char *year,
                        int *tasks, int *on_time)
{
    const char *p[] = {number, plan_unit, year};
    PGresult *res = run(db,
                        "WITH o AS (SELECT plan_id, task_id, state, outcome FROM "
                        "deadline.outcomes WHERE plan_number = $1 AND plan_unit = $2 AND "
                        "extract(year FROM coalesce(nominal_date, due_date)) = $3::int), "
                        "t AS (SELECT task_id, bool_and(state = 'done' AND outcome = 'on_time') "
                        "AS all_on_time FROM o WHERE plan_id = (SELECT max(plan_id) FROM o) "
                        "GROUP BY task_id) "
                        "SELECT count(*), count(*) FILTER (WHERE all_on_time) FROM t",
                        3, p);
    if (!res)
        return -1;
    *tasks = atoi(PQgetvalue(res, 0, 0));
    *on_time = atoi(PQgetvalue(res, 0, 1));
    PQclear(res);
    return 0;
}

/* A plan outcome as audit text, as scoring_facts writes a plan fact. */
static void plan_text(int tasks, int on_time, char *out, size_t len)
{
    if (tasks > 0)
        snprintf(out, len, "{\"tasks\":%d,\"on_time\":%d}", tasks, on_time);
    else
        snprintf(out, len, "%s", "");
}

/* Bindings of a unit-year: kind, key, task_id, plan_number, plan_unit,
 * outcome, plan_tasks, plan_on_time. */
#define BINDING_COLUMNS                                                                            \
    "kind, key, task_id, plan_number, plan_unit, outcome, plan_tasks, plan_on_time"
enum { B_KIND, B_KEY, B_TASK, B_NUMBER, B_PLAN_UNIT, B_OUTCOME, B_TASKS, B_ON_TIME };

/* Computes one binding's outcome and stores it when it changed (audited).
 * *changed is set when it did. 0 or -1. */
static int refresh_binding(scoring_engine_t *e, const char *unit, int year, const PGresult *b,
                           int row, const char *evidence, bool *changed)
{
    db_t *db = scoring_engine_db(e);
    char y[16], from[64], to[64], tasks_text[16], on_time_text[16];
    snprintf(y, sizeof y, "%d", year);
    const char *kind = PQgetvalue(b, row, B_KIND), *key = PQgetvalue(b, row, B_KEY);
    bool task = strcmp(kind, "task") == 0;
    const char *outcome = NULL, *tasks_p = NULL, *on_time_p = NULL;
    char o[8] = "";
    if (task) {
        if (task_outcome(db, PQgetvalue(b, row, B_TASK), y, o) < 0)
            return -1;
        snprintf(from, sizeof from, "%s", PQgetvalue(b, row, B_OUTCOME));
        snprintf(to, sizeof to, "%s", o);
        outcome = *o ? o : NULL;
    } else {
        int tasks = 0, on_time = 0;
        if (plan_outcome(db, PQgetvalue(b, row, B_NUMBER), PQgetvalue(b, row, B_PLAN_UNIT), y,
                         &tasks, &on_time) < 0)
            return -1;
        plan_text(PQgetisnull(b, row, B_TASKS) ? 0 : atoi(PQgetvalue(b, row, B_TASKS)),
                  atoi(PQgetvalue(b, row, B_ON_TIME)), from, sizeof from);
        plan_text(tasks, on_time, to, sizeof to);
        snprintf(tasks_text, sizeof tasks_text, "%d", tasks);
        snprintf(on_time_text, sizeof on_time_text, "%d", on_time);
        tasks_p = tasks > 0 ? tasks_text : NULL;
        on_time_p = tasks > 0 ? on_time_text : NULL;
    }
    if (strcmp(from, to) == 0)
        return 0;
    const char *p[] = {unit, y, kind, key, outcome, tasks_p, on_time_p};
    PGresult *res = run(db,
                        "UPDATE scoring.binding SET outcome = $5, plan_tasks = $6::int, "
                        "plan_on_time = $7::int, outcome_at = now() WHERE unit_code = $1 AND "
                        "year = $2::int AND kind = $3 AND key = $4",
                        7, p);
    if (!res)
        return -1;
    PQclear(res);
    *changed = true;
    /* A plan's figures as on_time/tasks: the log's quoted values hold no quotes. */
    char log_from[64], log_to[64];
    if (task) {
        snprintf(log_from, sizeof log_from, "%s", from);
        snprintf(log_to, sizeof log_to, "%s", to);
    } else {
        snprintf(log_from, sizeof log_from, "%s/%s", PQgetvalue(b, row, B_ON_TIME),
                 PQgetvalue(b, row, B_TASKS));
        snprintf(log_to, sizeof log_to, "%s/%s", on_time_p ? on_time_p : "",
                 tasks_p ? tasks_p : "");
    }
    log_info("outcome changed", "unit=%s year=%d %s=%s from=\"%s\" to=\"%s\" cause=\"%s\"", unit,
             year, kind, key, log_from, log_to, evidence);
    return scoring_engine_audit(e, unit, year, "deadline", task ? "outcome" : "plan", key,
                                *from ? from : NULL, *to ? to : NULL, evidence);
}

int scoring_outcomes_refresh(scoring_engine_t *e, const char *unit, int year, bool force,
                             const char *evidence, long *recomputed, char *err, size_t errlen)
{
    db_t *db = scoring_engine_db(e);
    int locked = scoring_engine_locked(e, unit, year);
    if (locked < 0) {
        snprintf(err, errlen, "%s", db_error(db));
        return -1;
    }
    if (locked) {
        log_warn("outcome skipped", "unit=%s year=%d reason=locked cause=\"%s\"", unit, year,
                 evidence);
        return 0;
    }
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {unit, y};
    PGresult *b = run(db,
                      "SELECT " BINDING_COLUMNS " FROM scoring.binding WHERE unit_code = $1 AND "
                      "year = $2::int ORDER BY kind, key FOR UPDATE",
                      2, p);
    if (!b) {
        snprintf(err, errlen, "%s", db_error(db));
        return -1;
    }
    bool changed = false;
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(b); i++)
        rc = refresh_binding(e, unit, year, b, i, evidence, &changed);
    PQclear(b);
    if (rc < 0) {
        snprintf(err, errlen, "%s", db_error(db));
        return -1;
    }
    if (!changed && !force)
        return 0;
    scoring_unit_t u;
    int found = scoring_engine_unit(e, unit, &u), n = 0;
    if (found < 0) {
        snprintf(err, errlen, "%s", db_error(db));
        return -1;
    }
    if (found == 0) {
        log_warn("outcome not scored", "unit=%s year=%d reason=unknown_unit", unit, year);
        return 0;
    }
    if (scoring_engine_recompute(e, &u, year, &n, err, errlen) < 0)
        return -1;
    if (recomputed)
        *recomputed += n;
    return 0;
}

/* The object `name` of doc, created when missing; NULL if it is not one. */
static json_t *member(json_t *doc, const char *name)
{
    json_t *m = json_object_get(doc, name);
    if (!m) {
        m = json_object();
        if (!m || json_object_set_new(doc, name, m) < 0)
            return NULL;
    }
    return json_is_object(m) ? m : NULL;
}

int scoring_outcomes_overlay(db_t *db, const char *unit, int year, json_t *doc, json_t **bound)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {unit, y};
    PGresult *b = run(db,
                      "SELECT " BINDING_COLUMNS " FROM scoring.binding WHERE unit_code = $1 AND "
                      "year = $2::int ORDER BY kind, key",
                      2, p);
    if (!b)
        return -1;
    json_t *keys = bound ? json_pack("{s:{}, s:{}}", "task", "plan") : NULL;
    int rc = bound && !keys ? -1 : 0;
    for (int i = 0; rc == 0 && i < PQntuples(b); i++) {
        bool task = strcmp(PQgetvalue(b, i, B_KIND), "task") == 0;
        const char *key = PQgetvalue(b, i, B_KEY);
        json_t *facts = member(doc, task ? "deliverables" : "plans");
        if (!facts) {
            rc = -1;
            break;
        }
        json_object_del(facts, key);
        if (task && !PQgetisnull(b, i, B_OUTCOME))
            rc = json_object_set_new(facts, key, json_string(PQgetvalue(b, i, B_OUTCOME)));
        else if (!task && !PQgetisnull(b, i, B_TASKS))
            rc = json_object_set_new(facts, key,
                                     json_pack("{s:i, s:i}", "tasks",
                                               atoi(PQgetvalue(b, i, B_TASKS)), "on_time",
                                               atoi(PQgetvalue(b, i, B_ON_TIME))));
        if (rc == 0 && keys)
            rc = json_object_set_new(json_object_get(keys, task ? "task" : "plan"), key,
                                     json_true());
    }
    PQclear(b);
    if (rc < 0) {
        json_decref(keys);
        return -1;
    }
    if (bound)
        *bound = keys;
    return 0;
}

/* Refreshes every unit-year whose bindings name the task or its plan. */
static int refresh_affected(scoring_ingest_t *in, long long task_id, const char *plan_number,
                            const char *plan_unit, const char *evidence)
{
    db_t *db = scoring_engine_db(in->engine);
    char id[24];
    snprintf(id, sizeof id, "%lld", task_id);
    const char *p[] = {id, plan_number, plan_unit};
    PGresult *res = run(db,
                        "SELECT DISTINCT unit_code, year FROM scoring.binding WHERE (kind = "
                        "'task' AND task_id = $1::bigint) OR (kind = 'plan' AND plan_number = "
                        "$2 AND plan_unit = $3) ORDER BY unit_code, year",
                        3, p);
    if (!res)
        return -1;
    int rc = 0;
    char err[512];
    for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
        rc =
            scoring_outcomes_refresh(in->engine, PQgetvalue(res, i, 0), atoi(PQgetvalue(res, i, 1)),
                                     false, evidence, &in->recomputed, err, sizeof err);
        if (rc < 0)
            log_warn("outcome not applied", "unit=%s reason=\"%s\"", PQgetvalue(res, i, 0), err);
    }
    PQclear(res);
    return rc;
}

int scoring_outcomes_event(db_t *db, const event_t *event, void *arg)
{
    (void)db;
    char evidence[96];
    snprintf(evidence, sizeof evidence, "deadline %s %lld", event->type, (long long)event->seq);
    int rc = 0;
    if (strcmp(event->type, "OccurrenceClosed") == 0) {
        Partrack__OccurrenceClosed *ev =
            partrack__occurrence_closed__unpack(NULL, event->payload_len, event->payload);
        if (!ev) {
            log_warn("undecodable event", "type=OccurrenceClosed seq=%lld", (long long)event->seq);
            return 0;
        }
        snprintf(evidence, sizeof evidence, "occurrence %lld of task %lld: %s",
                 (long long)ev->occurrence_id, (long long)ev->task_id, ev->outcome);
        rc = refresh_affected(arg, ev->task_id, ev->plan_number, ev->plan_unit, evidence);
        partrack__occurrence_closed__free_unpacked(ev, NULL);
    } else if (strcmp(event->type, "DueTransition") == 0) {
        Partrack__DueTransition *ev =
            partrack__due_transition__unpack(NULL, event->payload_len, event->payload);
        if (!ev) {
            log_warn("undecodable event", "type=DueTransition seq=%lld", (long long)event->seq);
            return 0;
        }
        if (strcmp(ev->level, "overdue") == 0 || strcmp(ev->level, "escalated") == 0) {
            snprintf(evidence, sizeof evidence, "occurrence %lld of task %lld: %s",
                     (long long)ev->occurrence_id, (long long)ev->task_id, ev->level);
            rc = refresh_affected(arg, ev->task_id, ev->plan_number, ev->plan_unit, evidence);
        }
        partrack__due_transition__free_unpacked(ev, NULL);
    } else if (strcmp(event->type, "DueRecomputed") == 0) {
        Partrack__DueRecomputed *ev =
            partrack__due_recomputed__unpack(NULL, event->payload_len, event->payload);
        if (!ev) {
            log_warn("undecodable event", "type=DueRecomputed seq=%lld", (long long)event->seq);
            return 0;
        }
        snprintf(evidence, sizeof evidence, "occurrence %lld of task %lld: %s",
                 (long long)ev->occurrence_id, (long long)ev->task_id,
                 ev->removed ? "removed" : "due date moved");
        rc = refresh_affected(arg, ev->task_id, ev->plan_number, ev->plan_unit, evidence);
        partrack__due_recomputed__free_unpacked(ev, NULL);
    }
    return rc;
}

int scoring_outcomes_year_end(db_t *db, void *arg)
{
    scoring_ingest_t *in = arg;
    /* The deadline service's clock: the year before it is over. */
    PGresult *res = run(db,
                        "SELECT extract(year FROM (SELECT as_of FROM deadline.outcomes LIMIT 1) "
                        "AT TIME ZONE 'Asia/Ho_Chi_Minh')::int - 1, closed_through FROM "
                        "scoring.outcome_year_end FOR UPDATE",
                        0, NULL);
    if (!res)
        return -1;
    bool known = !PQgetisnull(res, 0, 0);
    int ended = known ? atoi(PQgetvalue(res, 0, 0)) : 0, done = atoi(PQgetvalue(res, 0, 1));
    PQclear(res);
    if (!known || ended <= done)
        return 0;
    char e[16], d[16];
    snprintf(e, sizeof e, "%d", ended);
    snprintf(d, sizeof d, "%d", done);
    const char *p[] = {d, e};
    res = run(db,
              "SELECT DISTINCT unit_code, year FROM scoring.binding WHERE year > $1::int AND "
              "year <= $2::int ORDER BY year, unit_code",
              2, p);
    if (!res)
        return -1;
    int rc = 0;
    char err[512], evidence[64];
    for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
        snprintf(evidence, sizeof evidence, "year %s over", PQgetvalue(res, i, 1));
        rc =
            scoring_outcomes_refresh(in->engine, PQgetvalue(res, i, 0), atoi(PQgetvalue(res, i, 1)),
                                     false, evidence, &in->recomputed, err, sizeof err);
    }
    PQclear(res);
    if (rc < 0)
        return -1;
    const char *q[] = {e};
    res = run(db, "UPDATE scoring.outcome_year_end SET closed_through = $1::int", 1, q);
    if (!res)
        return -1;
    PQclear(res);
    log_info("year end applied to outcomes", "through=%d", ended);
    return 0;
}
