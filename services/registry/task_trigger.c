/* task_trigger.c - the event an event task waits for has happened (see the
 * header) */
#include "task_trigger.h"

#include "events.h"
#include "events.pb-c.h"
#include "unit_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int trigger_event(db_t *db, const Partrack__TaskTriggerRequest *req, const char *actor,
                         PGresult *task, int64_t *last_event)
{
    Partrack__TaskTriggered ev = PARTRACK__TASK_TRIGGERED__INIT;
    ev.task_id = req->id;
    ev.on_date = req->on_date;
    ev.actor = (char *)actor;
    ev.plan_number = PQgetvalue(task, 0, 3);
    ev.plan_unit = PQgetvalue(task, 0, 4);
    size_t len = partrack__task_triggered__get_packed_size(&ev);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -1;
    partrack__task_triggered__pack(&ev, buf);
    int rc = events_append(db, "registry", "TaskTriggered", ev.plan_unit, buf, len, last_event);
    free(buf);
    return rc;
}

int task_trigger(db_t *db, const Partrack__TaskTriggerRequest *req, const char *actor,
                 problems_t *problems, int64_t *last_event)
{
    if (!import_date_valid(req->on_date)) {
        problems_add(problems, NULL, 0, "on", "\"%s\" is not a date written YYYY-MM-DD",
                     req->on_date);
        return 2;
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)req->id);
    const char *p1[] = {id};
    db_status_t st;
    PGresult *task = db_exec(db,
                             "SELECT t.status, coalesce((t.schedule->>'event')::boolean, false), "
                             "t.triggered_on::text, p.number, p.unit_code, t.deadline_text FROM "
                             "registry.task t JOIN registry.plan p ON p.id = t.plan_id WHERE t.id "
                             "= $1::bigint FOR UPDATE OF t",
                             1, p1, &st);
    if (!task)
        return -1;
    int rc = 2;
    if (PQntuples(task) == 0)
        rc = 0;
    else if (strcmp(PQgetvalue(task, 0, 0), "open") != 0)
        problems_add(problems, NULL, 0, "id", "task %s is %s", id, PQgetvalue(task, 0, 0));
    else if (PQgetvalue(task, 0, 1)[0] != 't')
        problems_add(problems, NULL, 0, "id",
                     "task %s does not wait for an event (its deadline: \"%s\")", id,
                     PQgetvalue(task, 0, 5));
    else if (!PQgetisnull(task, 0, 2))
        problems_add(problems, NULL, 0, "id", "task %s was already triggered on %s", id,
                     PQgetvalue(task, 0, 2));
    else
        rc = 1;
    if (rc == 1) {
        const char *p2[] = {id, req->on_date, actor};
        PGresult *res = db_exec(db,
                                "WITH u AS (UPDATE registry.task SET triggered_on = $2::date, "
                                "updated_at = now() WHERE id = $1::bigint) INSERT INTO "
                                "registry.audit (actor, entity, entity_id, action, after) VALUES "
                                "($3, 'task', $1, 'triggered', json_build_object('on', $2::text))",
                                3, p2, &st);
        if (!res || trigger_event(db, req, actor, task, last_event) < 0)
            rc = -1;
        PQclear(res);
    }
    PQclear(task);
    return rc;
}

int task_trigger_by_updates(db_t *db, const int64_t *ids, size_t n, const char *actor,
                            int64_t *last_event)
{
    if (n == 0)
        return 0;
    char **texts = calloc(n, sizeof *texts);
    char *array = NULL;
    PGresult *res = NULL;
    int rc = -1;
    if (!texts)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(texts[i] = malloc(24)))
            goto done;
        else
            snprintf(texts[i], 24, "%lld", (long long)ids[i]);
    if (!(array = db_array_literal((const char *const *)texts, n)))
        goto done;
    const char *p[] = {array, actor};
    db_status_t st;
    res =
        db_exec(db,
                "WITH u AS (UPDATE registry.task t SET triggered_on = (now() AT TIME ZONE "
                "'Asia/Ho_Chi_Minh')::date, updated_at = now() FROM registry.plan p WHERE t.id = "
                "ANY ($1::bigint[]) AND p.id = t.plan_id AND t.status = 'open' AND "
                "t.triggered_on IS NULL AND coalesce((t.schedule->>'event')::boolean, false) "
                "RETURNING t.id, t.triggered_on::text AS on_date, p.number, p.unit_code), a AS "
                "(INSERT INTO registry.audit (actor, entity, entity_id, action, after) SELECT $2, "
                "'task', id::text, 'triggered', json_build_object('on', on_date, 'by', "
                "'update') FROM u) SELECT id, on_date, number, unit_code FROM u ORDER BY id",
                2, p, &st);
    if (!res)
        goto done;
    int m = PQntuples(res);
    rc = 0;
    for (int r = 0; r < m && rc == 0; r++) {
        Partrack__TaskTriggered ev = PARTRACK__TASK_TRIGGERED__INIT;
        ev.task_id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
        ev.on_date = PQgetvalue(res, r, 1);
        ev.actor = (char *)actor;
        ev.plan_number = PQgetvalue(res, r, 2);
        ev.plan_unit = PQgetvalue(res, r, 3);
        size_t len = partrack__task_triggered__get_packed_size(&ev);
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf) {
            rc = -1;
            break;
        }
        partrack__task_triggered__pack(&ev, buf);
        if (events_append(db, "registry", "TaskTriggered", ev.plan_unit, buf, len, last_event) < 0)
            rc = -1;
        free(buf);
    }
done:
    PQclear(res);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(array);
    return rc;
}
