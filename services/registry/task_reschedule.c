/* task_reschedule.c - a task's deadline changed after its plan was imported
 * (see the header) */
#include "task_reschedule.h"

#include "deadline.h"
#include "events.h"
#include "events.pb-c.h"
#include "plan_store.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The task row locked for the change: its columns. */
enum { COL_STATUS, COL_TEXT, COL_YEAR, COL_NUMBER, COL_UNIT };

static int reschedule_event(db_t *db, const Partrack__TaskRescheduleRequest *req, const char *text,
                            int year, const char *actor, PGresult *task, int64_t *last_event)
{
    Partrack__TaskRescheduled ev = PARTRACK__TASK_RESCHEDULED__INIT;
    ev.task_id = req->id;
    ev.deadline_text = (char *)text;
    ev.previous_text = PQgetisnull(task, 0, COL_TEXT) ? NULL : PQgetvalue(task, 0, COL_TEXT);
    ev.year = year;
    ev.actor = (char *)actor;
    ev.reason = req->reason;
    ev.plan_number = PQgetvalue(task, 0, COL_NUMBER);
    ev.plan_unit = PQgetvalue(task, 0, COL_UNIT);
    size_t len = partrack__task_rescheduled__get_packed_size(&ev);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -1;
    partrack__task_rescheduled__pack(&ev, buf);
    int rc = events_append(db, "registry", "TaskRescheduled", ev.plan_unit, buf, len, last_event);
    free(buf);
    return rc;
}

/* Whether the locked task may take `text`: 1 yes (*schedule set: the new
 * schedule, caller destroys), 2 no (problem added), -1 out of memory. */
static int reschedule_check(const workcal_t *cal, PGresult *task, const char *id, const char *text,
                            int year, problems_t *problems, deadline_t **schedule)
{
    const char *status = PQgetvalue(task, 0, COL_STATUS);
    if (strcmp(status, "open") != 0) {
        problems_add(problems, NULL, 0, "id", "task %s is %s", id, status);
        return 2;
    }
    if (!*text) {
        problems_add(problems, NULL, 0, "deadline", "the deadline text is empty");
        return 2;
    }
    if (!PQgetisnull(task, 0, COL_TEXT) && strcmp(PQgetvalue(task, 0, COL_TEXT), text) == 0) {
        problems_add(problems, NULL, 0, "deadline", "the deadline is already \"%s\"", text);
        return 2;
    }
    char err[256];
    deadline_t *d = deadline_parse(text, year, cal, err, sizeof err);
    if (!d) {
        if (strcmp(err, "out of memory") == 0)
            return -1;
        problems_add(problems, NULL, 0, "deadline", "\"%s\" cannot be read for %d: %s", text, year,
                     err);
        return 2;
    }
    if (d->unparsed) {
        problems_add(problems, NULL, 0, "deadline", "\"%s\" does not read as a deadline for %d: %s",
                     text, year, d->reason ? d->reason : "not understood");
        deadline_destroy(&d);
        return 2;
    }
    *schedule = d;
    return 1;
}

int task_reschedule(db_t *db, const workcal_t *cal, const Partrack__TaskRescheduleRequest *req,
                    const char *actor, problems_t *problems, int64_t *last_event)
{
    /* Stored as plan import stores a cell's lines: NFC, white space
     * collapsed. The request's strings are valid UTF-8 (msg_decode). */
    char *text = text_clean(req->deadline_text);
    if (!text)
        return -1;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)req->id);
    const char *p1[] = {id};
    db_status_t st;
    deadline_t *d = NULL;
    char *schedule = NULL;
    int rc = -1;
    PGresult *res = NULL;
    PGresult *task = db_exec(db,
                             "SELECT t.status, t.deadline_text, p.year, p.number, p.unit_code "
                             "FROM registry.task t JOIN registry.plan p ON p.id = t.plan_id WHERE "
                             "t.id = $1::bigint FOR UPDATE OF t",
                             1, p1, &st);
    if (!task)
        goto done;
    if (PQntuples(task) == 0) {
        rc = 0;
        goto done;
    }
    int year = atoi(PQgetvalue(task, 0, COL_YEAR));
    rc = reschedule_check(cal, task, id, text, year, problems, &d);
    if (rc != 1)
        goto done;
    rc = -1;
    if (!(schedule = plan_store_schedule_json(d)))
        goto done;
    const char *old = PQgetisnull(task, 0, COL_TEXT) ? NULL : PQgetvalue(task, 0, COL_TEXT);
    const char *p2[] = {id, text, schedule, actor, old, req->reason};
    res = db_exec(db,
                  "WITH u AS (UPDATE registry.task SET deadline_text = $2, schedule = $3::jsonb, "
                  "deadline_unparsed = false, triggered_on = NULL, updated_at = now() WHERE id = "
                  "$1::bigint) INSERT INTO registry.audit (actor, entity, entity_id, action, "
                  "before, after) VALUES ($4, 'task', $1, 'rescheduled', "
                  "json_build_object('deadline_text', $5::text), "
                  "json_build_object('deadline_text', $2::text, 'reason', $6::text))",
                  6, p2, &st);
    if (res && reschedule_event(db, req, text, year, actor, task, last_event) == 0)
        rc = 1;
done:
    PQclear(res);
    PQclear(task);
    free(schedule);
    deadline_destroy(&d);
    free(text);
    return rc;
}
